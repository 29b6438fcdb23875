#include "server/service/decision_service.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>

#include "policy/decision/decision_record.h"
#include "server/service/proto_mapping.h"

namespace crossgate::server {

namespace v1 = crossgate::v1;

DecisionServiceImpl::DecisionServiceImpl(const ServerConfig& config, SnapshotHolder& snapshots,
                                         const decision::IdentityResolver& identity,
                                         DecisionLog& log)
    : config_(config), snapshots_(snapshots), identity_(identity), log_(log) {}

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
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "a client certificate with a SPIFFE ID is required");
  }
  const CallerConfig* allowed = config_.find_caller(caller.spiffe_id);
  if (allowed == nullptr) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "caller " + caller.spiffe_id + " is not on the allowlist");
  }
  if ((need == Need::kAsk && !allowed->may_ask) ||
      (need == Need::kReadStatus && !allowed->may_read_status)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "caller " + caller.spiffe_id + " does not have the role this call needs");
  }
  caller.trusted_asserter = allowed->may_assert_aws_session;
  return grpc::Status::OK;
}

grpc::Status DecisionServiceImpl::decide(
    const v1::AuthorizeRequest& request, const decision::Caller& caller,
    const std::shared_ptr<const decision::DecisionEngine>& engine,
    v1::AuthorizeResponse& response) {
  auto start = std::chrono::steady_clock::now();
  cedar::Result<decision::DecisionRequest> parsed = from_proto(request);
  if (!parsed.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, parsed.message());
  decision::DecisionInput input = identity_.verify(*parsed, caller, now_millis());
  // One Authorizer per thread: it keeps its scratch memory between decisions.
  thread_local cedar::Authorizer authorizer;
  cedar::Result<decision::Decision> decided = engine->decide(input, authorizer);
  if (!decided.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, decided.message());
  const decision::Decision& d = *decided;
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  nlohmann::ordered_json record = decision::make_record(input, d, engine->bundle_version(),
                                                        engine->registry_version(), latency);
  std::string error;
  if (!log_.append(record, error)) {
    // Fail closed: an answer that cannot be recorded is not given.
    log_unavailable_response(d, input, response);
    return grpc::Status::OK;
  }
  to_proto(d, input, *engine, response);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::Authorize(grpc::CallbackServerContext* context,
                                                         const v1::AuthorizeRequest* request,
                                                         v1::AuthorizeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  decision::Caller caller;
  grpc::Status status = authenticate(context, Need::kAsk, caller);
  if (status.ok()) {
    std::shared_ptr<const decision::DecisionEngine> engine = snapshots_.current();
    if (!engine) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "no policy bundle and owner registry are active");
    } else {
      status = decide(*request, caller, engine, *response);
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::AuthorizeBatch(
    grpc::CallbackServerContext* context, const v1::AuthorizeBatchRequest* request,
    v1::AuthorizeBatchResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  decision::Caller caller;
  grpc::Status status = authenticate(context, Need::kAsk, caller);
  if (status.ok() && request->requests_size() > config_.max_batch_size) {
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
    for (const v1::AuthorizeRequest& item : request->requests()) {
      v1::AuthorizeBatchResult* result = response->add_results();
      grpc::Status item_status = decide(item, caller, engine, *result->mutable_response());
      if (!item_status.ok()) {
        result->mutable_error()->set_code(static_cast<int>(item_status.error_code()));
        result->mutable_error()->set_message(item_status.error_message());
      }
    }
  }
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                         const v1::GetStatusRequest*,
                                                         v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  decision::Caller caller;
  grpc::Status status = authenticate(context, Need::kReadStatus, caller);
  if (status.ok()) {
    using google::protobuf::util::TimeUtil;
    auto version = [](const decision::VersionInfo& v, v1::LoadedVersion* out) {
      out->set_name(v.name);
      out->set_revision(v.revision);
      out->set_digest(v.digest);
      *out->mutable_loaded_at() = TimeUtil::MillisecondsToTimestamp(v.loaded_at);
      for (const std::string& id : v.signer_key_ids)
        out->add_signer_key_ids(id);
    };
    std::shared_ptr<const decision::DecisionEngine> engine = snapshots_.current();
    if (engine) {
      version(engine->bundle_version(), response->mutable_policy_bundle());
      version(engine->registry_version(), response->mutable_owner_registry());
    }
    auto [error, at] = snapshots_.last_load_error();
    response->set_last_load_error(error);
    if (!error.empty())
      *response->mutable_last_load_error_at() = TimeUtil::MillisecondsToTimestamp(at);
    response->set_serving(engine != nullptr);
    response->set_version(CROSSGATE_VERSION);
  }
  reactor->Finish(status);
  return reactor;
}

}  // namespace crossgate::server
