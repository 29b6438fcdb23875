// The decision engine that answers requests right now, swapped atomically when a new
// bundle or registry version is activated: a request takes one snapshot at its start and
// uses it to the end, so it sees one version of everything.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "policy/common/time.h"
#include "policy/decision/decision_engine.h"

namespace crossgate::server {

class SnapshotHolder {
 public:
  std::shared_ptr<const decision::DecisionEngine> current() const {
    return engine_.load(std::memory_order_acquire);
  }

  void activate(std::shared_ptr<const decision::DecisionEngine> engine) {
    engine_.store(std::move(engine), std::memory_order_release);
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_.clear();
  }

  void record_load_error(std::string error, UnixMillis at) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = std::move(error);
    last_error_at_ = at;
  }

  std::pair<std::string, UnixMillis> last_load_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {last_error_, last_error_at_};
  }

 private:
  std::atomic<std::shared_ptr<const decision::DecisionEngine>> engine_;
  mutable std::mutex mutex_;
  std::string last_error_;
  UnixMillis last_error_at_ = 0;
};

}  // namespace crossgate::server
