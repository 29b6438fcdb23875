#include "policy/decision/decision_record.h"

#include <algorithm>

#include "policy/decision/json_writer.h"
#include "policy/identity/openssl_util.h"

namespace crossgate::decision {
namespace {

// Principal fields are written only when they are known.
void optional_field(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.field(key, value);
}

void optional_time(JsonWriter& w, std::string_view key, const std::optional<UnixMillis>& at) {
  if (at) w.field_time(key, *at);
}

void string_map(JsonWriter& w, std::string_view key,
                const std::map<std::string, std::string>& values) {
  w.key(key).begin_object();
  for (const auto& [name, value] : values)
    w.field(name, value);
  w.end_object();
}

void owner(JsonWriter& w, std::string_view key, const OwnerRef& o) {
  w.key(key).begin_object().field("id", o.id);
  optional_field(w, "name", o.name);
  optional_field(w, "contact", o.contact);
  w.end_object();
}

void policies(JsonWriter& w, std::string_view key, const std::vector<PolicyRef>& refs) {
  w.key(key).begin_array();
  for (const PolicyRef& p : refs) {
    w.begin_object().field("id", p.id).field("name", p.name);
    optional_field(w, "error", p.error);
    w.end_object();
  }
  w.end_array();
}

void version(JsonWriter& w, std::string_view key, const VersionInfo& v) {
  w.key(key).begin_object().field("name", v.name).field("revision", v.revision);
  w.field("digest", v.digest).end_object();
}

void principal(JsonWriter& w, const VerifiedIdentity& id) {
  w.key("principal").begin_object();
  w.field("evidence", evidence_name(id.type)).field_bool("verified", id.verified);
  optional_field(w, "failure", id.failure);
  optional_field(w, "lifetime_failure", id.lifetime_failure);
  optional_field(w, "spiffe_id", id.spiffe_id);
  optional_field(w, "issuer", id.issuer);
  optional_field(w, "subject", id.subject);
  optional_field(w, "repository_id", id.repository_id);
  optional_field(w, "environment", id.environment);
  optional_field(w, "workflow", id.workflow);
  optional_field(w, "role_arn", id.role_arn);
  optional_field(w, "source_identity", id.source_identity);
  optional_field(w, "session_name", id.session_name);
  if (!id.session_tags.empty()) string_map(w, "session_tags", id.session_tags);
  optional_time(w, "issued_at", id.issued_at);
  optional_time(w, "not_before", id.not_before);
  optional_time(w, "expires_at", id.expires_at);
  optional_field(w, "token_sha256", id.token_sha256);
  w.end_object();
}

template <typename Json>
std::string dump_json(const Json& value) {
  // Replacement of invalid UTF-8 keeps a hostile request field from making the line
  // unwritable (and the decision unanswerable).
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void context(JsonWriter& w, const nlohmann::json& extra, const std::vector<std::string>& masked) {
  w.key("context");
  if (!extra.is_object()) {
    w.raw(dump_json(extra));
    return;
  }
  w.begin_object();
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    w.key(it.key());
    std::string value = dump_json(it.value());
    if (std::find(masked.begin(), masked.end(), it.key()) != masked.end()) {
      w.string("masked:sha256:" + record_hash(value));
    } else {
      w.raw(value);
    }
  }
  w.end_object();
}

void request(JsonWriter& w, const RequestFacts& f, const Decision& d,
             const std::vector<std::string>& masked) {
  w.key("request").begin_object();
  w.field("api", f.action).field("action", d.iam_action).field("resource", f.resource);
  w.field("resource_arn", d.resource_arn).field("resource_kind", d.resource_kind);
  w.field("source_account", f.source_account).field("source_region", f.source_region);
  w.field("target_account", d.target_account).field("target_region", d.target_region);
  w.strings("processing_regions", d.processing_regions);
  w.field("data_classification", f.data_classification);
  w.field("emergency_grant_id", f.emergency_grant_id);
  w.key("call_chain").begin_array();
  for (const CallHop& hop : f.call_chain)
    w.begin_object().field("workload", hop.workload).field("kind", hop.kind).end_object();
  w.end_array();
  context(w, f.extra, masked);
  w.end_object();
}

}  // namespace

std::string record_json(const DecisionInput& input, const Decision& d, const VersionInfo& bundle,
                        const VersionInfo& registry, std::int64_t latency_us,
                        const std::vector<std::string>& masked_context_keys) {
  std::string out;
  out.reserve(2048);
  append_record_json(out, input, d, bundle, registry, latency_us, masked_context_keys);
  return out;
}

void append_record_json(std::string& out, const DecisionInput& input, const Decision& d,
                        const VersionInfo& bundle, const VersionInfo& registry,
                        std::int64_t latency_us,
                        const std::vector<std::string>& masked_context_keys) {
  JsonWriter w(out);
  w.begin_object();
  w.field_time("time", input.time).field("decision_id", d.decision_id);
  w.field("request_id", input.facts.request_id).field("decision", d.allow ? "ALLOW" : "DENY");
  w.strings("reasons", d.reasons).strings("notes", d.notes);
  policies(w, "determining_policies", d.determining);
  policies(w, "erroring_policies", d.erroring);
  w.key("owners").begin_object();
  owner(w, "identity", d.identity_owner);
  owner(w, "platform", d.platform_owner);
  owner(w, "policy", d.policy_owner);
  w.end_object();
  w.field("workload", d.workload_id);
  principal(w, input.identity);
  w.key("gateway").begin_object().field("spiffe_id", input.caller.spiffe_id);
  w.field_bool("trusted_asserter", input.caller.trusted_asserter).end_object();
  request(w, input.facts, d, masked_context_keys);
  version(w, "bundle", bundle);
  version(w, "registry", registry);
  w.key("emergency_grant");
  if (d.grant) {
    const registry::EmergencyGrant& g = *d.grant;
    w.begin_object().field("id", g.id).field("incident_id", g.incident_id);
    w.field("incident_owner", g.incident_owner).field("requested_by", g.requested_by);
    w.field("approved_by", g.approved_by).end_object();
  } else {
    w.null();
  }
  w.key("obligations");
  if (d.obligations) {
    const Obligations& o = *d.obligations;
    w.begin_object().field("role_arn", o.role_arn).field("role_session_name", o.role_session_name);
    w.field("source_identity", o.source_identity);
    string_map(w, "session_tags", o.session_tags);
    w.field("duration_seconds", std::int64_t{o.duration_seconds}).end_object();
  } else {
    w.null();
  }
  w.field("latency_us", latency_us);
  w.end_object();
}

nlohmann::ordered_json make_record(const DecisionInput& input, const Decision& d,
                                   const VersionInfo& bundle, const VersionInfo& registry,
                                   std::int64_t latency_us,
                                   const std::vector<std::string>& masked_context_keys) {
  return nlohmann::ordered_json::parse(
      record_json(input, d, bundle, registry, latency_us, masked_context_keys));
}

std::string chain_record(std::string_view record, std::uint64_t seq,
                         std::string_view previous_hash) {
  std::string line;
  line.reserve(record.size() + 100);
  append_chained_record(line, record, seq, previous_hash);
  return line;
}

void append_chained_record(std::string& line, std::string_view record, std::uint64_t seq,
                           std::string_view previous_hash) {
  line += "{\"seq\":";
  line += std::to_string(seq);
  // The record's members, without its braces.
  if (record.size() > 2) {
    line += ',';
    line.append(record.data() + 1, record.size() - 2);
  }
  line += ",\"prev\":\"";
  line += previous_hash;
  line += "\"}";
}

std::string record_hash(std::string_view line) {
  identity::ossl::Sha256 digest = identity::ossl::sha256(line);
  return identity::ossl::hex(digest.data(), digest.size());
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
