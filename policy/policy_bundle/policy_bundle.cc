#include "policy/policy_bundle/policy_bundle.h"

#include "policy/cedar/parser/policy_parser.h"
#include "policy/cedar/validator/validator.h"
#include "policy/common/yaml_reader.h"
#include "policy/model/builtin_schema.h"

namespace crossgate::policy_bundle {
namespace {

cedar::Status read_manifest(const bundle::BundleFiles& files, PolicyBundleManifest& m) {
  std::string source = files.origin + "/manifest.yaml";
  const std::string* text = files.find("manifest.yaml");
  if (text == nullptr) return cedar::Error{source + ": missing (a policy bundle needs a manifest)"};
  cedar::Result<YAML::Node> doc = yaml::parse(*text, source);
  if (!doc.ok()) return doc.error();
  yaml::MapReader r(*doc, source, "");
  r.allow_only({"kind", "name", "revision", "policy_owner", "guardrails", "signatures_required"});
  std::string kind = r.optional_string("kind", "policy-bundle");
  if (r.ok() && kind != "policy-bundle")
    r.fail("this is a `" + kind + "`, not a policy bundle", "kind");
  m.name = r.required_string("name");
  m.revision = r.required_int("revision");
  if (r.ok() && m.revision < 0) r.fail("must not be negative", "revision");
  r.child("policy_owner", false, [&](yaml::MapReader& o) {
    o.allow_only({"id", "name", "contact"});
    m.policy_owner.id = o.required_string("id");
    m.policy_owner.name = o.optional_string("name");
    m.policy_owner.contact = o.optional_string("contact");
  });
  r.child("guardrails", false, [&](yaml::MapReader& g) {
    g.allow_only({"max_credential_lifetime_seconds", "max_session_duration_seconds",
                  "max_call_chain_depth", "max_emergency_window_seconds"});
    GuardrailSettings& s = m.guardrails;
    auto positive = [&](const char* key, std::int64_t& value, std::int64_t max) {
      value = g.optional_int(key, value);
      if (g.ok() && (value < 1 || value > max)) {
        g.fail("must be between 1 and " + std::to_string(max), key);
      }
    };
    positive("max_credential_lifetime_seconds", s.max_credential_lifetime_seconds, 7 * 86400);
    // STS allows sessions of 900 s to 12 h.
    positive("max_session_duration_seconds", s.max_session_duration_seconds, 43200);
    if (g.ok() && s.max_session_duration_seconds < 900) {
      g.fail("must be at least 900 (the shortest STS session)", "max_session_duration_seconds");
    }
    positive("max_call_chain_depth", s.max_call_chain_depth, 64);
    positive("max_emergency_window_seconds", s.max_emergency_window_seconds, 7 * 86400);
  });
  m.signatures_required = static_cast<int>(r.optional_int("signatures_required", 1));
  if (r.ok() && m.signatures_required < 1) r.fail("must be at least 1", "signatures_required");
  if (!r.ok()) return cedar::Error{r.error()};
  return cedar::Ok{};
}

}  // namespace

cedar::Result<std::shared_ptr<const PolicyBundle>> load_policy_bundle(
    const bundle::BundleFiles& files, PolicyValidation validation) {
  auto bundle = std::make_shared<PolicyBundle>();
  if (cedar::Status s = read_manifest(files, bundle->manifest); !s.ok()) return s.error();

  std::optional<std::string_view> schema_text;
  if (const std::string* text = files.find("schema.cedarschema")) schema_text = *text;
  cedar::Result<cedar::Schema> schema =
      model::build_schema(schema_text, files.origin + "/schema.cedarschema");
  if (!schema.ok()) return schema.error();
  bundle->schema = std::move(schema.value());

  std::size_t policy_files = 0;
  std::vector<cedar::ast::Policy> policies;
  for (const auto& [path, text] : files.files) {
    if (path.starts_with("tests/") && path.ends_with(".yaml")) {
      bundle->test_files.emplace(path, text);
      continue;
    }
    if (!path.starts_with("policies/") || !path.ends_with(".cedar")) continue;
    ++policy_files;
    cedar::parser::ParseOptions options;
    options.source_name = files.origin + "/" + path;
    options.id_prefix = path.substr(std::string_view("policies/").size()) + ":policy";
    cedar::Result<std::vector<cedar::ast::Policy>> parsed =
        cedar::parser::parse_policies(text, options);
    if (!parsed.ok()) return parsed.error();
    for (cedar::ast::Policy& policy : parsed.value())
      policies.push_back(std::move(policy));
  }
  if (policy_files == 0) {
    return cedar::Error{files.origin + ": no policies (a bundle needs policies/*.cedar)"};
  }
  if (validation == PolicyValidation::kRefuseInvalid) {
    cedar::validator::ValidationResult checked =
        cedar::validator::Validator(bundle->schema).validate(policies);
    if (!checked.errors.empty()) {
      std::string more = checked.errors.size() == 1
                             ? std::string()
                             : " (and " + std::to_string(checked.errors.size() - 1) +
                                   " more; `crossgate check` lists them all)";
      return cedar::Error{files.origin + ": the policies fail schema validation: " +
                          checked.errors.front().to_string() + more};
    }
  }
  if (cedar::Status s = bundle->policies.add_all(std::move(policies)); !s.ok()) return s.error();
  return std::shared_ptr<const PolicyBundle>(std::move(bundle));
}

}  // namespace crossgate::policy_bundle
