// The closed- and open-loop drivers of the load generator; see load_runner.h.
#include "bench/loadgen/load_runner.h"

#include <grpc/support/time.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <thread>

namespace crossgate::loadgen {

namespace {

// gRPC's own monotonic clock, so that completion-queue deadlines and measured times share
// one time base.
std::int64_t now_ns() {
  gpr_timespec t = gpr_now(GPR_CLOCK_MONOTONIC);
  return t.tv_sec * 1'000'000'000LL + t.tv_nsec;
}

struct Call {
  grpc::ClientContext context;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  std::int64_t start_ns = 0;  // the intended send time (open loop) or the send time
  std::size_t body = 0;
  std::size_t stub = 0;
};

class Worker {
 public:
  Worker(const Workload& workload, const RunOptions& options, std::size_t index,
         std::int64_t window_start, std::int64_t window_end)
      : workload_(workload),
        options_(options),
        window_start_(window_start),
        window_end_(window_end),
        next_body_(index * 7919) {
    for (std::size_t c = index; c < options.channels.size(); c += options.threads)
      stubs_.push_back(std::make_unique<grpc::GenericStub>(options.channels[c]));
  }

  void run_closed() {
    const std::int64_t now = now_ns();
    for (std::size_t s = 0; s < stubs_.size(); ++s)
      for (std::size_t m = 0; m < options_.outstanding; ++m)
        start_call(s, now);
    void* tag = nullptr;
    bool ok = false;
    while (in_flight_ > 0 && cq_.Next(&tag, &ok)) {
      Call* call = static_cast<Call*>(tag);
      const std::size_t stub = call->stub;
      const std::int64_t done = complete(call);
      if (done < window_end_) start_call(stub, done);
    }
    shutdown();
  }

  // `first_send` staggers the threads' schedules; `interval_ns` is this thread's spacing.
  // This thread only sends, sleeping until each intended send time; a second thread takes
  // the answers off the completion queue. (Polling the queue between sends made each call
  // cost the generator several wake-ups, and at half of the echo server's rate it fell
  // seconds behind its schedule.)
  void run_open(std::int64_t first_send, double interval_ns) {
    std::thread answers([this] {
      void* tag = nullptr;
      bool ok = false;
      while (cq_.Next(&tag, &ok))
        complete(static_cast<Call*>(tag));
    });
    double next = static_cast<double>(first_send);
    std::size_t round_robin = 0;
    while (true) {
      const auto intended = static_cast<std::int64_t>(next);
      if (intended >= window_end_) break;
      std::int64_t now = now_ns();
      if (now < intended) {
        sleep_until(intended);
        now = now_ns();
      }
      max_send_lag_ns_ = std::max(max_send_lag_ns_, static_cast<std::uint64_t>(now - intended));
      start_call(round_robin++ % stubs_.size(), intended);
      next += interval_ns;
    }
    // Pending calls still complete after Shutdown; Next returns false once they have.
    cq_.Shutdown();
    answers.join();
    result_.max_send_lag_ns = max_send_lag_ns_;
  }

  RunResult& result() { return result_; }

 private:
  static void sleep_until(std::int64_t ns) {
    timespec t{};
    t.tv_sec = ns / 1'000'000'000LL;
    t.tv_nsec = ns % 1'000'000'000LL;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
    }
  }

  void start_call(std::size_t stub, std::int64_t start) {
    auto* call = new Call;
    call->start_ns = start;
    call->stub = stub;
    call->body = next_body_++ % workload_.size();
    call->context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
    call->reader = stubs_[stub]->PrepareUnaryCall(&call->context, workload_.method(),
                                                  workload_.body(call->body), &cq_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    ++in_flight_;
  }

  // Records the answer if its call is in the window; returns the completion time.
  std::int64_t complete(Call* call) {
    const std::int64_t done = now_ns();
    --in_flight_;
    ++result_.completed;
    if (call->start_ns >= window_start_ && call->start_ns < window_end_) {
      ++result_.measured;
      if (!call->status.ok()) {
        ++result_.status_errors[static_cast<int>(call->status.error_code())];
      } else {
        const std::size_t bytes = call->response.Length();
        Outcome outcome = workload_.judge(call->body, call->response);
        result_.decisions += outcome.decisions;
        result_.allows += outcome.allows;
        result_.wrong += outcome.wrong;
        result_.item_errors += outcome.item_errors;
        if (outcome.malformed) {
          ++result_.malformed;
        } else {
          ++result_.ok;
          result_.response_bytes += bytes;
          result_.latency_ns.record(
              static_cast<std::uint64_t>(std::max<std::int64_t>(0, done - call->start_ns)));
        }
      }
    }
    delete call;
    return done;
  }

  void shutdown() {
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok))
      delete static_cast<Call*>(tag);
  }

  const Workload& workload_;
  const RunOptions& options_;
  const std::int64_t window_start_;
  const std::int64_t window_end_;
  std::size_t next_body_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  grpc::CompletionQueue cq_;
  // Touched by the sending and the answering thread alike in the open loop.
  std::atomic<std::size_t> in_flight_{0};
  std::uint64_t max_send_lag_ns_ = 0;  // the sending thread's
  RunResult result_;                   // the answering thread's
};

}  // namespace

std::uint64_t RunResult::errors() const {
  std::uint64_t n = malformed + wrong + item_errors;
  for (const auto& [code, calls] : status_errors)
    n += calls;
  return n;
}

RunResult run_load(const Workload& workload, const RunOptions& options) {
  RunOptions opts = options;
  opts.threads = std::clamp<std::size_t>(opts.threads, 1, opts.channels.size());
  const std::int64_t begin = now_ns();
  const std::int64_t window_start = begin + std::chrono::nanoseconds(opts.warmup).count();
  const std::int64_t window_end = window_start + std::chrono::nanoseconds(opts.duration).count();
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0; t < opts.threads; ++t)
    workers.push_back(std::make_unique<Worker>(workload, opts, t, window_start, window_end));
  std::vector<std::thread> threads;
  const double interval_ns =
      opts.rate > 0 ? 1e9 * static_cast<double>(opts.threads) / opts.rate : 0;
  for (std::size_t t = 0; t < opts.threads; ++t) {
    Worker* w = workers[t].get();
    if (opts.rate > 0) {
      const auto first = begin + static_cast<std::int64_t>(interval_ns * static_cast<double>(t) /
                                                           static_cast<double>(opts.threads));
      threads.emplace_back([w, first, interval_ns] { w->run_open(first, interval_ns); });
    } else {
      threads.emplace_back([w] { w->run_closed(); });
    }
  }
  for (std::thread& thread : threads)
    thread.join();

  RunResult total;
  total.seconds = static_cast<double>(window_end - window_start) / 1e9;
  for (auto& worker : workers) {
    const RunResult& r = worker->result();
    total.measured += r.measured;
    total.completed += r.completed;
    total.ok += r.ok;
    total.decisions += r.decisions;
    total.allows += r.allows;
    total.wrong += r.wrong;
    total.item_errors += r.item_errors;
    total.malformed += r.malformed;
    for (const auto& [code, calls] : r.status_errors)
      total.status_errors[code] += calls;
    total.response_bytes += r.response_bytes;
    total.max_send_lag_ns = std::max(total.max_send_lag_ns, r.max_send_lag_ns);
    total.latency_ns.merge(r.latency_ns);
  }
  return total;
}

}  // namespace crossgate::loadgen
