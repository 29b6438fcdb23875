#include "server/service/decision_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>

#include "policy/decision/decision_record.h"
#include "policy/decision/guardrails.h"
#include "server/service/proto_mapping.h"

namespace crossgate::server {

namespace v1 = crossgate::v1;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

DecisionServiceImpl::DecisionServiceImpl(const ServerConfig& config, SnapshotHolder& snapshots,
                                         const decision::IdentityResolver& identity,
                                         DecisionLog& log, ServiceMetrics* metrics)
    : config_(config), snapshots_(snapshots), identity_(identity), log_(log), metrics_(metrics) {}

grpc::Status DecisionServiceImpl::finish(std::string_view method, grpc::Status status) {
  if (metrics_ != nullptr) metrics_->grpc_call(method, static_cast<int>(status.error_code()));
  return status;
}

std::string DecisionServiceImpl::staleness(UnixMillis now) const {
  if (config_.max_staleness_seconds <= 0) return {};
  const std::int64_t max_ms = config_.max_staleness_seconds * 1000;
  auto check = [&](const char* what, UnixMillis confirmed) -> std::string {
    if (now - confirmed <= max_ms) return {};
    return std::string(what) + " was last confirmed current " + std::to_string((now - confirmed) / 1000) +
           " s ago, more than the allowed " + std::to_string(config_.max_staleness_seconds) + " s";
  };
  std::string bundle = check("the policy bundle", snapshots_.bundle_confirmed_at());
  if (!bundle.empty()) return bundle;
  return check("the owner registry", snapshots_.registry_confirmed_at());
}

grpc::Status DecisionServiceImpl::authenticate(grpc::CallbackServerContext* context, Need need,
                                               decision::Caller& caller) const {
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth) {
    for (const grpc::string_ref& value : auth->FindPropertyValues("peer_spiffe_id")) {
      caller.spiffe_id.assign(value.data(), value.size());
    }
  }
  if (config_.plaintext) {
    // Development on loopback: anyone local may ask, nobody may assert an AWS session.
    return grpc::Status::OK;
  }
  if (caller.spiffe_id.empty()) {
    if (metrics_ != nullptr) metrics_->refused("unauthenticated");
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "a client certificate with a SPIFFE ID is required");
  }
  const CallerConfig* allowed = config_.find_caller(caller.spiffe_id);
  if (allowed == nullptr) {
    if (metrics_ != nullptr) metrics_->refused("not_allowed");
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "caller " + caller.spiffe_id + " is not on the allowlist");
  }
  if ((need == Need::kAsk && !allowed->may_ask) ||
      (need == Need::kReadStatus && !allowed->may_read_status)) {
    if (metrics_ != nullptr) metrics_->refused("missing_role");
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "caller " + caller.spiffe_id + " does not have the role this call needs");
  }
  caller.trusted_asserter = allowed->may_assert_aws_session;
  return grpc::Status::OK;
}

grpc::Status DecisionServiceImpl::admit(grpc::CallbackServerContext* context, Need need,
                                        const Admission& admission, decision::Caller& caller) const {
  if (!admission) {
    if (metrics_ != nullptr) metrics_->refused("overloaded");
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "more than " + std::to_string(config_.max_concurrent_calls) +
                            " calls at once; retry with backoff");
  }
  if (context->deadline() <= std::chrono::system_clock::now()) {
    // The caller has stopped waiting: deciding now would only write a record nobody reads.
    if (metrics_ != nullptr) metrics_->refused("deadline");
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the deadline passed before the call started");
  }
  return authenticate(context, need, caller);
}

grpc::Status DecisionServiceImpl::decide(
    const v1::AuthorizeRequest& request, const decision::Caller& caller,
    const std::shared_ptr<const decision::DecisionEngine>& engine,
    v1::AuthorizeResponse& response) {
  auto start = std::chrono::steady_clock::now();
  cedar::Result<decision::DecisionRequest> parsed = from_proto(request);
  if (!parsed.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, parsed.message());
  decision::DecisionInput input = identity_.verify(*parsed, caller, now_millis());
  if (metrics_ != nullptr && input.identity.type != decision::EvidenceType::kNone) {
    metrics_->identity(decision::evidence_name(input.identity.type),
                       !input.identity.verified            ? "unverified"
                       : input.identity.lifetime_failure.empty() ? "verified"
                                                                  : "expired");
  }
  // One Authorizer per thread: it keeps its scratch memory between decisions.
  thread_local cedar::Authorizer authorizer;
  cedar::Result<decision::Decision> decided = engine->decide(input, authorizer);
  if (!decided.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, decided.message());
  decision::Decision& d = *decided;
  if (std::string stale = staleness(input.time); !stale.empty()) {
    // Old policy is not served: deny, and say why.
    d.allow = false;
    d.obligations.reset();
    d.reasons.emplace_back(decision::kStalePolicy);
    d.notes.push_back(std::string(decision::kStalePolicy) + ": " + stale);
  }
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  std::string error;
  if (!log_.append(decision::record_json(input, d, engine->bundle_version(),
                                         engine->registry_version(), latency,
                                         config_.log_mask_context_keys),
                   error)) {
    // Fail closed: an answer that cannot be recorded is not given.
    log_unavailable_response(d, input, response);
    if (metrics_ != nullptr) {
      metrics_->log_unavailable();
      std::vector<std::string> reasons = d.reasons;
      reasons.emplace_back(decision::kLogUnavailable);
      metrics_->decision(false, reasons, d.emergency, seconds_since(start));
    }
    return grpc::Status::OK;
  }
  to_proto(d, input, *engine, response);
  if (metrics_ != nullptr) metrics_->decision(d.allow, d.reasons, d.emergency, seconds_since(start));
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::Authorize(grpc::CallbackServerContext* context,
                                                         const v1::AuthorizeRequest* request,
                                                         v1::AuthorizeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Admission admission(in_flight_, config_.max_concurrent_calls);
  decision::Caller caller;
  grpc::Status status = admit(context, Need::kAsk, admission, caller);
  if (status.ok()) {
    std::shared_ptr<const decision::DecisionEngine> engine = snapshots_.current();
    if (!engine) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "no policy bundle and owner registry are active");
    } else {
      status = decide(*request, caller, engine, *response);
    }
  }
  reactor->Finish(finish("Authorize", status));
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::AuthorizeBatch(
    grpc::CallbackServerContext* context, const v1::AuthorizeBatchRequest* request,
    v1::AuthorizeBatchResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Admission admission(in_flight_, config_.max_concurrent_calls);
  decision::Caller caller;
  grpc::Status status = admit(context, Need::kAsk, admission, caller);
  if (status.ok() && request->requests_size() > config_.max_batch_size) {
    if (metrics_ != nullptr) metrics_->refused("batch_too_large");
    status =
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "a batch may hold at most " + std::to_string(config_.max_batch_size) +
                         " requests, this one has " + std::to_string(request->requests_size()));
  }
  std::shared_ptr<const decision::DecisionEngine> engine;
  if (status.ok()) {
    // The whole batch is decided against one version.
    engine = snapshots_.current();
    if (!engine) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "no policy bundle and owner registry are active");
    }
  }
  if (status.ok()) {
    if (metrics_ != nullptr) metrics_->batch(static_cast<std::size_t>(request->requests_size()));
    for (const v1::AuthorizeRequest& item : request->requests()) {
      if (context->deadline() <= std::chrono::system_clock::now()) {
        // Stop deciding once nobody waits for the answers.
        response->Clear();
        status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                              "the deadline passed while the batch was being decided");
        break;
      }
      v1::AuthorizeBatchResult* result = response->add_results();
      grpc::Status item_status = decide(item, caller, engine, *result->mutable_response());
      if (!item_status.ok()) {
        result->mutable_error()->set_code(static_cast<int>(item_status.error_code()));
        result->mutable_error()->set_message(item_status.error_message());
      }
    }
  }
  reactor->Finish(finish("AuthorizeBatch", status));
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                         const v1::GetStatusRequest*,
                                                         v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Admission admission(in_flight_, config_.max_concurrent_calls);
  decision::Caller caller;
  grpc::Status status = admit(context, Need::kReadStatus, admission, caller);
  if (status.ok()) {
    using google::protobuf::util::TimeUtil;
    const UnixMillis now = now_millis();
    auto version = [now](const decision::VersionInfo& v, UnixMillis confirmed, v1::LoadedVersion* out) {
      out->set_name(v.name);
      out->set_revision(v.revision);
      out->set_digest(v.digest);
      *out->mutable_loaded_at() = TimeUtil::MillisecondsToTimestamp(v.loaded_at);
      for (const std::string& id : v.signer_key_ids)
        out->add_signer_key_ids(id);
      if (confirmed != 0) {
        *out->mutable_confirmed_at() = TimeUtil::MillisecondsToTimestamp(confirmed);
        out->set_age_seconds(std::max<std::int64_t>(0, (now - confirmed) / 1000));
      }
    };
    std::shared_ptr<const decision::DecisionEngine> engine = snapshots_.current();
    if (engine) {
      version(engine->bundle_version(), snapshots_.bundle_confirmed_at(), response->mutable_policy_bundle());
      version(engine->registry_version(), snapshots_.registry_confirmed_at(),
              response->mutable_owner_registry());
    }
    auto [error, at] = snapshots_.last_load_error();
    response->set_last_load_error(error);
    if (!error.empty())
      *response->mutable_last_load_error_at() = TimeUtil::MillisecondsToTimestamp(at);
    response->set_serving(engine != nullptr);
    response->set_version(CROSSGATE_VERSION);
  }
  reactor->Finish(finish("GetStatus", status));
  return reactor;
}

}  // namespace crossgate::server
