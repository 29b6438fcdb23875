// Keeps the active policy bundle and owner registry current. Each kind is fetched from its
// origin (origin.h) on a schedule, on SIGHUP, and at start; a changed version is verified,
// loaded, checked against the active one (a lower revision, or the same revision with
// other content, is refused), combined with the other kind into a new DecisionEngine and
// activated atomically. Anything that fails leaves the active version serving and is
// reported in GetStatus, the metrics and the operational log. Every activated version is
// saved as the last good copy; at a cold start with an unusable origin, that copy (verified
// again) is served instead.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "policy/loading/snapshot_loader.h"
#include "server/config/server_config.h"
#include "server/observability/service_metrics.h"
#include "server/reload/last_good_store.h"
#include "server/reload/origin.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::server {

class Reloader {
 public:
  // `on_serving` is told whether an engine is active after every change (for health).
  Reloader(const ServerConfig& config, loading::TrustSettings trust, SnapshotHolder& snapshots,
           ServiceMetrics* metrics, std::function<void(bool)> on_serving);
  ~Reloader();

  // The first load, falling back to the last good copies.
  void initial_load();
  // Looks at both origins now (e.g. on SIGHUP); `force` reloads even unchanged versions.
  void check_now(bool force);
  // Starts the background schedule.
  void start();
  void stop();

 private:
  struct Kind;
  bool check(Kind& kind, bool force, UnixMillis now);
  void confirm(Kind& kind, UnixMillis at);
  bool activate(UnixMillis now);
  void run();

  loading::TrustSettings trust_;
  SnapshotHolder& snapshots_;
  ServiceMetrics* metrics_;
  std::function<void(bool)> on_serving_;
  LastGoodStore store_;
  std::unique_ptr<Kind> bundle_;
  std::unique_ptr<Kind> registry_;
  std::mutex mutex_;  // one check at a time (schedule and SIGHUP)
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crossgate::server
