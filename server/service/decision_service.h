// The crossgate.v1.DecisionService implementation: admits the call (mTLS SPIFFE ID against
// the allowlist), has the shared DecisionPipeline verify the evidence, decide and write the
// record, then answers. Uses gRPC's callback API: a call is decided on the thread that
// received it and answered from the decision log's writer once its records are written.
#pragma once

#include <memory>

#include "crossgate/v1/decision.grpc.pb.h"
#include "policy/decision/identity_resolver.h"
#include "server/config/server_config.h"
#include "server/log/decision_log.h"
#include "server/observability/service_metrics.h"
#include "server/service/arena_message_allocator.h"
#include "server/service/decision_pipeline.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::server {

class DecisionServiceImpl final : public crossgate::v1::DecisionService::CallbackService {
 public:
  // With a pipeline of its own. `metrics` may be null (e.g. in tests).
  DecisionServiceImpl(const ServerConfig& config, SnapshotHolder& snapshots,
                      const decision::IdentityResolver& identity, DecisionLog& log,
                      ServiceMetrics* metrics = nullptr);
  // Sharing `pipeline` (and its limit on calls in flight) with other services.
  explicit DecisionServiceImpl(DecisionPipeline& pipeline);

  grpc::ServerUnaryReactor* Authorize(grpc::CallbackServerContext* context,
                                      const crossgate::v1::AuthorizeRequest* request,
                                      crossgate::v1::AuthorizeResponse* response) override;
  grpc::ServerUnaryReactor* AuthorizeBatch(
      grpc::CallbackServerContext* context, const crossgate::v1::AuthorizeBatchRequest* request,
      crossgate::v1::AuthorizeBatchResponse* response) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const crossgate::v1::GetStatusRequest* request,
                                      crossgate::v1::GetStatusResponse* response) override;

 private:
  grpc::Status decide(const crossgate::v1::AuthorizeRequest& request,
                      const decision::Caller& caller,
                      const std::shared_ptr<const decision::DecisionEngine>& engine,
                      DecisionPipeline::PendingCall& call,
                      crossgate::v1::AuthorizeResponse& response);

  void use_arenas();

  std::unique_ptr<DecisionPipeline> owned_;
  DecisionPipeline& pipeline_;
  ArenaMessageAllocator<crossgate::v1::AuthorizeRequest, crossgate::v1::AuthorizeResponse>
      authorize_messages_;
  ArenaMessageAllocator<crossgate::v1::AuthorizeBatchRequest, crossgate::v1::AuthorizeBatchResponse,
                        65536>
      batch_messages_;
};

}  // namespace crossgate::server
