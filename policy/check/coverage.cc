// Policy coverage (coverage.h).
#include "policy/check/coverage.h"

#include <set>
#include <string>

namespace crossgate::check {

Coverage compute_coverage(const std::vector<PolicyCheck>& policies,
                          const std::vector<TestResult>& tests) {
  std::set<std::string> reached;
  for (const TestResult& t : tests)
    reached.insert(t.determining_ids.begin(), t.determining_ids.end());
  Coverage out;
  for (const PolicyCheck& p : policies) {
    if (p.is_template) continue;
    ++out.policies;
    (reached.count(p.id) != 0 ? out.covered : out.uncovered).push_back(p.name);
  }
  return out;
}

}  // namespace crossgate::check
