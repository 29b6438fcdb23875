#include "policy/decision/decision_record.h"

#include <openssl/evp.h>

#include <array>

namespace crossgate::decision {
namespace {

using ordered = nlohmann::ordered_json;

void put(ordered& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

void put_time(ordered& object, const char* key, const std::optional<UnixMillis>& at) {
  if (at) object[key] = format_rfc3339(*at);
}

ordered owner_json(const OwnerRef& owner) {
  ordered out = ordered::object();
  out["id"] = owner.id;
  if (!owner.name.empty()) out["name"] = owner.name;
  if (!owner.contact.empty()) out["contact"] = owner.contact;
  return out;
}

ordered policies_json(const std::vector<PolicyRef>& policies) {
  ordered out = ordered::array();
  for (const PolicyRef& p : policies) {
    ordered entry = {{"id", p.id}, {"name", p.name}};
    if (!p.error.empty()) entry["error"] = p.error;
    out.push_back(std::move(entry));
  }
  return out;
}

ordered version_json(const VersionInfo& v) {
  return ordered{{"name", v.name}, {"revision", v.revision}, {"digest", v.digest}};
}

ordered principal_json(const VerifiedIdentity& id) {
  ordered p = ordered::object();
  p["evidence"] = std::string(evidence_name(id.type));
  p["verified"] = id.verified;
  put(p, "failure", id.failure);
  put(p, "lifetime_failure", id.lifetime_failure);
  put(p, "spiffe_id", id.spiffe_id);
  put(p, "issuer", id.issuer);
  put(p, "subject", id.subject);
  put(p, "repository_id", id.repository_id);
  put(p, "environment", id.environment);
  put(p, "workflow", id.workflow);
  put(p, "role_arn", id.role_arn);
  put(p, "source_identity", id.source_identity);
  put(p, "session_name", id.session_name);
  if (!id.session_tags.empty()) p["session_tags"] = id.session_tags;
  put_time(p, "issued_at", id.issued_at);
  put_time(p, "not_before", id.not_before);
  put_time(p, "expires_at", id.expires_at);
  put(p, "token_sha256", id.token_sha256);
  return p;
}

}  // namespace

nlohmann::ordered_json make_record(const DecisionInput& input, const Decision& d,
                                   const VersionInfo& bundle, const VersionInfo& registry,
                                   std::int64_t latency_us) {
  const RequestFacts& f = input.facts;
  ordered r = ordered::object();
  r["time"] = format_rfc3339(input.time);
  r["decision_id"] = d.decision_id;
  r["request_id"] = f.request_id;
  r["decision"] = d.allow ? "ALLOW" : "DENY";
  r["reasons"] = d.reasons;
  r["notes"] = d.notes;
  r["determining_policies"] = policies_json(d.determining);
  r["erroring_policies"] = policies_json(d.erroring);
  r["owners"] = ordered{{"identity", owner_json(d.identity_owner)},
                        {"platform", owner_json(d.platform_owner)},
                        {"policy", owner_json(d.policy_owner)}};
  r["workload"] = d.workload_id;
  r["principal"] = principal_json(input.identity);
  r["gateway"] = ordered{{"spiffe_id", input.caller.spiffe_id},
                         {"trusted_asserter", input.caller.trusted_asserter}};
  ordered chain = ordered::array();
  for (const CallHop& hop : f.call_chain)
    chain.push_back({{"workload", hop.workload}, {"kind", hop.kind}});
  r["request"] = ordered{{"api", f.action},
                         {"action", d.iam_action},
                         {"resource", f.resource},
                         {"resource_arn", d.resource_arn},
                         {"resource_kind", d.resource_kind},
                         {"source_account", f.source_account},
                         {"source_region", f.source_region},
                         {"target_account", d.target_account},
                         {"target_region", d.target_region},
                         {"processing_regions", d.processing_regions},
                         {"data_classification", f.data_classification},
                         {"emergency_grant_id", f.emergency_grant_id},
                         {"call_chain", std::move(chain)},
                         {"context", f.extra}};
  r["bundle"] = version_json(bundle);
  r["registry"] = version_json(registry);
  if (d.grant) {
    r["emergency_grant"] = ordered{{"id", d.grant->id},
                                   {"incident_id", d.grant->incident_id},
                                   {"incident_owner", d.grant->incident_owner},
                                   {"requested_by", d.grant->requested_by},
                                   {"approved_by", d.grant->approved_by}};
  } else {
    r["emergency_grant"] = nullptr;
  }
  if (d.obligations) {
    const Obligations& o = *d.obligations;
    r["obligations"] = ordered{{"role_arn", o.role_arn},
                               {"role_session_name", o.role_session_name},
                               {"source_identity", o.source_identity},
                               {"session_tags", o.session_tags},
                               {"duration_seconds", o.duration_seconds}};
  } else {
    r["obligations"] = nullptr;
  }
  r["latency_us"] = latency_us;
  return r;
}

void mark_denied(nlohmann::ordered_json& record, std::string_view reason, std::string note) {
  record["decision"] = "DENY";
  record["reasons"].push_back(std::string(reason));
  record["notes"].push_back(std::string(reason) + ": " + std::move(note));
  record["obligations"] = nullptr;
}

std::string chain_record(const nlohmann::ordered_json& record, std::uint64_t seq,
                         const std::string& previous_hash) {
  ordered line = ordered::object();
  line["seq"] = seq;
  for (auto it = record.begin(); it != record.end(); ++it)
    line[it.key()] = it.value();
  line["prev"] = previous_hash;
  // Replacement of invalid UTF-8 keeps a hostile request field from making the line
  // unwritable (and the decision unanswerable).
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string record_hash(std::string_view line) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(line.data(), line.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

namespace {

std::string text(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<UnixMillis> time_field(const nlohmann::json& object, const char* key) {
  std::string value = text(object, key);
  if (value.empty()) return std::nullopt;
  return parse_rfc3339(value);
}

}  // namespace

cedar::Result<DecisionInput> input_from_record(const nlohmann::json& record) {
  if (!record.is_object()) return cedar::Error{"a record must be a JSON object"};
  for (const char* field : {"time", "principal", "gateway", "request"}) {
    if (!record.contains(field)) return cedar::Error{std::string("missing \"") + field + "\""};
  }
  DecisionInput in;
  std::optional<UnixMillis> time = parse_rfc3339(text(record, "time"));
  if (!time) return cedar::Error{"\"time\" is not an RFC 3339 time"};
  in.time = *time;

  const nlohmann::json& p = record["principal"];
  const nlohmann::json& g = record["gateway"];
  const nlohmann::json& q = record["request"];
  if (!p.is_object() || !g.is_object() || !q.is_object()) {
    return cedar::Error{"\"principal\", \"gateway\" and \"request\" must be objects"};
  }
  std::optional<EvidenceType> type = evidence_from_name(text(p, "evidence"));
  if (!type) return cedar::Error{"principal.evidence: unknown evidence type"};
  VerifiedIdentity& id = in.identity;
  id.type = *type;
  id.verified = p.value("verified", false);
  id.failure = text(p, "failure");
  id.lifetime_failure = text(p, "lifetime_failure");
  id.spiffe_id = text(p, "spiffe_id");
  id.issuer = text(p, "issuer");
  id.subject = text(p, "subject");
  id.repository_id = text(p, "repository_id");
  id.environment = text(p, "environment");
  id.workflow = text(p, "workflow");
  id.role_arn = text(p, "role_arn");
  id.source_identity = text(p, "source_identity");
  id.session_name = text(p, "session_name");
  if (p.contains("session_tags") && p["session_tags"].is_object()) {
    for (auto it = p["session_tags"].begin(); it != p["session_tags"].end(); ++it) {
      if (it.value().is_string()) id.session_tags[it.key()] = it.value().get<std::string>();
    }
  }
  id.issued_at = time_field(p, "issued_at");
  id.not_before = time_field(p, "not_before");
  id.expires_at = time_field(p, "expires_at");
  id.token_sha256 = text(p, "token_sha256");

  in.caller.spiffe_id = text(g, "spiffe_id");
  in.caller.trusted_asserter = g.value("trusted_asserter", false);

  RequestFacts& f = in.facts;
  f.request_id = text(record, "request_id");
  f.action = text(q, "api");
  f.resource = text(q, "resource");
  f.source_account = text(q, "source_account");
  f.source_region = text(q, "source_region");
  // The normalized target (completed from the ARN) decides the same as the original.
  f.target_account = text(q, "target_account");
  f.target_region = text(q, "target_region");
  f.data_classification = text(q, "data_classification");
  f.emergency_grant_id = text(q, "emergency_grant_id");
  if (q.contains("call_chain") && q["call_chain"].is_array()) {
    for (const nlohmann::json& hop : q["call_chain"]) {
      if (hop.is_object()) f.call_chain.push_back({text(hop, "workload"), text(hop, "kind")});
    }
  }
  f.extra =
      q.contains("context") && q["context"].is_object() ? q["context"] : nlohmann::json::object();
  return in;
}

}  // namespace crossgate::decision
