// The decision engine that answers requests right now, swapped atomically when a new
// bundle or registry version is activated: a request takes one snapshot at its start and
// uses it to the end, so it sees one version of everything.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "policy/common/time.h"
#include "policy/decision/decision_engine.h"

namespace crossgate::server {

class SnapshotHolder {
 public:
  // A mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12's load releases its
  // internal lock with a relaxed store, so a reader's copy is not ordered before the next
  // store (ThreadSanitizer reports it as a race). Held only to copy or swap one pointer.
  std::shared_ptr<const decision::DecisionEngine> current() const {
    std::lock_guard<std::mutex> lock(engine_mutex_);
    return engine_;
  }

  void activate(std::shared_ptr<const decision::DecisionEngine> engine) {
    {
      std::lock_guard<std::mutex> lock(engine_mutex_);
      engine_.swap(engine);
    }
    // `engine` now holds the previous one, which may be its last reference: it is
    // destroyed here, outside the lock.
  }

  // Load errors are kept per source, so that one source's recovery does not hide the
  // other's failure; each is cleared when its source is found current again.
  enum class Source { kPolicyBundle, kOwnerRegistry, kCombination };

  void record_load_error(Source source, std::string error, UnixMillis at) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_[static_cast<int>(source)] = {std::move(error), at};
  }

  void clear_load_error(Source source) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_[static_cast<int>(source)] = {};
  }

  // The current errors ("; "-joined, empty when every source is current) and the time of
  // the latest.
  std::pair<std::string, UnixMillis> last_load_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string text;
    UnixMillis latest = 0;
    for (const auto& [error, at] : errors_) {
      if (error.empty()) continue;
      if (!text.empty()) text += "; ";
      text += error;
      latest = std::max(latest, at);
    }
    return {text, latest};
  }

  // When each active version was last confirmed current at its source (a load, or a check
  // that found it unchanged), for staleness. A copy served from the state folder counts
  // from when it was saved.
  void confirm_bundle(UnixMillis at) { bundle_confirmed_.store(at, std::memory_order_relaxed); }
  void confirm_registry(UnixMillis at) { registry_confirmed_.store(at, std::memory_order_relaxed); }
  UnixMillis bundle_confirmed_at() const {
    return bundle_confirmed_.load(std::memory_order_relaxed);
  }
  UnixMillis registry_confirmed_at() const {
    return registry_confirmed_.load(std::memory_order_relaxed);
  }

 private:
  mutable std::mutex engine_mutex_;
  std::shared_ptr<const decision::DecisionEngine> engine_;
  std::atomic<UnixMillis> bundle_confirmed_{0};
  std::atomic<UnixMillis> registry_confirmed_{0};
  mutable std::mutex mutex_;
  std::array<std::pair<std::string, UnixMillis>, 3> errors_;
};

}  // namespace crossgate::server
