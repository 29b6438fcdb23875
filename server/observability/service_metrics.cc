#include "server/observability/service_metrics.h"

#include <grpcpp/support/status.h>

#include "policy/decision/guardrails.h"
#include "server/observability/status_code_name.h"

namespace crossgate::server {
ServiceMetrics::ServiceMetrics(metrics::Registry& registry)
    : registry_(registry),
      decisions_(registry.counter("crossgate_decisions_total", "Decisions answered, by decision.",
                                  {"decision"})),
      reasons_(registry.counter("crossgate_decision_reasons_total",
                                "Reason codes of denials (a denial may carry several).",
                                {"reason"})),
      emergency_(registry.counter("crossgate_emergency_decisions_total",
                                  "Decisions made under an emergency grant.", {"decision"})),
      latency_(registry
                   .histogram("crossgate_decision_latency_seconds",
                              "Time to decide and record one request.",
                              metrics::exponential_buckets(0.00001, 2, 16))
                   .with({})),
      batch_sizes_(registry
                       .histogram("crossgate_batch_size", "Requests per AuthorizeBatch call.",
                                  metrics::exponential_buckets(1, 2, 14))
                       .with({})),
      identity_(registry.counter("crossgate_identity_verifications_total",
                                 "Identity evidence checked, by type and result.",
                                 {"evidence", "result"})),
      token_cache_(registry.counter("crossgate_token_cache_lookups_total",
                                    "Verified-token cache lookups, by result.", {"result"})),
      grpc_(registry.counter("crossgate_grpc_calls_total", "gRPC calls, by method and status code.",
                             {"method", "code"})),
      refused_(registry.counter("crossgate_refused_calls_total",
                                "Calls refused before any decision, by reason.", {"reason"})),
      loads_(registry.counter("crossgate_loads_total",
                              "Loads of the policy bundle and owner registry, by kind and result.",
                              {"kind", "result"})),
      version_info_(registry.gauge("crossgate_active_version_info",
                                   "The active policy bundle and owner registry (value 1).",
                                   {"kind", "name", "revision", "digest"})),
      revision_(
          registry.gauge("crossgate_active_revision", "Revision of the active version.", {"kind"})),
      seconds_since_load_(registry.gauge("crossgate_seconds_since_last_successful_load",
                                         "Seconds since a version was last loaded successfully.",
                                         {"kind"})),
      version_age_(registry.gauge("crossgate_active_version_age_seconds",
                                  "Seconds since the active version was last confirmed current "
                                  "at its source.",
                                  {"kind"})),
      serving_(registry.gauge("crossgate_serving", "1 while a bundle and a registry are active.")
                   .with({})),
      log_records_(registry
                       .counter("crossgate_decision_log_records_total",
                                "Records written to the decision log.")
                       .with({})),
      log_bytes_(
          registry
              .counter("crossgate_decision_log_bytes_total", "Bytes written to the decision log.")
              .with({})),
      log_failures_(registry
                        .counter("crossgate_decision_log_write_failures_total",
                                 "Records that could not be written.")
                        .with({})),
      log_rotations_(
          registry.counter("crossgate_decision_log_rotations_total", "Decision log files rotated.")
              .with({})),
      log_unavailable_(registry
                           .counter("crossgate_log_unavailable_denials_total",
                                    "Answers turned into DENY because the record could not "
                                    "be written.")
                           .with({})),
      log_sync_(registry
                    .histogram("crossgate_decision_log_fsync_seconds",
                               "Time to sync a batch of records (fsync durability).",
                               metrics::exponential_buckets(0.0001, 2, 14))
                    .with({})),
      log_batch_(registry
                     .histogram("crossgate_decision_log_batch_records",
                                "Records written per batch (group commit).",
                                metrics::exponential_buckets(1, 2, 12))
                     .with({})) {
  allow_ = &decisions_.with({"ALLOW"});
  deny_ = &decisions_.with({"DENY"});
  for (std::string_view code : decision::kAllReasonCodes) {
    known_reasons_.emplace_back(std::string(code), &reasons_.with({std::string(code)}));
  }
  registry.gauge("crossgate_build_info", "Build of the daemon (value 1).", {"version"})
      .with({CROSSGATE_VERSION})
      .set(1);
}

void ServiceMetrics::decision(bool allow, const std::vector<std::string>& reasons, bool emergency,
                              double seconds) {
  (allow ? allow_ : deny_)->inc();
  for (const std::string& reason : reasons) {
    metrics::Counter* counter = nullptr;
    for (const auto& [code, child] : known_reasons_) {
      if (code == reason) counter = child;
    }
    (counter != nullptr ? *counter : reasons_.with({reason})).inc();
  }
  if (emergency) emergency_.with({allow ? "ALLOW" : "DENY"}).inc();
  latency_.observe(seconds);
}

void ServiceMetrics::identity(std::string_view evidence, std::string_view result) {
  identity_.with({std::string(evidence), std::string(result)}).inc();
}

void ServiceMetrics::grpc_call(std::string_view method, int code) {
  grpc_.with({std::string(method), status_code_name(code)}).inc();
}

void ServiceMetrics::load(std::string_view kind, bool ok) {
  loads_.with({std::string(kind), ok ? "success" : "failure"}).inc();
}

LogMetrics ServiceMetrics::log_metrics() {
  LogMetrics m;
  m.records = &log_records_;
  m.bytes = &log_bytes_;
  m.write_failures = &log_failures_;
  m.rotations = &log_rotations_;
  m.sync_seconds = &log_sync_;
  m.batch_records = &log_batch_;
  return m;
}

}  // namespace crossgate::server
