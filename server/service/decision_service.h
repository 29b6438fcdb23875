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
#include "server/observability/service_metrics.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::server {

class DecisionServiceImpl final : public crossgate::v1::DecisionService::CallbackService {
 public:
  // `metrics` may be null (e.g. in tests).
  DecisionServiceImpl(const ServerConfig& config, SnapshotHolder& snapshots,
                      const decision::IdentityResolver& identity, DecisionLog& log,
                      ServiceMetrics* metrics = nullptr);

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
  // Why the active versions may not be used (STALE_POLICY), or empty.
  std::string staleness(UnixMillis now) const;
  grpc::Status finish(std::string_view method, grpc::Status status);

  // Admits a call while fewer than the configured maximum are in flight, and counts it
  // out again when it ends.
  class Admission {
   public:
    Admission(std::atomic<std::int64_t>& in_flight, std::int64_t limit)
        : in_flight_(in_flight), admitted_(in_flight.fetch_add(1, std::memory_order_acq_rel) < limit) {}
    ~Admission() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }
    Admission(const Admission&) = delete;
    Admission& operator=(const Admission&) = delete;
    explicit operator bool() const { return admitted_; }

   private:
    std::atomic<std::int64_t>& in_flight_;
    bool admitted_;
  };
  // The checks every call passes before any work: the limit, the deadline, the caller.
  grpc::Status admit(grpc::CallbackServerContext* context, Need need, const Admission& admission,
                     decision::Caller& caller) const;

  const ServerConfig& config_;
  std::atomic<std::int64_t> in_flight_{0};
  SnapshotHolder& snapshots_;
  const decision::IdentityResolver& identity_;
  DecisionLog& log_;
  ServiceMetrics* metrics_;
};

}  // namespace crossgate::server
