#include "server/service/proto_mapping.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>

#include "policy/decision/guardrails.h"
#include "server/service/request_limits.h"

namespace crossgate::server {
namespace {

namespace v1 = crossgate::v1;

// Bounds on what only this API's requests carry (those every front end shares are in
// request_limits.h), so that a hostile request cannot make the daemon do unbounded work
// before it is refused.
constexpr int kMaxCallChain = 64;
constexpr int kMaxContextAttributes = 64;
// A context attribute is a JSON value: at most this many lists or structs deep, and the
// whole context at most this large as JSON (gRPC alone would allow 4 MiB per request).
constexpr int kMaxContextDepth = 8;
constexpr std::size_t kMaxContextBytes = 64 * 1024;

// Whether `value` holds lists or structs nested more than `levels` deep.
bool nests_deeper(const google::protobuf::Value& value, int levels) {
  if (value.has_list_value() || value.has_struct_value()) {
    if (levels == 0) return true;
    if (value.has_list_value()) {
      for (const google::protobuf::Value& element : value.list_value().values())
        if (nests_deeper(element, levels - 1)) return true;
    } else {
      for (const auto& [key, field] : value.struct_value().fields())
        if (nests_deeper(field, levels - 1)) return true;
    }
  }
  return false;
}

// Within protobuf's range for a Timestamp (years 1 to 9999): converting one outside it to
// milliseconds would overflow.
bool valid_timestamp(const google::protobuf::Timestamp& t) {
  using google::protobuf::util::TimeUtil;
  return t.seconds() >= TimeUtil::kTimestampMinSeconds &&
         t.seconds() <= TimeUtil::kTimestampMaxSeconds && t.nanos() >= 0 && t.nanos() <= 999999999;
}

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
  for (const v1::CallHop& hop : r.call_chain()) {
    if (hop.workload().size() > kMaxFieldBytes || hop.kind().size() > kMaxFieldBytes) {
      return cedar::Error{"call_chain: a hop is longer than " + std::to_string(kMaxFieldBytes) +
                          " bytes"};
    }
    f.call_chain.push_back({hop.workload(), hop.kind()});
  }
  if (r.context_size() > kMaxContextAttributes) {
    return cedar::Error{"context: more than " + std::to_string(kMaxContextAttributes) +
                        " attributes"};
  }
  f.extra = nlohmann::json::object();
  std::size_t context_bytes = 0;
  for (const auto& [key, value] : r.context()) {
    if (nests_deeper(value, kMaxContextDepth)) {
      return cedar::Error{"context." + key + ": nests more than " +
                          std::to_string(kMaxContextDepth) + " lists or structs deep"};
    }
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) {
      return cedar::Error{"context." + key + ": not a JSON value"};
    }
    context_bytes += key.size() + json.size();
    if (context_bytes > kMaxContextBytes) {
      return cedar::Error{"context: larger than " + std::to_string(kMaxContextBytes) +
                          " bytes as JSON"};
    }
    nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
    if (parsed.is_discarded()) return cedar::Error{"context." + key + ": not a JSON value"};
    // protobuf Values carry numbers as doubles: whole numbers become integers again, when
    // they are within Cedar's Long range (converting one outside it is undefined).
    if (parsed.is_number_float()) {
      double d = parsed.get<double>();
      if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d)) parsed = static_cast<std::int64_t>(d);
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
      if (static_cast<std::size_t>(s.tags_size()) > kMaxSessionTags) {
        return cedar::Error{"identity.aws_session.tags: more than " +
                            std::to_string(kMaxSessionTags) + " tags"};
      }
      bool too_long = s.role_arn().size() > kMaxFieldBytes ||
                      s.source_identity().size() > kMaxFieldBytes ||
                      s.session_name().size() > kMaxFieldBytes;
      for (const auto& [k, v] : s.tags())
        too_long = too_long || k.size() > kMaxFieldBytes || v.size() > kMaxFieldBytes;
      if (too_long) {
        return cedar::Error{"identity.aws_session: a field or tag is longer than " +
                            std::to_string(kMaxFieldBytes) + " bytes"};
      }
      for (const auto& [k, v] : s.tags())
        out.aws_session.tags[k] = v;
      if ((s.has_issued_at() && !valid_timestamp(s.issued_at())) ||
          (s.has_expires_at() && !valid_timestamp(s.expires_at()))) {
        return cedar::Error{
            "identity.aws_session: issued_at or expires_at is not a valid timestamp (years 1 to "
            "9999)"};
      }
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

void deny_for_log_unavailable(v1::AuthorizeResponse& answer) {
  answer.set_decision(v1::DENY);
  answer.clear_obligations();
  answer.add_reason_codes(std::string(decision::kLogUnavailable));
}

}  // namespace crossgate::server
