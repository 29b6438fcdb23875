// Cedar authorization: forbid overrides permit, and the default is deny.
//
// The answer lists the determining policies (the satisfied forbids on a deny, the
// satisfied permits on an allow) and every policy whose evaluation failed, with why;
// a policy that errors counts as not satisfied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/entities/entities.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/request.h"

namespace crossgate::cedar {

enum class Decision : std::uint8_t { kDeny, kAllow };

struct PolicyError {
  std::uint32_t policy;  // position in the PolicySet
  std::string message;
};

struct Response {
  Decision decision = Decision::kDeny;
  std::vector<std::uint32_t> determining;  // positions in the PolicySet, increasing
  std::vector<PolicyError> errors;         // by increasing position

  void clear() {
    decision = Decision::kDeny;
    determining.clear();
    errors.clear();
  }
};

// Keeps the scratch memory of authorization between calls, so that a warmed-up
// Authorizer does not allocate. Not thread-safe: use one per thread.
class Authorizer {
 public:
  void authorize(const PolicySet& policies, const Request& request, const Entities& entities,
                 Response& out);
  Response authorize(const PolicySet& policies, const Request& request, const Entities& entities) {
    Response out;
    authorize(policies, request, entities, out);
    return out;
  }

 private:
  Arena scratch_;
  std::vector<std::uint64_t> bits_;
  std::vector<std::uint32_t> candidates_;
  std::vector<std::uint32_t> forbids_;
  std::vector<std::uint32_t> permits_;
};

}  // namespace crossgate::cedar
