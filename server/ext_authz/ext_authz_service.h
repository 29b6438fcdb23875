// envoy.service.auth.v3.Authorization/Check, served on the daemon's gRPC port beside
// crossgate.v1.DecisionService so that Envoy's ext_authz filter can ask crossgate without
// code. The caller (Envoy) is admitted like an Authorize caller (role `ask`); the request
// is mapped (request_mapping.h), decided and recorded by the shared DecisionPipeline, and
// answered (check_response.h). Kept apart from the daemon so that it can be benchmarked.
#pragma once

#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "server/ext_authz/ext_authz_config.h"
#include "server/service/arena_message_allocator.h"
#include "server/service/decision_pipeline.h"

namespace crossgate::server {

class ExtAuthzService final : public envoy::service::auth::v3::Authorization::CallbackService {
 public:
  // Both must outlive the service.
  ExtAuthzService(const ExtAuthzConfig& config, DecisionPipeline& pipeline)
      : config_(config), pipeline_(pipeline) {
    SetMessageAllocatorFor_Check(&messages_);
  }

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const envoy::service::auth::v3::CheckRequest* request,
                                  envoy::service::auth::v3::CheckResponse* response) override;

 private:
  // The answer for an admitted call with an active engine. True when it is a decision whose
  // record `call` now holds; false when the request was refused before deciding.
  bool answer(const envoy::service::auth::v3::CheckRequest& request, const decision::Caller& caller,
              const std::shared_ptr<const decision::DecisionEngine>& engine,
              DecisionPipeline::PendingCall& call,
              envoy::service::auth::v3::CheckResponse& response);

  const ExtAuthzConfig& config_;
  DecisionPipeline& pipeline_;
  ArenaMessageAllocator<envoy::service::auth::v3::CheckRequest,
                        envoy::service::auth::v3::CheckResponse>
      messages_;
};

}  // namespace crossgate::server
