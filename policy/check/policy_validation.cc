// Validating a bundle's policies (policy_validation.h).
#include "policy/check/policy_validation.h"

#include <map>
#include <string>
#include <tuple>

#include "policy/cedar/parser/policy_parser.h"
#include "policy/cedar/validator/validator.h"

namespace crossgate::check {
namespace {

PolicyProblem problem(const cedar::validator::ValidationError& e) {
  return PolicyProblem{std::string(cedar::validator::kind_name(e.kind)),
                       static_cast<int>(e.loc.line), static_cast<int>(e.loc.column), e.message};
}

}  // namespace

cedar::Result<std::vector<PolicyCheck>> validate_bundle_policies(const bundle::BundleFiles& files,
                                                                 const cedar::Schema& schema) {
  std::vector<cedar::ast::Policy> policies;
  for (const auto& [path, text] : files.files) {
    if (!path.starts_with("policies/") || !path.ends_with(".cedar")) continue;
    cedar::parser::ParseOptions options;
    options.source_name = files.origin + "/" + path;
    options.id_prefix = path.substr(std::string_view("policies/").size()) + ":policy";
    cedar::Result<std::vector<cedar::ast::Policy>> parsed =
        cedar::parser::parse_policies(text, options);
    if (!parsed.ok()) return parsed.error();
    for (cedar::ast::Policy& p : parsed.value())
      policies.push_back(std::move(p));
  }

  cedar::validator::Validator validator(schema);
  cedar::validator::ValidationResult result = validator.validate(policies);

  std::vector<PolicyCheck> out;
  std::map<std::string, std::size_t> by_id;
  for (const cedar::ast::Policy& p : policies) {
    by_id.emplace(p.id, out.size());
    PolicyCheck check;
    check.id = p.id;
    check.name = p.display_name();
    check.file = p.source;
    check.line = static_cast<int>(p.loc.line);
    check.is_template = p.is_template();
    out.push_back(std::move(check));
  }
  // The validator reports an error once per request environment whose message differs
  // (e.g. once per action whose context lacks the attribute): one typo would be a dozen
  // lines. They are folded into the first, with a count.
  std::map<std::tuple<std::string, int, int, std::string>, std::size_t> folded;
  for (const auto& e : result.errors) {
    auto it = by_id.find(e.policy_id);
    if (it == by_id.end()) continue;
    PolicyProblem p = problem(e);
    std::vector<PolicyProblem>& errors = out[it->second].errors;
    auto [at, inserted] = folded.emplace(std::tuple(p.kind, p.line, p.column, e.policy_id), 0);
    if (!inserted && p.line != 0) {
      ++at->second;
      continue;
    }
    errors.push_back(std::move(p));
  }
  for (PolicyCheck& check : out) {
    for (PolicyProblem& p : check.errors) {
      auto at = folded.find(std::tuple(p.kind, p.line, p.column, check.id));
      if (at != folded.end() && at->second > 0) {
        p.message += " (and " + std::to_string(at->second) + " more like it at this place)";
      }
    }
  }
  for (const auto& e : result.warnings) {
    auto it = by_id.find(e.policy_id);
    if (it != by_id.end()) out[it->second].warnings.push_back(problem(e));
  }
  return out;
}

}  // namespace crossgate::check
