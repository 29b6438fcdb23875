// The crossgate.v1.DecisionService implementation: authenticates the caller (mTLS SPIFFE
// ID against the allowlist), verifies the evidence, asks the active engine, writes the
// record, then answers. Uses gRPC's callback API; each call runs to completion on the
// thread that received it (decisions take microseconds).
#pragma once

#include <memory>

#include "crossgate/v1/decision.grpc.pb.h"
#include "policy/decision/identity_resolver.h"
#include "server/config/server_config.h"
#include "server/log/decision_log.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::server {

class DecisionServiceImpl final : public crossgate::v1::DecisionService::CallbackService {
 public:
  DecisionServiceImpl(const ServerConfig& config, SnapshotHolder& snapshots,
                      const decision::IdentityResolver& identity, DecisionLog& log);

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
  enum class Need { kAsk, kReadStatus };
  // Who is calling and whether they may; an error status when they may not.
  grpc::Status authenticate(grpc::CallbackServerContext* context, Need need,
                            decision::Caller& caller) const;
  grpc::Status decide(const crossgate::v1::AuthorizeRequest& request,
                      const decision::Caller& caller,
                      const std::shared_ptr<const decision::DecisionEngine>& engine,
                      crossgate::v1::AuthorizeResponse& response);

  const ServerConfig& config_;
  SnapshotHolder& snapshots_;
  const decision::IdentityResolver& identity_;
  DecisionLog& log_;
};

}  // namespace crossgate::server
