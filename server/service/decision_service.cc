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

// An Authorize call waiting for its record.
class AuthorizeCall final : public DecisionPipeline::UnaryCall<v1::AuthorizeResponse> {
 public:
  AuthorizeCall(DecisionPipeline& pipeline, grpc::ServerUnaryReactor* reactor,
                v1::AuthorizeResponse* response)
      : UnaryCall(pipeline, "Authorize", reactor, response) {}

 private:
  void deny_unrecorded(v1::AuthorizeResponse& response) override {
    deny_for_log_unavailable(response);
  }
};

// An AuthorizeBatch call waiting for the records of the items it decided.
class BatchCall final : public DecisionPipeline::UnaryCall<v1::AuthorizeBatchResponse> {
 public:
  BatchCall(DecisionPipeline& pipeline, grpc::ServerUnaryReactor* reactor,
            v1::AuthorizeBatchResponse* response)
      : UnaryCall(pipeline, "AuthorizeBatch", reactor, response) {}

 private:
  void deny_unrecorded(v1::AuthorizeBatchResponse& response) override {
    for (v1::AuthorizeBatchResult& result : *response.mutable_results()) {
      if (result.has_response()) deny_for_log_unavailable(*result.mutable_response());
    }
  }
};

}  // namespace

DecisionServiceImpl::DecisionServiceImpl(const ServerConfig& config, SnapshotHolder& snapshots,
                                         const decision::IdentityResolver& identity,
                                         DecisionLog& log, ServiceMetrics* metrics)
    : owned_(std::make_unique<DecisionPipeline>(config, snapshots, identity, log, metrics)),
      pipeline_(*owned_) {
  use_arenas();
}

DecisionServiceImpl::DecisionServiceImpl(DecisionPipeline& pipeline) : pipeline_(pipeline) {
  use_arenas();
}

void DecisionServiceImpl::use_arenas() {
  SetMessageAllocatorFor_Authorize(&authorize_messages_);
  SetMessageAllocatorFor_AuthorizeBatch(&batch_messages_);
}

grpc::Status DecisionServiceImpl::decide(
    const v1::AuthorizeRequest& request, const decision::Caller& caller,
    const std::shared_ptr<const decision::DecisionEngine>& engine,
    DecisionPipeline::PendingCall& call, v1::AuthorizeResponse& response) {
  cedar::Result<decision::DecisionRequest> parsed = from_proto(request);
  if (!parsed.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, parsed.message());
  cedar::Result<DecisionPipeline::Outcome> outcome =
      pipeline_.decide(*parsed, caller, engine, call);
  if (!outcome.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, outcome.message());
  // As if the record will be written; the call's finish() turns it into a DENY if not.
  to_proto(outcome->decision, outcome->input, *engine, response);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::Authorize(grpc::CallbackServerContext* context,
                                                         const v1::AuthorizeRequest* request,
                                                         v1::AuthorizeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto call = std::make_unique<AuthorizeCall>(pipeline_, reactor, response);
  decision::Caller caller;
  grpc::Status status =
      pipeline_.admit(context, DecisionPipeline::Need::kAsk, call->admission(), caller);
  std::shared_ptr<const decision::DecisionEngine> engine;
  if (status.ok()) status = pipeline_.active_engine(engine);
  if (status.ok()) status = decide(*request, caller, engine, *call, *response);
  if (status.ok()) {
    pipeline_.record(std::move(call));  // answers once the record is written
  } else {
    call->finish_now(status);
  }
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::AuthorizeBatch(
    grpc::CallbackServerContext* context, const v1::AuthorizeBatchRequest* request,
    v1::AuthorizeBatchResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto call = std::make_unique<BatchCall>(pipeline_, reactor, response);
  decision::Caller caller;
  grpc::Status status =
      pipeline_.admit(context, DecisionPipeline::Need::kAsk, call->admission(), caller);
  if (status.ok() && request->requests_size() > pipeline_.config().max_batch_size) {
    if (ServiceMetrics* metrics = pipeline_.metrics()) metrics->refused("batch_too_large");
    status = grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        "a batch may hold at most " + std::to_string(pipeline_.config().max_batch_size) +
            " requests, this one has " + std::to_string(request->requests_size()));
  }
  std::shared_ptr<const decision::DecisionEngine> engine;
  if (status.ok()) status = pipeline_.active_engine(engine);  // one version for the whole batch
  if (!status.ok()) {
    call->finish_now(status);
    return reactor;
  }
  if (ServiceMetrics* metrics = pipeline_.metrics()) {
    metrics->batch(static_cast<std::size_t>(request->requests_size()));
  }
  call->expect(static_cast<std::size_t>(request->requests_size()));
  for (const v1::AuthorizeRequest& item : request->requests()) {
    if (context->deadline() <= std::chrono::system_clock::now() || context->IsCancelled()) {
      // Stop deciding once nobody waits for the answers: the items decided so far keep
      // their records, the rest are never evaluated.
      response->Clear();
      if (ServiceMetrics* metrics = pipeline_.metrics()) metrics->refused("deadline");
      call->status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                  "the deadline passed while the batch was being decided");
      break;
    }
    v1::AuthorizeBatchResult* result = response->add_results();
    grpc::Status item_status = decide(item, caller, engine, *call, *result->mutable_response());
    if (!item_status.ok()) {
      result->mutable_error()->set_code(static_cast<int>(item_status.error_code()));
      result->mutable_error()->set_message(item_status.error_message());
    }
  }
  pipeline_.record(std::move(call));  // answers once every record is written
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                         const v1::GetStatusRequest*,
                                                         v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DecisionPipeline::Admission admission = pipeline_.enter();
  decision::Caller caller;
  grpc::Status status =
      pipeline_.admit(context, DecisionPipeline::Need::kReadStatus, admission, caller);
  if (status.ok()) {
    using google::protobuf::util::TimeUtil;
    const UnixMillis now = now_millis();
    auto version = [now](const decision::VersionInfo& v, UnixMillis confirmed,
                         v1::LoadedVersion* out) {
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
    std::shared_ptr<const decision::DecisionEngine> engine = pipeline_.snapshots().current();
    if (engine) {
      version(engine->bundle_version(), pipeline_.snapshots().bundle_confirmed_at(),
              response->mutable_policy_bundle());
      version(engine->registry_version(), pipeline_.snapshots().registry_confirmed_at(),
              response->mutable_owner_registry());
    }
    auto [error, at] = pipeline_.snapshots().last_load_error();
    response->set_last_load_error(error);
    if (!error.empty())
      *response->mutable_last_load_error_at() = TimeUtil::MillisecondsToTimestamp(at);
    response->set_serving(engine != nullptr);
    response->set_version(CROSSGATE_VERSION);
  }
  reactor->Finish(pipeline_.finish("GetStatus", status));
  return reactor;
}

}  // namespace crossgate::server
