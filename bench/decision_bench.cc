// The cost of one decision without the network: verifying a cached token, the engine
// (normalization, guardrails, Cedar, obligations) and the record (building, serializing,
// hashing), on the example bundle and registry. Reported per decision; use it to see
// where the time goes and to compare changes (ratios, not absolute numbers).
#include <benchmark/benchmark.h>

#include <string>

#include "policy/decision/decision_engine.h"
#include "policy/decision/decision_record.h"
#include "policy/decision/identity_resolver.h"
#include "policy/identity/jwks.h"
#include "policy/loading/snapshot_loader.h"
#include "tests/support/jwt_minter.h"

namespace {

using namespace crossgate;

const std::string kExample = CROSSGATE_EXAMPLE_DIR;

std::shared_ptr<const decision::DecisionEngine> engine() {
  static std::shared_ptr<const decision::DecisionEngine> e = [] {
    loading::TrustSettings trust;
    (void)trust.policy_bundle.keys.add_pem_file(kExample + "/keys/EXAMPLE-policy-owner.pub.pem");
    (void)trust.owner_registry.keys.add_pem_file(kExample + "/keys/EXAMPLE-registry.pub.pem");
    auto bundle = loading::load_policy_bundle(kExample + "/bundle", trust, now_millis());
    auto registry = loading::load_owner_registry(kExample + "/registry", trust, now_millis());
    if (!bundle.ok() || !registry.ok()) std::abort();
    return *loading::make_engine(*bundle, *registry);
  }();
  return e;
}

decision::DecisionInput input() {
  decision::DecisionInput in;
  in.time = now_millis();
  in.identity.type = decision::EvidenceType::kJwtSvid;
  in.identity.verified = true;
  in.identity.spiffe_id = "spiffe://example.org/ns/claims/sa/assistant";
  in.identity.issued_at = in.time - 60'000;
  in.identity.expires_at = in.time + 240'000;
  in.identity.token_sha256 = std::string(64, 'a');
  in.facts.request_id = "bench";
  in.facts.action = "Converse";
  in.facts.resource = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
  in.facts.source_account = "111122223333";
  in.facts.source_region = "us-east-1";
  in.facts.target_account = "444455556666";
  in.facts.target_region = "us-east-1";
  in.facts.data_classification = "internal";
  return in;
}

void BM_Decide(benchmark::State& state) {
  auto e = engine();
  decision::DecisionInput in = input();
  decision::DecisionScratch scratch;
  for (auto _ : state) {
    auto d = e->decide(in, scratch);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Decide);

void BM_DecideAndRecord(benchmark::State& state) {
  auto e = engine();
  decision::DecisionInput in = input();
  decision::DecisionScratch scratch;
  std::string previous(decision::kGenesisHash);
  std::uint64_t seq = 1;
  for (auto _ : state) {
    auto d = e->decide(in, scratch);
    std::string body =
        decision::record_json(in, *d, e->bundle_version(), e->registry_version(), 10);
    std::string line = decision::chain_record(body, seq++, previous);
    previous = decision::record_hash(line);
    benchmark::DoNotOptimize(line);
  }
}
BENCHMARK(BM_DecideAndRecord);

void BM_VerifyCachedToken(benchmark::State& state) {
  namespace t = crossgate::testing;
  t::SigningKey key = t::SigningKey::ec_p256("k");
  identity::JwtPolicy policy;
  policy.audience = "crossgate";
  auto set = identity::JwkSet::parse(t::jwks_json({&key}), "bench");
  policy.trust_domains.push_back(
      {"example.org", std::make_shared<const identity::JwkSet>(std::move(set.value()))});
  auto verifier = std::make_shared<identity::JwtVerifier>(std::move(policy));
  std::int64_t now = now_millis() / 1000;
  std::string token = t::mint_jwt(
      key, t::jwt_svid_claims("spiffe://example.org/ns/claims/sa/assistant", "crossgate", now));
  decision::IdentityResolver resolver(verifier);
  decision::DecisionRequest request;
  request.evidence = decision::EvidenceType::kJwtSvid;
  request.token = token;
  for (auto _ : state) {
    auto id = resolver.resolve(request, {}, now * 1000);
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_VerifyCachedToken);

}  // namespace

BENCHMARK_MAIN();
