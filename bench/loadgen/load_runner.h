// Drives one load-generator run with gRPC's asynchronous CompletionQueue API, so that one
// process keeps many calls in flight on few threads:
//   closed loop: every connection keeps `outstanding` calls in flight, a new call leaving as
//                soon as one is answered (the maximum rate);
//   open loop:   calls leave on a fixed schedule (`rate` per second) whatever the answers do,
//                and each latency is measured from the call's INTENDED send time, so that a
//                stall delays the schedule's later calls in the figures too (no coordinated
//                omission). Each generator thread sleeps until each send time and sends;
//                a second thread per generator thread takes the answers.
// Only calls intended to start after the warm-up and before the end are measured; every call
// started is waited for before the run returns.
#pragma once

#include <grpcpp/channel.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "bench/loadgen/histogram.h"
#include "bench/loadgen/workload.h"

namespace crossgate::loadgen {

struct RunOptions {
  std::vector<std::shared_ptr<grpc::Channel>> channels;  // one connection each
  std::size_t outstanding = 16;                          // per connection, closed loop
  std::size_t threads = 1;                               // each with its own CompletionQueue
  double rate = 0;                                       // calls per second; 0: closed loop
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds duration{5000};  // measured, after the warm-up
  std::chrono::milliseconds call_timeout{10000};
};

struct RunResult {
  double seconds = 0;           // the measured window
  std::uint64_t measured = 0;   // calls in the window, answered or not
  std::uint64_t completed = 0;  // every call that ended, warm-up and drain included
  std::uint64_t ok = 0;         // answered with status OK and a well-formed answer
  std::uint64_t decisions = 0;  // answered requests (a batch call answers several)
  std::uint64_t allows = 0;
  std::uint64_t wrong = 0;        // decisions other than the mix expected
  std::uint64_t item_errors = 0;  // batch items answered with an error
  std::uint64_t malformed = 0;
  std::map<int, std::uint64_t> status_errors;  // gRPC status code -> calls
  std::uint64_t response_bytes = 0;            // of the measured OK answers
  std::uint64_t max_send_lag_ns = 0;           // open loop: how late the generator sent
  Histogram latency_ns;                        // of the measured OK answers

  std::uint64_t errors() const;  // every measured call that was not fully OK
};

RunResult run_load(const Workload& workload, const RunOptions& options);

}  // namespace crossgate::loadgen
