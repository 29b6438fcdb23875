// The bundle side of `crossgate check`: policy validation (policy, file, line, column,
// kind), reading bundle test cases (with located errors), running them against a real
// engine with diff messages, coverage, and the JUnit writer's escaping.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "policy/check/bundle_tests.h"
#include "policy/check/coverage.h"
#include "policy/check/policy_validation.h"
#include "policy/check/report_junit.h"
#include "policy/check/test_cases.h"
#include "policy/loading/snapshot_loader.h"

namespace crossgate {
namespace {

using Catch::Matchers::ContainsSubstring;

bundle::BundleFiles bundle_files() {
  bundle::BundleFiles files;
  files.origin = "bun";
  files.files["manifest.yaml"] = "name: b\nrevision: 1\npolicy_owner: {id: team-policy}\n";
  files.files["policies/p.cedar"] = R"(@id("anthropic-only")
permit (principal, action, resource is BedrockResource)
when { resource.provider == "anthropic" };

@id("no-restricted")
forbid (principal, action, resource)
when { context.dataClassification == "restricted" };

@id("never-reached")
forbid (principal == Workload::"nobody", action, resource);
)";
  return files;
}

bundle::BundleFiles registry_files() {
  bundle::BundleFiles files;
  files.origin = "reg";
  files.files["manifest.yaml"] = "revision: 1\nmaintained_by: team-cloud\n";
  files.files["workloads.yaml"] = R"(workloads:
  - id: w1
    application: app
    environment: prod
    identity_owner: team-a
    identities:
      - spiffe: spiffe://example.org/w1
    home_accounts: ["111122223333"]
)";
  files.files["accounts.yaml"] = R"(accounts:
  - id: "111122223333"
    environment: prod
    platform_owner: team-p
    regions: [us-east-1]
)";
  return files;
}

const char* kCases = R"(time: 2026-11-27T12:00:00Z
cases:
  - name: anthropic is allowed
    principal: {evidence: jwt-svid, spiffe_id: spiffe://example.org/w1}
    request:
      api: Converse
      resource: anthropic.claude-3-haiku-20240307-v1:0
      source_account: "111122223333"
      source_region: us-east-1
      target_account: "111122223333"
      target_region: us-east-1
    expect: {decision: ALLOW, reasons: [], determining: [anthropic-only]}
  - name: restricted data is not
    principal: {evidence: jwt-svid, spiffe_id: spiffe://example.org/w1}
    request:
      api: Converse
      resource: anthropic.claude-3-haiku-20240307-v1:0
      source_account: "111122223333"
      source_region: us-east-1
      target_account: "111122223333"
      target_region: us-east-1
      data_classification: restricted
    expect: {decision: DENY, reasons: [POLICY_FORBID], determining: [no-restricted]}
)";

std::shared_ptr<const decision::DecisionEngine> engine(const bundle::BundleFiles& b) {
  loading::TrustSettings trust;
  trust.allow_unsigned = true;
  // As `crossgate check` loads it: invalid policies load, to be reported.
  auto bundle =
      loading::load_policy_bundle(b, trust, 0, policy_bundle::PolicyValidation::kLoadInvalid);
  INFO((bundle.ok() ? std::string() : bundle.message()));
  REQUIRE(bundle.ok());
  auto registry = loading::load_owner_registry(registry_files(), trust, 0);
  REQUIRE(registry.ok());
  auto made = loading::make_engine(*bundle, *registry);
  REQUIRE(made.ok());
  return *made;
}

std::vector<check::TestResult> run(const std::string& yaml) {
  bundle::BundleFiles files = bundle_files();
  files.files["tests/t.yaml"] = yaml;
  auto e = engine(files);
  check::TestSuite suite = check::read_test_cases(e->bundle().test_files, files.origin);
  return check::run_bundle_tests(*e, suite);
}

TEST_CASE("validation names the policy, file, line, column and kind", "[check][validation]") {
  bundle::BundleFiles files = bundle_files();
  files.files["policies/q.cedar"] =
      "// a typo in an attribute\n@id(\"typo\")\npermit (principal, action, resource)\n"
      "when { context.dataClasification == \"x\" };\n";
  auto e = engine(files);
  auto checked = check::validate_bundle_policies(files, e->bundle().schema);
  REQUIRE(checked.ok());
  REQUIRE(checked->size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO((*checked)[i].name);
    CHECK((*checked)[i].errors.empty());
  }
  const check::PolicyCheck& typo = (*checked)[3];
  CHECK(typo.id == "q.cedar:policy0");
  CHECK(typo.name == "typo");
  CHECK(typo.file == "bun/policies/q.cedar");
  CHECK(typo.line == 2);
  std::string all;
  for (const check::PolicyProblem& p : typo.errors)
    all += p.kind + " " + std::to_string(p.line) + ":" + std::to_string(p.column) + " " +
           p.message + "\n";
  INFO(all);
  REQUIRE(typo.errors.size() == 1);
  CHECK(typo.errors[0].kind == "UnsafeAttributeAccess");
  CHECK(typo.errors[0].line == 4);
  CHECK(typo.errors[0].column > 1);
  CHECK_THAT(typo.errors[0].message, ContainsSubstring("dataClasification"));
  // Once per action whose context lacks it, folded into one error.
  CHECK_THAT(typo.errors[0].message, ContainsSubstring("more like it at this place"));
}

TEST_CASE("an unlinked template is validated too", "[check][validation]") {
  bundle::BundleFiles files = bundle_files();
  files.files["policies/t.cedar"] =
      "permit (principal == ?principal, action, resource)\n"
      "when { resource.nosuch == 1 };\n";
  auto e = engine(files);
  auto checked = check::validate_bundle_policies(files, e->bundle().schema);
  REQUIRE(checked.ok());
  REQUIRE(checked->size() == 4);
  CHECK((*checked)[3].is_template);
  CHECK_FALSE((*checked)[3].errors.empty());
}

TEST_CASE("bundle tests pass when the engine decides as expected", "[check][tests]") {
  std::vector<check::TestResult> results = run(kCases);
  REQUIRE(results.size() == 2);
  for (const check::TestResult& r : results) {
    INFO(r.case_name << ": " << r.failure);
    CHECK(r.passed);
  }
  CHECK(results[0].line == 3);
  CHECK(results[1].determining == std::vector<std::string>{"no-restricted"});
}

TEST_CASE("a failing bundle test says what differs", "[check][tests]") {
  std::string yaml = kCases;
  yaml.replace(
      yaml.find("{decision: DENY, reasons: [POLICY_FORBID], determining: [no-restricted]}"),
      std::string("{decision: DENY, reasons: [POLICY_FORBID], determining: [no-restricted]}")
          .size(),
      "{decision: ALLOW, reasons: [], determining: [anthropic-only]}");
  std::vector<check::TestResult> results = run(yaml);
  REQUIRE(results.size() == 2);
  CHECK(results[0].passed);
  CHECK_FALSE(results[1].passed);
  CHECK_THAT(results[1].failure, ContainsSubstring("decision: expected ALLOW, got DENY"));
  CHECK_THAT(results[1].failure, ContainsSubstring("reasons: expected [], got [POLICY_FORBID]"));
  CHECK_THAT(results[1].failure,
             ContainsSubstring("determining policies: expected [anthropic-only], got "
                               "[no-restricted]"));
  CHECK(results[1].decision == "DENY");
}

TEST_CASE("a policy id works where an @id does", "[check][tests]") {
  std::string yaml = kCases;
  yaml.replace(yaml.find("determining: [no-restricted]"),
               std::string("determining: [no-restricted]").size(),
               "determining: [\"p.cedar:policy1\"]");
  for (const check::TestResult& r : run(yaml)) {
    INFO(r.failure);
    CHECK(r.passed);
  }
}

TEST_CASE("unreadable test cases fail with their place", "[check][tests][bad-input]") {
  SECTION("an unknown key in one case; the other still runs") {
    std::string yaml = kCases;
    yaml.replace(yaml.find("expect: {decision: ALLOW"), 6, "expects");
    std::vector<check::TestResult> results = run(yaml);
    REQUIRE(results.size() == 2);
    CHECK(results[0].passed);  // the readable case, run first
    CHECK_FALSE(results[1].passed);
    CHECK(results[1].case_name == "anthropic is allowed");
    CHECK(results[1].line == 3);
    CHECK_THAT(results[1].failure, ContainsSubstring("bun/tests/t.yaml:"));
    CHECK_THAT(results[1].failure, ContainsSubstring("expects"));
  }
  SECTION("an expected decision that is neither ALLOW nor DENY") {
    std::string yaml = kCases;
    yaml.replace(yaml.find("decision: ALLOW"), 15, "decision: allow");
    std::vector<check::TestResult> results = run(yaml);
    REQUIRE(results.size() == 2);
    CHECK_THAT(results[1].failure, ContainsSubstring("must be ALLOW or DENY"));
  }
  SECTION("no time") {
    std::string yaml = kCases;
    yaml.erase(0, yaml.find('\n') + 1);
    std::vector<check::TestResult> results = run(yaml);
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0].passed);
    CHECK_THAT(results[0].failure, ContainsSubstring("time"));
  }
  SECTION("not YAML") {
    std::vector<check::TestResult> results = run("cases: [\n");
    REQUIRE(results.size() == 1);
    CHECK_FALSE(results[0].passed);
    CHECK_THAT(results[0].failure, ContainsSubstring("bun/tests/t.yaml:"));
  }
  SECTION("a context key that is not a string (JSON cannot hold it)") {
    std::string yaml = kCases;
    yaml.replace(yaml.find("data_classification: restricted"),
                 std::string("data_classification: restricted").size(), "context: {? [a, b] : 1}");
    std::vector<check::TestResult> results = run(yaml);
    REQUIRE(results.size() == 2);
    CHECK(results[0].passed);
    CHECK_FALSE(results[1].passed);
    CHECK_THAT(results[1].failure, ContainsSubstring("keys must be plain strings"));
  }
  SECTION("a request the engine refuses") {
    std::string yaml = kCases;
    yaml.replace(yaml.find("api: Converse"), 13, "api: NoSuchApi");
    std::vector<check::TestResult> results = run(yaml);
    CHECK_FALSE(results[0].passed);
    CHECK_THAT(results[0].failure, ContainsSubstring("refused"));
  }
}

TEST_CASE("coverage counts the policies some case made determining", "[check][coverage]") {
  bundle::BundleFiles files = bundle_files();
  auto e = engine(files);
  auto checked = check::validate_bundle_policies(files, e->bundle().schema);
  REQUIRE(checked.ok());
  check::Coverage c = check::compute_coverage(*checked, run(kCases));
  CHECK(c.policies == 3);
  CHECK(c.covered == std::vector<std::string>{"anthropic-only", "no-restricted"});
  CHECK(c.uncovered == std::vector<std::string>{"never-reached"});
  CHECK(c.percent() > 66.6);
  CHECK(c.percent() < 66.7);
  check::CheckReport report;
  report.coverage = c;
  report.min_coverage = 66.67;
  CHECK_FALSE(report.coverage_below_gate());
  CHECK(report.exit_status() == 0);
  report.min_coverage = 70;
  CHECK(report.coverage_below_gate());
  CHECK(report.exit_status() == 1);
}

TEST_CASE("JUnit text is escaped", "[check][junit]") {
  CHECK(check::xml_escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
  CHECK(check::xml_escape(std::string("x\x01y\nz", 5)) == "x?y&#10;z");
  check::CheckReport report;
  check::TestResult t;
  t.file = "b/tests/t.yaml";
  t.case_name = "<script>";
  t.failure = "expected ]]> & more";
  report.tests.push_back(t);
  std::string xml = check::junit_xml(report);
  CHECK_THAT(xml, ContainsSubstring("name=\"&lt;script&gt;\""));
  CHECK_THAT(xml, ContainsSubstring(">expected ]]&gt; &amp; more</failure>"));
}

}  // namespace
}  // namespace crossgate
