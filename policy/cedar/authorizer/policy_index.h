// Narrows a request down to the policies whose scope can match it, so that authorization
// never evaluates a policy that cannot apply.
//
// For each of principal, action and resource the index keeps the policies that do not
// constrain it and, for each entity a scope names (`== E`, `in E`), the policies naming
// it, as bitsets. A request's candidates are, per dimension, the unconstrained policies
// plus those naming the request's entity or one of its ancestors, intersected across the
// three dimensions. Candidates still get their scope checked exactly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "policy/cedar/entities/entities.h"
#include "policy/cedar/value/request.h"
#include "policy/cedar/value/uid_map.h"

namespace crossgate::cedar {

class PolicyIndex {
 public:
  enum class Dimension : std::uint8_t { kPrincipal = 0, kAction = 1, kResource = 2 };

  // Registers the policy at `position` (positions are added in increasing order).
  // `targets` empty means the dimension is unconstrained (also for a bare `is T`).
  void add(std::uint32_t position, Dimension dimension, std::span<const EntityUid* const> targets);
  void finish_policy(std::uint32_t position);

  // Appends the candidate positions, in increasing order, to `out`. `scratch` is reused
  // across calls to avoid allocation.
  void candidates(const Request& request, const Entities& entities, const Entity* principal,
                  const Entity* action, const Entity* resource, std::vector<std::uint64_t>& scratch,
                  std::vector<std::uint32_t>& out) const;

 private:
  using Bits = std::vector<std::uint64_t>;
  struct Column {
    Bits unconstrained;
    UidMap<Bits> by_target;
  };

  void gather(const Column& column, const EntityUid& uid, const Entity* entity,
              const Entities& entities, std::uint64_t* out, std::size_t words) const;

  Column columns_[3];
  std::uint32_t count_ = 0;
};

}  // namespace crossgate::cedar
