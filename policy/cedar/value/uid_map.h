// An open-addressing hash map keyed by entity uid, for the lookups on every request
// (entity store, policy index). Keys are EntityUid views: whoever inserts keeps the
// strings alive (normally in an Arena). Lookups use the uid's precomputed hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

template <class T>
class UidMap {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Inserts `value` under `key` unless the key is present; returns the stored value and
  // whether it was inserted.
  std::pair<T*, bool> insert(const EntityUid& key, T value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    std::size_t i = probe(key);
    if (slots_[i].has_value()) return {&slots_[i]->second, false};
    slots_[i].emplace(key, std::move(value));
    ++size_;
    return {&slots_[i]->second, true};
  }

  const T* find(const EntityUid& key) const {
    if (slots_.empty()) return nullptr;
    const auto& slot = slots_[probe(key)];
    return slot.has_value() ? &slot->second : nullptr;
  }
  T* find(const EntityUid& key) {
    return const_cast<T*>(static_cast<const UidMap*>(this)->find(key));
  }

  template <class F>
  void for_each(F&& visit) const {
    for (const auto& slot : slots_) {
      if (slot.has_value()) visit(slot->first, slot->second);
    }
  }

 private:
  std::size_t probe(const EntityUid& key) const {
    std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(key.hash) & mask;
    while (slots_[i].has_value() && !(slots_[i]->first == key))
      i = (i + 1) & mask;
    return i;
  }

  void grow() {
    std::vector<std::optional<std::pair<EntityUid, T>>> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.empty() ? 16 : old.size() * 2);
    for (auto& slot : old) {
      if (slot.has_value()) slots_[probe(slot->first)] = std::move(slot);
    }
  }

  std::vector<std::optional<std::pair<EntityUid, T>>> slots_;
  std::size_t size_ = 0;
};

}  // namespace crossgate::cedar
