// The decision pipeline under concurrent use, as the daemon's front ends use it but without
// gRPC: request threads decide calls of one or more requests and hand them to the decision
// log, whose writer finishes each call from its own thread, while a reload thread swaps the
// active engine. Every call must be finished exactly once, every decision recorded and
// counted, and the log's chain must verify. Built with ThreadSanitizer (scripts/test.sh
// --tsan), this is where a race between request threads, the log's writer and reloads would
// show: the end-to-end reload under load runs the same code inside gRPC, which TSan cannot
// see into (docs/hardening.md).
#include <unistd.h>

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "server/log/chain_verifier.h"
#include "server/log/log_files.h"
#include "server/metrics/metrics.h"
#include "server/observability/service_metrics.h"
#include "server/service/decision_pipeline.h"
#include "tests/support/example_engine.h"

namespace crossgate::server {
namespace {

namespace fs = std::filesystem;

// A call that only counts how it was finished.
class CountingCall final : public DecisionPipeline::PendingCall {
 public:
  CountingCall(DecisionPipeline& pipeline, std::atomic<int>& finished, std::atomic<int>& unrecorded)
      : PendingCall(pipeline), finished_(finished), unrecorded_(unrecorded) {}

 private:
  void finish(bool recorded) override {
    if (!recorded) unrecorded_.fetch_add(1);
    finished_.fetch_add(1);
  }

  std::atomic<int>& finished_;
  std::atomic<int>& unrecorded_;
};

TEST_CASE("calls are decided, recorded and finished while reloads swap engines",
          "[pipeline][concurrency]") {
  const fs::path dir =
      fs::temp_directory_path() /
      ("crossgate-pipeline-" + std::to_string(::getpid()) + "-" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  fs::create_directories(dir);
  LogOptions options;
  options.path = dir / "decisions.log";
  options.rotate_bytes = 64 << 10;  // rotations happen under load too
  metrics::Registry registry;
  ServiceMetrics metrics(registry);
  std::atomic<int> decided{0};
  {
    auto log = DecisionLog::open(options, metrics.log_metrics());
    REQUIRE(log.ok());
    ServerConfig config;
    SnapshotHolder holder;
    std::vector<std::shared_ptr<const decision::DecisionEngine>> engines = {
        testing::example_engine(), testing::example_engine()};
    holder.activate(engines[0]);
    const decision::IdentityResolver identity(nullptr);
    DecisionPipeline pipeline(config, holder, identity, **log, &metrics);

    decision::DecisionRequest request;
    request.facts = testing::example_facts();
    request.evidence = decision::EvidenceType::kX509Svid;
    decision::Caller caller;
    caller.spiffe_id = testing::kExampleWorkload;

    std::atomic<bool> stop{false};
    std::atomic<int> submitted{0}, finished{0}, unrecorded{0}, wrong{0};
    std::vector<std::thread> requests;
    for (int t = 0; t < 4; ++t) {
      requests.emplace_back([&, t] {
        for (int n = 0; !stop.load(); ++n) {
          auto call = std::make_unique<CountingCall>(pipeline, finished, unrecorded);
          std::shared_ptr<const decision::DecisionEngine> engine = holder.current();
          const int items = 1 + (t + n) % 3;  // single calls and small batches
          for (int i = 0; i < items; ++i) {
            auto outcome = pipeline.decide(request, caller, engine, *call);
            if (!outcome.ok() || !outcome->decision.allow) wrong.fetch_add(1);
            decided.fetch_add(1);
          }
          pipeline.record(std::move(call));
          submitted.fetch_add(1);
        }
      });
    }
    std::thread reload([&] { testing::swap_engines_until(holder, engines, decided, 2000, stop); });
    reload.join();
    for (std::thread& t : requests)
      t.join();
    // The writer finishes the last calls on its own thread.
    for (int waited = 0; finished.load() < submitted.load() && waited < 10000; ++waited)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));

    CHECK(wrong.load() == 0);
    CHECK(finished.load() == submitted.load());
    CHECK(unrecorded.load() == 0);
    CHECK((*log)->records_written() == static_cast<std::uint64_t>(decided.load()));
  }
  // Every decision was counted once, and the chain holds across the rotated files.
  const std::string text = registry.render();
  const std::string allowed = "crossgate_decisions_total{decision=\"ALLOW\"} ";
  const std::size_t at = text.find(allowed);
  REQUIRE(at != std::string::npos);
  CHECK(std::stoll(text.substr(at + allowed.size())) == decided.load());
  const std::vector<fs::path> files = log_chain_files(options.path);
  CHECK(files.size() > 1);
  ChainVerification verified = verify_chain(files);
  CHECK(verified.problem == "");
  CHECK(verified.first_seq == 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace crossgate::server
