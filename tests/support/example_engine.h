// The example bundle and registry of deploy/example as an engine, a request it allows, and
// a reload loop, for the tests that exercise the daemon's concurrency without gRPC (the
// snapshot holder, the decision pipeline).
#pragma once

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "policy/bundle/bundle_source.h"
#include "policy/bundle/signatures.h"
#include "policy/decision/decision_engine.h"
#include "policy/loading/snapshot_loader.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::testing {

inline constexpr UnixMillis kExampleNow = 1795780800000;  // 2026-11-27T12:00:00Z

// Loaded unsigned: these tests are about threads, not signatures.
inline std::shared_ptr<const decision::DecisionEngine> example_engine() {
  std::string example = std::string(CROSSGATE_SOURCE_DIR) + "/deploy/example/";
  loading::TrustSettings trust;
  trust.allow_unsigned = true;
  auto files = [&](const char* folder) {
    auto read = bundle::read_bundle_source(example + folder);
    REQUIRE(read.ok());
    bundle::BundleFiles out = std::move(*read);
    out.files.erase(bundle::kSignaturesFile);
    return out;
  };
  auto bundle = loading::load_policy_bundle(files("bundle"), trust, kExampleNow);
  REQUIRE(bundle.ok());
  auto registry = loading::load_owner_registry(files("registry"), trust, kExampleNow);
  REQUIRE(registry.ok());
  auto engine = loading::make_engine(*bundle, *registry);
  REQUIRE(engine.ok());
  return *engine;
}

// A cross-account Converse call of the example's assistant workload: an ALLOW.
inline decision::RequestFacts example_facts() {
  decision::RequestFacts facts;
  facts.request_id = "concurrency";
  facts.action = "Converse";
  facts.resource = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
  facts.source_account = "111122223333";
  facts.source_region = "us-east-1";
  facts.target_account = "444455556666";
  facts.target_region = "us-east-1";
  facts.data_classification = "internal";
  return facts;
}

inline constexpr const char* kExampleWorkload = "spiffe://example.org/ns/claims/sa/assistant";

// What a reload thread does while request threads decide: activates `engines` in turn until
// the requests have decided `at_least` times, then tells them to stop.
inline void swap_engines_until(
    server::SnapshotHolder& holder,
    const std::vector<std::shared_ptr<const decision::DecisionEngine>>& engines,
    const std::atomic<int>& decided, int at_least, std::atomic<bool>& stop) {
  for (std::size_t i = 0; decided.load() < at_least; ++i) {
    holder.activate(engines[i % engines.size()]);
    std::this_thread::yield();
  }
  stop.store(true);
}

}  // namespace crossgate::testing
