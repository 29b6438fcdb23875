// Per-decision latency of the Cedar engine on the OOPSLA 2024 scenarios (gdrive, github,
// tinytodo at N = 5 and 50) from ../shared/bench/oopsla.
//
// Before timing anything, every request's decision and determining policies are checked
// against the expected answer; a mismatch stops the program. Each benchmark iteration is
// one authorization (cycling through the scenario's 500 requests), timed on its own, so
// the reported median and p99 (counters p50_us, p99_us) are per decision. Entities and
// policies are loaded once, outside the timed region, as a gateway would hold them.
//
//   cedar_oopsla_bench [--oopsla-dir DIR] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "policy/cedar/authorizer/authorizer.h"
#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/entities/json_value.h"
#include "policy/cedar/schema/schema.h"

namespace fs = std::filesystem;
using namespace crossgate::cedar;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(2);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

template <class T>
T must(Result<T> result) {
  if (!result.ok()) {
    std::cerr << result.message() << "\n";
    std::exit(2);
  }
  return std::move(result.value());
}

struct Scenario {
  std::string name;
  Schema schema;
  PolicySet policies;
  Entities entities;
  Arena arena;  // owns the request uids
  std::vector<Request> requests;
};

std::unique_ptr<Scenario> load(const fs::path& dir, std::string name) {
  auto s = std::make_unique<Scenario>();
  s->name = std::move(name);
  s->schema = must(parse_json_schema(read_file(dir / "schema.cedarschema.json"),
                                     (dir / "schema.cedarschema.json").string()));
  s->policies =
      must(PolicySet::parse(read_file(dir / "policies.cedar"), (dir / "policies.cedar").string()));
  s->entities = must(parse_entities_json(read_file(dir / "entities.json"), &s->schema,
                                         (dir / "entities.json").string()));
  nlohmann::json requests = must(parse_json(read_file(dir / "requests.json"), "requests.json"));
  JsonValueReader reader(s->arena, nullptr);
  Authorizer authorizer;
  std::size_t mismatches = 0;
  for (const nlohmann::json& r : requests) {
    const EntityUid *principal, *action, *resource;
    std::string error;
    if (!reader.read_uid(r["principal"], principal, error) ||
        !reader.read_uid(r["action"], action, error) ||
        !reader.read_uid(r["resource"], resource, error)) {
      std::cerr << s->name << ": bad request: " << error << "\n";
      std::exit(2);
    }
    Value context = must(parse_context_json(r["context"], s->arena, &s->schema, action, "context"));
    Request request{*principal, *action, *resource, context};
    Response response = authorizer.authorize(s->policies, request, s->entities);
    std::string decision = response.decision == Decision::kAllow ? "allow" : "deny";
    std::set<std::string> reasons, expected;
    for (std::uint32_t p : response.determining)
      reasons.insert(s->policies.at(p).id);
    for (const auto& id : r["expected"]["reason"])
      expected.insert(id.get<std::string>());
    if (decision != r["expected"]["decision"].get<std::string>() || reasons != expected ||
        !response.errors.empty()) {
      ++mismatches;
    }
    s->requests.push_back(request);
  }
  if (mismatches != 0) {
    std::cerr << s->name << ": " << mismatches << " answers differ from the expected ones\n";
    std::exit(1);
  }
  std::cerr << s->name << ": all " << s->requests.size() << " answers match the expected ones\n";
  return s;
}

void run_scenario(benchmark::State& state, const Scenario* scenario) {
  Authorizer authorizer;
  Response response;
  std::vector<double> micros;
  micros.reserve(1 << 20);
  std::size_t i = 0;
  std::size_t allows = 0;
  for (auto _ : state) {
    const Request& request = scenario->requests[i];
    if (++i == scenario->requests.size()) i = 0;
    auto start = std::chrono::steady_clock::now();
    authorizer.authorize(scenario->policies, request, scenario->entities, response);
    auto stop = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(stop - start).count();
    state.SetIterationTime(seconds);
    if (micros.size() < micros.capacity()) micros.push_back(seconds * 1e6);
    allows += response.decision == Decision::kAllow;
  }
  benchmark::DoNotOptimize(allows);
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto percentile = [&](double p) {
    return micros[std::min(micros.size() - 1, static_cast<std::size_t>(p * micros.size()))];
  };
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  state.counters["decisions"] = static_cast<double>(micros.size());
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = CROSSGATE_DEFAULT_OOPSLA_DIR;
  if (const char* env = std::getenv("CROSSGATE_OOPSLA_DIR")) dir = env;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--oopsla-dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!fs::exists(dir)) {
    std::cerr << "cedar_oopsla_bench: " << dir.string()
              << " not found (the OOPSLA data lives in ../shared/bench/oopsla); skipping\n";
    return 77;
  }
  std::vector<std::unique_ptr<Scenario>> scenarios;
  for (const char* app : {"gdrive", "github", "tinytodo"}) {
    for (const char* n : {"n5", "n50"}) {
      std::string name = std::string(app) + "/" + n;
      scenarios.push_back(load(dir / app / n, name));
      benchmark::RegisterBenchmark(("oopsla/" + name).c_str(), run_scenario, scenarios.back().get())
          ->UseManualTime()
          ->Iterations(200000);
    }
  }
  int count = static_cast<int>(rest.size());
  benchmark::Initialize(&count, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
