// The fixed world the decision fuzzers decide in: the example policy bundle and owner
// registry of deploy/example (loaded unsigned: signatures are not what these fuzzers
// test), the example identity settings and key sets, at a fixed time so that a run is
// reproducible and seed tokens minted for that time stay valid.
#pragma once

#include <memory>

#include "fuzz/fuzz_support.h"
#include "policy/bundle/signatures.h"
#include "policy/decision/identity_resolver.h"
#include "policy/loading/snapshot_loader.h"
#include "server/config/server_config.h"
#include "server/daemon/runtime.h"

namespace crossgate::fuzz {

// 2026-11-27T12:00:00Z; scripts/fuzz_seeds.py mints its tokens for the same instant.
inline constexpr std::int64_t kNowSeconds = 1795780800;

struct DecisionWorld {
  server::ServerConfig config;
  std::shared_ptr<const decision::DecisionEngine> engine;
  std::unique_ptr<decision::IdentityResolver> identity;
};

inline const DecisionWorld& decision_world() {
  static const DecisionWorld* w = [] {
    auto* made = new DecisionWorld;
    std::string example = std::string(CROSSGATE_SOURCE_DIR) + "/deploy/example/";
    auto config = server::load_server_config(example + "crossgate.yaml");
    made->config = std::move(must(config, "example configuration"));
    auto verifier = server::make_jwt_verifier(made->config);
    made->identity = std::make_unique<decision::IdentityResolver>(must(verifier, "key sets"));

    loading::TrustSettings trust;
    trust.allow_unsigned = true;
    auto unsigned_files = [&](const char* folder) {
      auto files = bundle::read_bundle_source(example + folder);
      bundle::BundleFiles out = std::move(must(files, folder));
      out.files.erase(bundle::kSignaturesFile);
      return out;
    };
    auto bundle = loading::load_policy_bundle(unsigned_files("bundle"), trust, kNowSeconds * 1000);
    auto registry =
        loading::load_owner_registry(unsigned_files("registry"), trust, kNowSeconds * 1000);
    auto engine = loading::make_engine(must(bundle, "example bundle"), must(registry, "registry"));
    made->engine = must(engine, "engine");
    return made;
  }();
  return *w;
}

}  // namespace crossgate::fuzz
