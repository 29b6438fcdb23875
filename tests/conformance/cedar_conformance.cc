// Runs Cedar's integration-test format against the engine:
//
//   cedar_conformance --root DIR PATH...
//
// Each PATH is a test JSON file or a folder searched recursively for them (other JSON
// files, such as entity files, are skipped). Paths inside a test are relative to DIR.
// For every request the decision, the set of determining policies and the set of
// erroring policies must equal the expected ones. Failing requests are named; the last
// line is "N passed, M failed" counting requests. Exit status: 0 when all pass, 1 when
// any fails, 2 on bad usage.
//
// With a schema, the policies are also validated in strict mode and the outcome compared
// with the test's `shouldValidate`, and every request whose `validateRequest` is not false
// must pass request validation. Both are counted on lines of their own before the last
// ("validation: N agreed, M disagreed", "request validation: ..."); a disagreement is
// named and counted as a failed request, so that the run fails.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "policy/cedar/authorizer/authorizer.h"
#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/entities/json_value.h"
#include "policy/cedar/parser/policy_parser.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/validator/request_validator.h"
#include "policy/cedar/validator/validator.h"

namespace fs = std::filesystem;
using namespace crossgate::cedar;

namespace {

struct Totals {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t validation_agreed = 0;
  std::size_t validation_disagreed = 0;
  std::size_t requests_valid = 0;
  std::size_t requests_rejected = 0;
};

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

std::string join(const std::set<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ", ";
    out += item;
  }
  return out + "]";
}

class TestRunner {
 public:
  TestRunner(fs::path root, Totals& totals) : root_(std::move(root)), totals_(totals) {}

  void run(const fs::path& test_path) {
    std::string text;
    if (!read_file(test_path, text)) return fail_all(test_path, 0, "cannot read the test file");
    Result<nlohmann::json> test = parse_json(text, test_path.string());
    if (!test.ok()) return fail_all(test_path, 0, test.message());
    if (!test->is_object() || !test->contains("requests")) return;  // not a test file
    const nlohmann::json& requests = (*test)["requests"];
    std::size_t count = requests.is_array() ? requests.size() : 0;

    std::string policies_text;
    std::string policies_path = test->value("policies", "");
    if (!read_file(root_ / policies_path, policies_text)) {
      return fail_all(test_path, count, "cannot read policies " + policies_path);
    }
    Result<PolicySet> policies = PolicySet::parse(policies_text, policies_path);
    if (!policies.ok()) return fail_all(test_path, count, policies.message());

    std::optional<Schema> schema;
    if (test->contains("schema") && (*test)["schema"].is_string()) {
      std::string schema_path = (*test)["schema"].get<std::string>();
      std::string schema_text;
      if (!read_file(root_ / schema_path, schema_text)) {
        return fail_all(test_path, count, "cannot read schema " + schema_path);
      }
      Result<Schema> parsed = schema_path.ends_with(".json")
                                  ? parse_json_schema(schema_text, schema_path)
                                  : parse_cedarschema(schema_text, schema_path);
      if (!parsed.ok()) return fail_all(test_path, count, parsed.message());
      schema = std::move(parsed.value());
    }
    const Schema* schema_ptr = schema ? &*schema : nullptr;
    if (schema_ptr != nullptr && test->contains("shouldValidate") &&
        (*test)["shouldValidate"].is_boolean()) {
      check_validation(test_path, policies_text, policies_path, *schema_ptr,
                       (*test)["shouldValidate"].get<bool>());
    }

    std::string entities_path = test->value("entities", "");
    std::string entities_text;
    if (!read_file(root_ / entities_path, entities_text)) {
      return fail_all(test_path, count, "cannot read entities " + entities_path);
    }
    Result<Entities> entities = parse_entities_json(entities_text, schema_ptr, entities_path);
    if (!entities.ok()) return fail_all(test_path, count, entities.message());

    for (std::size_t i = 0; i < count; ++i) {
      run_request(test_path, requests[i], i, *policies, *entities, schema_ptr);
    }
  }

 private:
  // Validates the policies (templates included) against the schema and compares the
  // outcome with the expected one.
  void check_validation(const fs::path& test, const std::string& text, const std::string& source,
                        const Schema& schema, bool expected) {
    parser::ParseOptions options;
    options.source_name = source;
    Result<std::vector<ast::Policy>> parsed = parser::parse_policies(text, options);
    if (!parsed.ok()) return;  // already reported by the caller's parse
    validator::ValidationResult result = validator::validate(schema, *parsed);
    if (result.passed() == expected) {
      ++totals_.validation_agreed;
      return;
    }
    ++totals_.validation_disagreed;
    ++totals_.failed;
    std::string why =
        expected ? "expected the policies to validate, got" : "expected errors, got none";
    for (const validator::ValidationError& error : result.errors)
      why += "\n    " + error.to_string();
    std::cout << "FAIL " << test.string() << " validation: " << why << "\n";
  }

  void fail_all(const fs::path& test, std::size_t count, const std::string& why) {
    std::cout << "FAIL " << test.string() << ": " << why << "\n";
    totals_.failed += std::max<std::size_t>(count, 1);
  }

  void run_request(const fs::path& test, const nlohmann::json& json, std::size_t index,
                   const PolicySet& policies, const Entities& entities, const Schema* schema) {
    std::string name = test.string() + " request " + std::to_string(index);
    if (json.contains("description") && json["description"].is_string()) {
      name += " (" + json["description"].get<std::string>() + ")";
    }
    Arena arena;
    JsonValueReader reader(arena, nullptr);
    const EntityUid *principal, *action, *resource;
    std::string error;
    if (!reader.read_uid(json.value("principal", nlohmann::json()), principal, error) ||
        !reader.read_uid(json.value("action", nlohmann::json()), action, error) ||
        !reader.read_uid(json.value("resource", nlohmann::json()), resource, error)) {
      return report(name, "bad request: " + error);
    }
    Result<Value> context = parse_context_json(json.value("context", nlohmann::json::object()),
                                               arena, schema, action, "context");
    if (!context.ok()) return report(name, context.message());
    Request request{*principal, *action, *resource, *context};
    if (schema != nullptr && json.value("validateRequest", true)) {
      if (std::optional<validator::RequestValidationError> invalid =
              validator::validate_request(*schema, request)) {
        ++totals_.requests_rejected;
        return report(name, "request validation: " + std::string(kind_name(invalid->kind)) + ": " +
                                invalid->message);
      }
      ++totals_.requests_valid;
    }
    Response response = authorizer_.authorize(policies, request, entities);

    std::string expected_decision = json.value("decision", "");
    std::string decision = response.decision == Decision::kAllow ? "allow" : "deny";
    std::set<std::string> expected_reasons, expected_errors, reasons, errors;
    for (const auto& r : json.value("reason", nlohmann::json::array()))
      expected_reasons.insert(r.get<std::string>());
    for (const auto& e : json.value("errors", nlohmann::json::array())) {
      expected_errors.insert(e.is_string() ? e.get<std::string>() : e.value("policyId", ""));
    }
    for (std::uint32_t p : response.determining)
      reasons.insert(policies.at(p).id);
    std::string error_messages;
    for (const PolicyError& e : response.errors) {
      errors.insert(policies.at(e.policy).id);
      error_messages += "\n    " + policies.at(e.policy).id + ": " + e.message;
    }
    if (decision == expected_decision && reasons == expected_reasons && errors == expected_errors) {
      ++totals_.passed;
      return;
    }
    report(name, "expected " + expected_decision + " reasons " + join(expected_reasons) +
                     " errors " + join(expected_errors) + ", got " + decision + " reasons " +
                     join(reasons) + " errors " + join(errors) + error_messages);
  }

  void report(const std::string& name, const std::string& why) {
    std::cout << "FAIL " << name << ": " << why << "\n";
    ++totals_.failed;
  }

  fs::path root_;
  Totals& totals_;
  Authorizer authorizer_;
};

std::vector<fs::path> test_files(const fs::path& path) {
  std::vector<fs::path> out;
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      const fs::path& p = entry.path();
      if (entry.is_regular_file() && p.extension() == ".json" &&
          !p.string().ends_with(".entities.json")) {
        out.push_back(p);
      }
    }
    std::sort(out.begin(), out.end());
  } else {
    out.push_back(path);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path root;
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: cedar_conformance --root DIR PATH...\n";
      return 0;
    } else {
      paths.emplace_back(arg);
    }
  }
  if (root.empty() || paths.empty()) {
    std::cerr << "usage: cedar_conformance --root DIR PATH...\n";
    return 2;
  }
  Totals totals;
  TestRunner runner(root, totals);
  for (const fs::path& path : paths) {
    if (!fs::exists(path)) {
      std::cerr << "cedar_conformance: " << path.string() << " does not exist\n";
      return 2;
    }
    for (const fs::path& file : test_files(path))
      runner.run(file);
  }
  std::cout << "validation: " << totals.validation_agreed << " agreed, "
            << totals.validation_disagreed << " disagreed\n";
  std::cout << "request validation: " << totals.requests_valid << " valid, "
            << totals.requests_rejected << " rejected\n";
  std::cout << totals.passed << " passed, " << totals.failed << " failed\n";
  return totals.failed == 0 ? 0 : 1;
}
