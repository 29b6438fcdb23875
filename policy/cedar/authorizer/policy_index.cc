#include "policy/cedar/authorizer/policy_index.h"

#include <algorithm>

namespace crossgate::cedar {
namespace {

void set_bit(std::vector<std::uint64_t>& bits, std::uint32_t position) {
  std::size_t word = position / 64;
  if (bits.size() <= word) bits.resize(word + 1, 0);
  bits[word] |= std::uint64_t{1} << (position % 64);
}

void or_into(std::uint64_t* out, std::size_t words, const std::vector<std::uint64_t>& bits) {
  std::size_t n = std::min(words, bits.size());
  for (std::size_t i = 0; i < n; ++i)
    out[i] |= bits[i];
}

}  // namespace

void PolicyIndex::add(std::uint32_t position, Dimension dimension,
                      std::span<const EntityUid* const> targets) {
  Column& column = columns_[static_cast<int>(dimension)];
  if (targets.empty()) {
    set_bit(column.unconstrained, position);
    return;
  }
  for (const EntityUid* target : targets) {
    set_bit(*column.by_target.insert(*target, Bits{}).first, position);
  }
}

void PolicyIndex::finish_policy(std::uint32_t position) {
  count_ = std::max(count_, position + 1);
}

void PolicyIndex::gather(const Column& column, const EntityUid& uid, const Entity* entity,
                         const Entities& entities, std::uint64_t* out, std::size_t words) const {
  or_into(out, words, column.unconstrained);
  if (column.by_target.empty()) return;
  if (const Bits* own = column.by_target.find(uid)) or_into(out, words, *own);
  if (entity == nullptr || entity->ancestors.empty()) return;
  // Walk whichever side is smaller: the entity's ancestors or the entities scopes name.
  if (entity->ancestors.size() <= column.by_target.size()) {
    for (std::uint32_t ancestor : entity->ancestors) {
      if (const Bits* bits = column.by_target.find(*entities.at(ancestor).uid)) {
        or_into(out, words, *bits);
      }
    }
  } else {
    column.by_target.for_each([&](const EntityUid& target, const Bits& bits) {
      if (!(target == uid) && entities.is_in(entity, uid, target)) or_into(out, words, bits);
    });
  }
}

void PolicyIndex::candidates(const Request& request, const Entities& entities,
                             const Entity* principal, const Entity* action, const Entity* resource,
                             std::vector<std::uint64_t>& scratch,
                             std::vector<std::uint32_t>& out) const {
  std::size_t words = (count_ + 63) / 64;
  if (words == 0) return;
  scratch.assign(words * 3, 0);
  std::uint64_t* p = scratch.data();
  std::uint64_t* a = p + words;
  std::uint64_t* r = a + words;
  // Action first: it is the most selective dimension in practice, and when no policy
  // mentions the action the other two need not be gathered.
  gather(columns_[1], request.action, action, entities, a, words);
  bool any = false;
  for (std::size_t i = 0; i < words; ++i)
    any |= a[i] != 0;
  if (!any) return;
  gather(columns_[0], request.principal, principal, entities, p, words);
  gather(columns_[2], request.resource, resource, entities, r, words);
  for (std::size_t i = 0; i < words; ++i) {
    std::uint64_t bits = p[i] & a[i] & r[i];
    while (bits != 0) {
      int bit = __builtin_ctzll(bits);
      out.push_back(static_cast<std::uint32_t>(i * 64 + static_cast<std::size_t>(bit)));
      bits &= bits - 1;
    }
  }
}

}  // namespace crossgate::cedar
