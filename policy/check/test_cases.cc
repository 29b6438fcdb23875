// Reading bundle test files (test_cases.h).
#include "policy/check/test_cases.h"

#include <charconv>

#include "policy/common/time.h"
#include "policy/common/yaml_reader.h"

namespace crossgate::check {
namespace {

using yaml::MapReader;

// The extra context attributes: YAML scalars become JSON booleans, integers or strings
// (a quoted scalar is always a string), so that `ticket: "42"` stays a String. nullopt for
// a mapping key that is not a scalar, which JSON cannot hold.
std::optional<nlohmann::json> to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) return std::nullopt;
      std::optional<nlohmann::json> value = to_json(kv.second);
      if (!value) return std::nullopt;
      out[kv.first.Scalar()] = std::move(*value);
    }
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const YAML::Node& element : node) {
      std::optional<nlohmann::json> value = to_json(element);
      if (!value) return std::nullopt;
      out.push_back(std::move(*value));
    }
    return out;
  }
  if (!node.IsScalar()) return nlohmann::json(nullptr);
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return nlohmann::json(text);  // quoted
  if (text == "true") return nlohmann::json(true);
  if (text == "false") return nlohmann::json(false);
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
    return nlohmann::json(number);
  }
  return nlohmann::json(text);
}

std::optional<std::vector<std::string>> optional_list(MapReader& r, const char* key) {
  if (!r.node().IsMap() || !r.node()[key]) return std::nullopt;
  if (r.node()[key].IsNull()) return std::vector<std::string>{};
  return r.string_list(key, false);
}

void read_principal(MapReader& p, decision::VerifiedIdentity& id) {
  p.allow_only({"evidence", "verified", "failure", "lifetime_failure", "spiffe_id", "issuer",
                "subject", "repository_id", "environment", "workflow", "role_arn",
                "source_identity", "session_name", "session_tags", "issued_at", "not_before",
                "expires_at"});
  std::string evidence = p.required_string("evidence");
  std::optional<decision::EvidenceType> type = decision::evidence_from_name(evidence);
  if (p.ok() && !type) {
    p.fail("must be none, jwt-svid, oidc, x509-svid or aws-session, not `" + evidence + "`",
           "evidence");
    return;
  }
  id.type = type.value_or(decision::EvidenceType::kNone);
  id.verified = p.optional_bool("verified", id.type != decision::EvidenceType::kNone);
  id.failure = p.optional_string("failure");
  id.lifetime_failure = p.optional_string("lifetime_failure");
  id.spiffe_id = p.optional_string("spiffe_id");
  id.issuer = p.optional_string("issuer");
  id.subject = p.optional_string("subject");
  id.repository_id = p.optional_string("repository_id");
  id.environment = p.optional_string("environment");
  id.workflow = p.optional_string("workflow");
  id.role_arn = p.optional_string("role_arn");
  id.source_identity = p.optional_string("source_identity");
  id.session_name = p.optional_string("session_name");
  p.child("session_tags", false, [&](MapReader& tags) {
    for (const auto& kv : tags.node()) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
        tags.fail("tag names and values must be strings");
        return;
      }
      id.session_tags[kv.first.Scalar()] = kv.second.Scalar();
    }
  });
  id.issued_at = p.optional_time("issued_at");
  id.not_before = p.optional_time("not_before");
  id.expires_at = p.optional_time("expires_at");
}

void read_request(MapReader& q, decision::RequestFacts& f) {
  q.allow_only({"api", "resource", "source_account", "source_region", "target_account",
                "target_region", "data_classification", "emergency_grant_id", "call_chain",
                "context"});
  f.action = q.required_string("api");
  f.resource = q.required_string("resource");
  f.source_account = q.optional_string("source_account");
  f.source_region = q.optional_string("source_region");
  f.target_account = q.optional_string("target_account");
  f.target_region = q.optional_string("target_region");
  f.data_classification = q.optional_string("data_classification");
  f.emergency_grant_id = q.optional_string("emergency_grant_id");
  q.each("call_chain", false, [&](MapReader& hop) {
    hop.allow_only({"workload", "kind"});
    f.call_chain.push_back({hop.required_string("workload"), hop.optional_string("kind")});
  });
  q.child("context", false, [&](MapReader& c) {
    std::optional<nlohmann::json> extra = to_json(c.node());
    if (!extra) {
      c.fail("keys must be plain strings");
      return;
    }
    f.extra = std::move(*extra);
  });
}

TestCase read_case(MapReader& r, const std::string& file, std::optional<UnixMillis> default_time) {
  TestCase c;
  c.file = file;
  c.line = r.node().Mark().line + 1;
  // The name first, so that a case with another problem is still named in the report.
  c.name = r.required_string("name");
  r.allow_only({"name", "time", "principal", "gateway", "request", "expect"});
  std::optional<UnixMillis> time = r.optional_time("time");
  if (!time) time = default_time;
  if (r.ok() && !time)
    r.fail("missing required field (an RFC 3339 time, or a file-level time)", "time");
  c.input.time = time.value_or(0);
  r.child("principal", true, [&](MapReader& p) { read_principal(p, c.input.identity); });
  r.child("gateway", false, [&](MapReader& g) {
    g.allow_only({"spiffe_id", "trusted_asserter"});
    c.input.caller.spiffe_id = g.optional_string("spiffe_id");
    c.input.caller.trusted_asserter = g.optional_bool("trusted_asserter", false);
  });
  r.child("request", true, [&](MapReader& q) { read_request(q, c.input.facts); });
  c.input.facts.request_id = c.name;
  r.child("expect", true, [&](MapReader& e) {
    e.allow_only({"decision", "reasons", "determining"});
    c.expect_decision = e.required_string("decision");
    if (e.ok() && c.expect_decision != "ALLOW" && c.expect_decision != "DENY") {
      e.fail("must be ALLOW or DENY, not `" + c.expect_decision + "`", "decision");
    }
    c.expect_reasons = optional_list(e, "reasons");
    c.expect_determining = optional_list(e, "determining");
  });
  return c;
}

void read_file(const std::string& path, const std::string& text, const std::string& origin,
               TestSuite& suite) {
  const std::string file = origin + "/" + path;
  auto file_error = [&](int line, const std::string& message) {
    suite.errors.push_back(TestCaseError{file, line, "", message});
  };
  cedar::Result<YAML::Node> doc = yaml::parse(text, file);
  if (!doc.ok()) {
    file_error(0, doc.message());
    return;
  }
  MapReader top(*doc, file, "");
  top.allow_only({"time", "cases"});
  std::optional<UnixMillis> default_time = top.optional_time("time");
  if (top.ok() && (!top.has("cases") || !(*doc)["cases"].IsSequence())) {
    top.fail("must be a list of test cases", "cases");
  }
  if (!top.ok()) {
    file_error(0, top.error());
    return;
  }
  std::size_t index = 0;
  for (const YAML::Node& element : (*doc)["cases"]) {
    MapReader r(element, file, "cases[" + std::to_string(index++) + "]");
    TestCase c = read_case(r, file, default_time);
    if (r.ok()) {
      suite.cases.push_back(std::move(c));
    } else {
      suite.errors.push_back(TestCaseError{file, element.Mark().line + 1, c.name, r.error()});
    }
  }
}

}  // namespace

TestSuite read_test_cases(const std::map<std::string, std::string>& test_files,
                          const std::string& origin) {
  TestSuite suite;
  for (const auto& [path, text] : test_files)
    read_file(path, text, origin, suite);
  return suite;
}

}  // namespace crossgate::check
