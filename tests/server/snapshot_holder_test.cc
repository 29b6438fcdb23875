// The snapshot holder under concurrent use, as the daemon uses it: request threads take
// the current engine and decide with it while a reload thread activates new engines and
// records load errors. Every decision must come from a whole engine and equal the one a
// single thread makes. Built with ThreadSanitizer (scripts/test.sh --tsan), this is also
// where a race in the holder or in deciding on a shared engine would show.
#include "server/service/snapshot_holder.h"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <thread>
#include <vector>

#include "tests/support/example_engine.h"

namespace crossgate::server {
namespace {

using testing::example_engine;
constexpr UnixMillis kNow = testing::kExampleNow;

decision::DecisionInput example_input() {
  decision::DecisionInput input;
  input.time = kNow;
  input.facts = testing::example_facts();
  input.identity.type = decision::EvidenceType::kX509Svid;
  input.identity.verified = true;
  input.identity.spiffe_id = testing::kExampleWorkload;
  input.caller.spiffe_id = input.identity.spiffe_id;
  return input;
}

TEST_CASE("requests decide on whole engines while reloads swap them",
          "[snapshot-holder][concurrency]") {
  std::vector<std::shared_ptr<const decision::DecisionEngine>> engines = {example_engine(),
                                                                          example_engine()};
  const decision::DecisionInput input = example_input();
  decision::DecisionScratch single;
  auto expected = engines[0]->decide(input, single);
  REQUIRE(expected.ok());

  SnapshotHolder holder;
  holder.activate(engines[0]);
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::atomic<int> decided{0};

  std::vector<std::thread> requests;
  for (int t = 0; t < 4; ++t) {
    requests.emplace_back([&] {
      decision::DecisionScratch scratch;  // one per thread, as the service keeps it
      while (!stop.load()) {
        std::shared_ptr<const decision::DecisionEngine> engine = holder.current();
        auto d = engine->decide(input, scratch);
        if (!d.ok() || d->allow != expected->allow || d->reasons != expected->reasons) {
          mismatches.fetch_add(1);
        }
        (void)holder.last_load_error();
        (void)holder.bundle_confirmed_at();
        decided.fetch_add(1);
      }
    });
  }
  std::thread reload([&] {
    for (int i = 0; i < 200; ++i) {
      holder.activate(engines[i % 2]);
      holder.confirm_bundle(kNow + i);
      holder.confirm_registry(kNow + i);
      if (i % 3 == 0) {
        holder.record_load_error(SnapshotHolder::Source::kPolicyBundle, "bad " + std::to_string(i),
                                 kNow + i);
      } else {
        holder.clear_load_error(SnapshotHolder::Source::kPolicyBundle);
      }
      std::this_thread::yield();
    }
    // Keep swapping until the request threads have decided a fair number of times.
    testing::swap_engines_until(holder, engines, decided, 400, stop);
  });
  reload.join();
  for (std::thread& t : requests)
    t.join();
  CHECK(mismatches.load() == 0);
  CHECK(decided.load() >= 400);
  CHECK(holder.current() != nullptr);
}

}  // namespace
}  // namespace crossgate::server
