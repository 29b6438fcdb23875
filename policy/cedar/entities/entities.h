// The entity store: every entity's attributes, tags and ancestors, with the transitive
// closure of the `in` hierarchy computed once when the store is built.
//
// Entities named only as parents (never defined) have no attributes but still take part
// in `in`, as in the reference. A store is immutable once built and safe to read from
// many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/uid_map.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

struct Entity {
  const EntityUid* uid = nullptr;
  Value attrs = Value::empty_record();
  Value tags = Value::empty_record();
  // Positions in the store of every ancestor (transitively), sorted.
  std::span<const std::uint32_t> ancestors;
  // False for an entity that is only named as some entity's parent.
  bool defined = true;
};

class Entities {
 public:
  Entities() = default;
  Entities(Entities&&) noexcept = default;
  Entities& operator=(Entities&&) noexcept = default;

  // A defined entity, or nullptr (also for entities only named as parents).
  const Entity* find(const EntityUid& uid) const {
    const std::uint32_t* position = index_.find(uid);
    if (position == nullptr) return nullptr;
    const Entity& e = entities_[*position];
    return e.defined ? &e : nullptr;
  }

  // Cedar's `in` between two entity uids: equal, or `ancestor` is among the ancestors of
  // `descendant`. `descendant_entity` may be passed when already looked up.
  bool is_in(const EntityUid& descendant, const EntityUid& ancestor) const;
  bool is_in(const Entity* descendant_entity, const EntityUid& descendant,
             const EntityUid& ancestor) const;

  // The position of an entity (defined or only named as a parent), for building the
  // ancestors of request-local entities; nullopt when the store does not know it.
  std::optional<std::uint32_t> position(const EntityUid& uid) const {
    const std::uint32_t* p = index_.find(uid);
    return p == nullptr ? std::nullopt : std::optional<std::uint32_t>(*p);
  }

  // The entity at a position from `Entity::ancestors`.
  const Entity& at(std::uint32_t position) const { return entities_[position]; }
  std::size_t size() const { return entities_.size(); }

  // Defined entities only, in insertion order.
  template <class F>
  void for_each(F&& visit) const {
    for (const Entity& e : entities_) {
      if (e.defined) visit(e);
    }
  }

  // The arena that owns this store's values; builders allocate attribute values here.
  Arena& arena() { return *arena_; }

 private:
  friend class EntitiesBuilder;
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::vector<Entity> entities_;
  UidMap<std::uint32_t> index_;
  std::vector<std::uint32_t> ancestor_pool_;
};

// Collects entities, then computes the hierarchy. Values passed in must live in
// `arena()` (or be static).
class EntitiesBuilder {
 public:
  EntitiesBuilder();

  Arena& arena() { return store_.arena(); }

  // Fails when the uid was already added.
  Status add(const EntityUid& uid, Value attrs, std::span<const EntityUid> parents,
             Value tags = Value::empty_record());
  bool contains(const EntityUid& uid) const;

  // Computes the transitive closure (cycles are allowed) and returns the store.
  Entities build() &&;

 private:
  std::uint32_t position_of(const EntityUid& uid, bool define);

  Entities store_;
  std::vector<std::vector<std::uint32_t>> parents_;  // direct parents, by position
};

}  // namespace crossgate::cedar
