// Every metric the daemon exports, created once at start so that the hot path only
// increments references it already holds. Names follow Prometheus conventions
// (crossgate_*, _total for counters, base units).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "server/log/decision_log.h"
#include "server/metrics/metrics.h"

namespace crossgate::server {

class ServiceMetrics {
 public:
  explicit ServiceMetrics(metrics::Registry& registry);

  metrics::Registry& registry() { return registry_; }

  // One decision given (after its record was written, or denied for LOG_UNAVAILABLE).
  void decision(bool allow, const std::vector<std::string>& reasons, bool emergency,
                double seconds);
  void batch(std::size_t size) { batch_sizes_.observe(static_cast<double>(size)); }
  // "jwt-svid", ... and "verified", "unverified" or "expired".
  void identity(std::string_view evidence, std::string_view result);
  void grpc_call(std::string_view method, int code);
  void load(std::string_view kind, bool ok);
  void log_unavailable() { log_unavailable_.inc(); }
  // A call refused before any decision: "unauthenticated", "not_allowed", "missing_role",
  // "overloaded", "deadline" (also a batch abandoned part-way), "cancelled",
  // "batch_too_large".
  void refused(std::string_view reason) { refused_.with({std::string(reason)}).inc(); }

  // The instruments the decision log updates itself.
  LogMetrics log_metrics();

  metrics::Family<metrics::Gauge>& version_info() { return version_info_; }
  metrics::Family<metrics::Gauge>& revision() { return revision_; }
  metrics::Family<metrics::Gauge>& seconds_since_load() { return seconds_since_load_; }
  metrics::Family<metrics::Gauge>& version_age() { return version_age_; }
  metrics::Gauge& serving() { return serving_; }
  metrics::Family<metrics::Counter>& token_cache() { return token_cache_; }

 private:
  metrics::Registry& registry_;
  metrics::Family<metrics::Counter>& decisions_;
  metrics::Family<metrics::Counter>& reasons_;
  metrics::Family<metrics::Counter>& emergency_;
  metrics::Histogram& latency_;
  metrics::Histogram& batch_sizes_;
  metrics::Family<metrics::Counter>& identity_;
  metrics::Family<metrics::Counter>& token_cache_;
  metrics::Family<metrics::Counter>& grpc_;
  metrics::Family<metrics::Counter>& refused_;
  metrics::Family<metrics::Counter>& loads_;
  metrics::Family<metrics::Gauge>& version_info_;
  metrics::Family<metrics::Gauge>& revision_;
  metrics::Family<metrics::Gauge>& seconds_since_load_;
  metrics::Family<metrics::Gauge>& version_age_;
  metrics::Gauge& serving_;
  metrics::Counter& log_records_;
  metrics::Counter& log_bytes_;
  metrics::Counter& log_failures_;
  metrics::Counter& log_rotations_;
  metrics::Counter& log_unavailable_;
  metrics::Histogram& log_sync_;
  metrics::Histogram& log_batch_;
  // Decisions are counted by a small fixed set of label values: keep their children.
  metrics::Counter* allow_ = nullptr;
  metrics::Counter* deny_ = nullptr;
  std::vector<std::pair<std::string, metrics::Counter*>> known_reasons_;
};

}  // namespace crossgate::server
