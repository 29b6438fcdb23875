#include "server/service/proto_mapping.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "policy/decision/guardrails.h"

namespace crossgate::server {
namespace {

namespace v1 = crossgate::v1;

// Bounds on what one request may carry, so that a hostile request cannot make the daemon
// do unbounded work before it is refused.
constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr std::size_t kMaxFieldBytes = 2048;
constexpr int kMaxCallChain = 64;
constexpr int kMaxContextAttributes = 64;

std::optional<UnixMillis> millis(const google::protobuf::Timestamp& t, bool present) {
  if (!present) return std::nullopt;
  return google::protobuf::util::TimeUtil::TimestampToMilliseconds(t);
}

}  // namespace

cedar::Result<decision::DecisionRequest> from_proto(const v1::AuthorizeRequest& r) {
  decision::DecisionRequest out;
  decision::RequestFacts& f = out.facts;
  for (const std::string* field : {&r.request_id(), &r.action(), &r.resource(), &r.source_account(),
                                   &r.source_region(), &r.target_account(), &r.target_region(),
                                   &r.data_classification(), &r.emergency_grant_id()}) {
    if (field->size() > kMaxFieldBytes) {
      return cedar::Error{"a request field is longer than " + std::to_string(kMaxFieldBytes) +
                          " bytes"};
    }
  }
  f.request_id = r.request_id();
  f.action = r.action();
  f.resource = r.resource();
  f.source_account = r.source_account();
  f.source_region = r.source_region();
  f.target_account = r.target_account();
  f.target_region = r.target_region();
  f.data_classification = r.data_classification();
  f.emergency_grant_id = r.emergency_grant_id();
  if (r.call_chain_size() > kMaxCallChain) {
    return cedar::Error{"call_chain: more than " + std::to_string(kMaxCallChain) + " hops"};
  }
  for (const v1::CallHop& hop : r.call_chain())
    f.call_chain.push_back({hop.workload(), hop.kind()});
  if (r.context_size() > kMaxContextAttributes) {
    return cedar::Error{"context: more than " + std::to_string(kMaxContextAttributes) +
                        " attributes"};
  }
  f.extra = nlohmann::json::object();
  for (const auto& [key, value] : r.context()) {
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) {
      return cedar::Error{"context." + key + ": not a JSON value"};
    }
    nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
    if (parsed.is_discarded()) return cedar::Error{"context." + key + ": not a JSON value"};
    // protobuf Values carry numbers as doubles: whole numbers become integers again.
    if (parsed.is_number_float()) {
      double d = parsed.get<double>();
      if (d == static_cast<double>(static_cast<std::int64_t>(d)))
        parsed = static_cast<std::int64_t>(d);
    }
    f.extra[key] = std::move(parsed);
  }

  const v1::IdentityEvidence& e = r.identity();
  switch (e.evidence_case()) {
    case v1::IdentityEvidence::EVIDENCE_NOT_SET:
      out.evidence = decision::EvidenceType::kNone;
      break;
    case v1::IdentityEvidence::kJwtSvid:
      out.evidence = decision::EvidenceType::kJwtSvid;
      out.token = e.jwt_svid();
      break;
    case v1::IdentityEvidence::kOidcToken:
      out.evidence = decision::EvidenceType::kOidc;
      out.token = e.oidc_token();
      break;
    case v1::IdentityEvidence::kX509Svid: out.evidence = decision::EvidenceType::kX509Svid; break;
    case v1::IdentityEvidence::kAwsSession: {
      out.evidence = decision::EvidenceType::kAwsSession;
      const v1::AwsSessionEvidence& s = e.aws_session();
      if (s.role_arn().empty()) return cedar::Error{"identity.aws_session.role_arn: required"};
      out.aws_session.role_arn = s.role_arn();
      out.aws_session.source_identity = s.source_identity();
      out.aws_session.session_name = s.session_name();
      for (const auto& [k, v] : s.tags())
        out.aws_session.tags[k] = v;
      out.aws_session.issued_at = millis(s.issued_at(), s.has_issued_at());
      out.aws_session.expires_at = millis(s.expires_at(), s.has_expires_at());
      break;
    }
  }
  if ((out.evidence == decision::EvidenceType::kJwtSvid ||
       out.evidence == decision::EvidenceType::kOidc) &&
      (out.token.empty() || out.token.size() > kMaxTokenBytes)) {
    return cedar::Error{"identity: the token is empty or longer than " +
                        std::to_string(kMaxTokenBytes) + " bytes"};
  }
  return out;
}

namespace {

void owner(const decision::OwnerRef& from, v1::Owner* to) {
  to->set_id(from.id);
  to->set_name(from.name);
  to->set_contact(from.contact);
}

void common_fields(const decision::Decision& d, const decision::DecisionInput& input,
                   v1::AuthorizeResponse& out) {
  out.set_decision_id(d.decision_id);
  out.set_request_id(input.facts.request_id);
  for (const decision::PolicyRef& p : d.determining) {
    v1::PolicyRef* ref = out.add_determining_policies();
    ref->set_id(p.id);
    ref->set_name(p.name);
  }
  for (const decision::PolicyRef& p : d.erroring) {
    v1::PolicyRef* ref = out.add_erroring_policies();
    ref->set_id(p.id);
    ref->set_name(p.name);
    ref->set_error(p.error);
  }
  owner(d.identity_owner, out.mutable_owners()->mutable_identity());
  owner(d.platform_owner, out.mutable_owners()->mutable_platform());
  owner(d.policy_owner, out.mutable_owners()->mutable_policy());
  out.set_workload_id(d.workload_id);
  out.set_emergency(d.emergency);
}

}  // namespace

void to_proto(const decision::Decision& d, const decision::DecisionInput& input,
              const decision::DecisionEngine& engine, v1::AuthorizeResponse& out) {
  out.set_decision(d.allow ? v1::ALLOW : v1::DENY);
  common_fields(d, input, out);
  for (const std::string& reason : d.reasons)
    out.add_reason_codes(reason);
  out.set_bundle_revision(engine.bundle_version().revision);
  out.set_registry_revision(engine.registry_version().revision);
  if (d.allow && d.obligations) {
    const decision::Obligations& o = *d.obligations;
    v1::Obligations* ob = out.mutable_obligations();
    ob->set_role_arn(o.role_arn);
    ob->set_role_session_name(o.role_session_name);
    ob->set_source_identity(o.source_identity);
    for (const auto& [k, v] : o.session_tags)
      (*ob->mutable_session_tags())[k] = v;
    ob->set_duration_seconds(o.duration_seconds);
  }
}

void log_unavailable_response(const decision::Decision& d, const decision::DecisionInput& input,
                              v1::AuthorizeResponse& out) {
  out.Clear();
  out.set_decision(v1::DENY);
  common_fields(d, input, out);
  for (const std::string& reason : d.reasons)
    out.add_reason_codes(reason);
  out.add_reason_codes(std::string(decision::kLogUnavailable));
}

}  // namespace crossgate::server
