// The part of answering a decision call that every front end shares (crossgate.v1's
// Authorize and AuthorizeBatch, Envoy's ext_authz Check): admitting the call (the limit on
// calls in flight, the deadline, the caller's certificate and role), then for each request
// verifying the evidence, asking the active engine, denying on stale versions, writing the
// record (fail closed) and counting it. Front ends only translate their wire format to a
// decision::DecisionRequest and the outcome back, so every decision takes one path.
//
// A call's life: the front end creates its PendingCall (which admits it against the limit),
// calls admit(), then decide() for each request, builds its answer as if every record will
// be written, and hands the call to record(). It returns to gRPC at once; the decision log's
// writer calls the PendingCall's finish() once the records are in the file (or could not
// be written: then every answer becomes a DENY with LOG_UNAVAILABLE), and finish() sends the
// answer. No gRPC thread waits for the disk.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/decision/decision_engine.h"
#include "policy/decision/identity_resolver.h"
#include "server/config/server_config.h"
#include "server/log/decision_log.h"
#include "server/observability/service_metrics.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::server {

class DecisionPipeline {
 public:
  // `metrics` may be null (e.g. in tests).
  DecisionPipeline(const ServerConfig& config, SnapshotHolder& snapshots,
                   const decision::IdentityResolver& identity, DecisionLog& log,
                   ServiceMetrics* metrics = nullptr);

  enum class Need { kAsk, kReadStatus };

  // Admits a call while fewer than the configured maximum are in flight (across every
  // service sharing this pipeline), and counts it out again when it ends.
  class Admission {
   public:
    Admission(std::atomic<std::int64_t>& in_flight, std::int64_t limit)
        : in_flight_(in_flight),
          admitted_(in_flight.fetch_add(1, std::memory_order_acq_rel) < limit) {}
    ~Admission() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }
    Admission(const Admission&) = delete;
    Admission& operator=(const Admission&) = delete;
    explicit operator bool() const { return admitted_; }

   private:
    std::atomic<std::int64_t>& in_flight_;
    bool admitted_;
  };
  Admission enter() { return Admission(in_flight_, config_.max_concurrent_calls); }

  // The checks every call passes before any work: the limit, the deadline, the caller
  // (filled in from the mTLS certificate and the allowlist). An error status when refused.
  grpc::Status admit(grpc::CallbackServerContext* context, Need need, const Admission& admission,
                     decision::Caller& caller) const;

  struct Outcome {
    decision::DecisionInput input;
    decision::Decision decision;
  };

  // One call's decisions on their way to the decision log. A front end derives from it to
  // keep its reactor and answer with them.
  class PendingCall : public DecisionLog::Write {
   public:
    explicit PendingCall(DecisionPipeline& pipeline)
        : pipeline_(pipeline), admission_(pipeline.enter()) {}
    const Admission& admission() const { return admission_; }

    // What the call keeps of each decision until its record is written: enough to count it
    // and to turn its answer into a LOG_UNAVAILABLE denial. (The full outcome is freed on
    // the request's thread, once the answer is built.)
    struct Kept {
      std::string decision_id;
      std::vector<std::string> reasons;
      bool allow = false;
      bool emergency = false;
      std::chrono::steady_clock::time_point started;
    };
    std::vector<Kept> kept;  // one per record, in the same order

    // Room for `decisions` records and their summaries up front (a batch), so that the
    // records written so far are not copied each time the buffer grows.
    void expect(std::size_t decisions);

   protected:
    // On the log's writer thread, once the records are written (`recorded`) or not (then
    // each answer must be a DENY with LOG_UNAVAILABLE added to its decision's reasons; the
    // decisions are already counted so). Sends the answer; keep it short.
    virtual void finish(bool recorded) = 0;
    DecisionPipeline& pipeline_;

   private:
    void written(bool ok, const std::string& error) final;
    Admission admission_;
  };

  // A unary gRPC call of a front end: once its records are written it sends `response`
  // through `reactor` with `status`, counted under `method` (a literal). The front end says
  // only how its answer turns into a LOG_UNAVAILABLE denial.
  template <class Response>
  class UnaryCall : public PendingCall {
   public:
    UnaryCall(DecisionPipeline& pipeline, std::string_view method,
              grpc::ServerUnaryReactor* reactor, Response* response)
        : PendingCall(pipeline), method_(method), reactor_(reactor), response_(response) {}

    // The call's status once its records are written; OK unless the front end sets another
    // (a batch cut short by its deadline).
    grpc::Status status;

    // Answers at once, without records (the call was refused before any decision).
    void finish_now(grpc::Status refused) {
      reactor_->Finish(pipeline_.finish(method_, std::move(refused)));
    }

   protected:
    // Turns the answer, built as if every record would be written, into a DENY with
    // LOG_UNAVAILABLE added to each decision's reasons.
    virtual void deny_unrecorded(Response& response) = 0;

   private:
    void finish(bool recorded) final {
      if (!recorded && status.ok()) deny_unrecorded(*response_);
      reactor_->Finish(pipeline_.finish(method_, status));
    }

    std::string_view method_;
    grpc::ServerUnaryReactor* reactor_;
    Response* response_;
  };

  // Decides one request with `engine` and adds its record to `call`. An error (nothing
  // added) when the engine finds the request malformed.
  cedar::Result<Outcome> decide(const decision::DecisionRequest& request,
                                const decision::Caller& caller,
                                const std::shared_ptr<const decision::DecisionEngine>& engine,
                                PendingCall& call);

  // Has the log write `call`'s records; its finish() runs once they are written.
  void record(std::unique_ptr<PendingCall> call) { log_.submit(std::move(call)); }

  // Counts the call by method and status, and returns the status.
  grpc::Status finish(std::string_view method, grpc::Status status);

  const ServerConfig& config() const { return config_; }
  SnapshotHolder& snapshots() { return snapshots_; }
  // Sets `engine` to the active one; UNAVAILABLE while no bundle and registry are active.
  grpc::Status active_engine(std::shared_ptr<const decision::DecisionEngine>& engine);
  ServiceMetrics* metrics() { return metrics_; }

 private:
  grpc::Status authenticate(grpc::CallbackServerContext* context, Need need,
                            decision::Caller& caller) const;
  // Why the active versions may not be used (STALE_POLICY), or empty.
  std::string staleness(UnixMillis now) const;

  const ServerConfig& config_;
  std::atomic<std::int64_t> in_flight_{0};
  SnapshotHolder& snapshots_;
  const decision::IdentityResolver& identity_;
  DecisionLog& log_;
  ServiceMetrics* metrics_;
};

}  // namespace crossgate::server
