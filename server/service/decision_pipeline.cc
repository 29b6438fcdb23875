#include "server/service/decision_pipeline.h"

#include <algorithm>
#include <chrono>

#include "policy/decision/decision_record.h"
#include "policy/decision/guardrails.h"

namespace crossgate::server {

namespace {

// A record is 1-3 KB (one with a large request context more).
constexpr std::size_t kRecordBytes = 4096;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

DecisionPipeline::DecisionPipeline(const ServerConfig& config, SnapshotHolder& snapshots,
                                   const decision::IdentityResolver& identity, DecisionLog& log,
                                   ServiceMetrics* metrics)
    : config_(config), snapshots_(snapshots), identity_(identity), log_(log), metrics_(metrics) {}

grpc::Status DecisionPipeline::finish(std::string_view method, grpc::Status status) {
  if (metrics_ != nullptr) metrics_->grpc_call(method, static_cast<int>(status.error_code()));
  return status;
}

std::string DecisionPipeline::staleness(UnixMillis now) const {
  if (config_.max_staleness_seconds <= 0) return {};
  const std::int64_t max_ms = config_.max_staleness_seconds * 1000;
  auto check = [&](const char* what, UnixMillis confirmed) -> std::string {
    if (now - confirmed <= max_ms) return {};
    return std::string(what) + " was last confirmed current " +
           std::to_string((now - confirmed) / 1000) + " s ago, more than the allowed " +
           std::to_string(config_.max_staleness_seconds) + " s";
  };
  std::string bundle = check("the policy bundle", snapshots_.bundle_confirmed_at());
  if (!bundle.empty()) return bundle;
  return check("the owner registry", snapshots_.registry_confirmed_at());
}

grpc::Status DecisionPipeline::authenticate(grpc::CallbackServerContext* context, Need need,
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

grpc::Status DecisionPipeline::admit(grpc::CallbackServerContext* context, Need need,
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
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the deadline passed before the call started");
  }
  if (context->IsCancelled()) {
    if (metrics_ != nullptr) metrics_->refused("cancelled");
    return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled before it started");
  }
  return authenticate(context, need, caller);
}

cedar::Result<DecisionPipeline::Outcome> DecisionPipeline::decide(
    const decision::DecisionRequest& request, const decision::Caller& caller,
    const std::shared_ptr<const decision::DecisionEngine>& engine, PendingCall& call) {
  const auto started = std::chrono::steady_clock::now();
  Outcome out;
  out.input = identity_.verify(request, caller, now_millis());
  const decision::DecisionInput& input = out.input;
  if (metrics_ != nullptr && input.identity.type != decision::EvidenceType::kNone) {
    metrics_->identity(decision::evidence_name(input.identity.type),
                       !input.identity.verified                  ? "unverified"
                       : input.identity.lifetime_failure.empty() ? "verified"
                                                                 : "expired");
  }
  // One per request thread: it keeps its memory between decisions.
  thread_local decision::DecisionScratch scratch;
  cedar::Result<decision::Decision> decided = engine->decide(input, scratch);
  if (!decided.ok()) return decided.error();
  out.decision = std::move(*decided);
  decision::Decision& d = out.decision;
  if (std::string stale = staleness(input.time); !stale.empty()) {
    // Old policy is not served: deny, and say why.
    d.allow = false;
    d.obligations.reset();
    d.reasons.emplace_back(decision::kStalePolicy);
    d.notes.push_back(std::string(decision::kStalePolicy) + ": " + stale);
  }
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
  // Room for a record up front rather than growing the buffer step by step (doubling, so
  // that a batch whose records outgrow expect() still costs linear time).
  std::string& records = call.records;
  if (records.capacity() < records.size() + kRecordBytes) {
    records.reserve(std::max(2 * records.capacity(), records.size() + kRecordBytes));
  }
  decision::append_record_json(call.records, input, d, engine->bundle_version(),
                               engine->registry_version(), latency, config_.log_mask_context_keys);
  call.records += '\n';
  call.kept.push_back({d.decision_id, d.reasons, d.allow, d.emergency, started});
  return out;
}

void DecisionPipeline::PendingCall::expect(std::size_t decisions) {
  kept.reserve(decisions);
  records.reserve(decisions * kRecordBytes);
}

void DecisionPipeline::PendingCall::written(bool ok, const std::string&) {
  if (ServiceMetrics* metrics = pipeline_.metrics_) {
    for (const Kept& d : kept) {
      const double seconds = seconds_since(d.started);
      if (ok) {
        metrics->decision(d.allow, d.reasons, d.emergency, seconds);
        continue;
      }
      // Fail closed: an answer that cannot be recorded is not given.
      metrics->log_unavailable();
      std::vector<std::string> reasons = d.reasons;
      reasons.emplace_back(decision::kLogUnavailable);
      metrics->decision(false, reasons, d.emergency, seconds);
    }
  }
  finish(ok);
}

grpc::Status DecisionPipeline::active_engine(
    std::shared_ptr<const decision::DecisionEngine>& engine) {
  engine = snapshots_.current();
  if (engine) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "no policy bundle and owner registry are active");
}

}  // namespace crossgate::server
