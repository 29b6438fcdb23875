// Replaying decision records against a candidate bundle (server/replay/replayer.h): records
// made by the real engine on the example bundle and registry and written by the real
// DecisionLog (with a rotation, so a log-start line), replayed against candidates that are
// copies of the example bundle with one policy changed.
#include "server/replay/replayer.h"

#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "policy/decision/decision_record.h"
#include "policy/loading/snapshot_loader.h"
#include "server/log/decision_log.h"
#include "server/log/log_files.h"
#include "tests/support/sanitizers.h"

namespace crossgate::server {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::ContainsSubstring;
using decision::DecisionInput;
using Ids = std::set<std::string>;

const fs::path kExample = fs::path(CROSSGATE_SOURCE_DIR) / "deploy" / "example";
const UnixMillis kNow = *parse_rfc3339("2026-11-27T01:00:00Z");

struct TempDir {
  fs::path path;
  TempDir() {
    path =
        fs::temp_directory_path() / ("crossgate-replay-test-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

loading::TrustSettings example_trust(bool allow_unsigned) {
  loading::TrustSettings trust;
  REQUIRE(
      trust.policy_bundle.keys.add_pem_file(kExample / "keys/EXAMPLE-policy-owner.pub.pem").ok());
  REQUIRE(trust.owner_registry.keys.add_pem_file(kExample / "keys/EXAMPLE-registry.pub.pem").ok());
  trust.allow_unsigned = allow_unsigned;
  return trust;
}

std::shared_ptr<const decision::DecisionEngine> engine_for(const fs::path& bundle_dir,
                                                           bool allow_unsigned) {
  loading::TrustSettings trust = example_trust(allow_unsigned);
  auto bundle = loading::load_policy_bundle(bundle_dir, trust, kNow);
  INFO((bundle.ok() ? std::string() : bundle.message()));
  REQUIRE(bundle.ok());
  auto registry = loading::load_owner_registry(kExample / "registry", trust, kNow);
  INFO((registry.ok() ? std::string() : registry.message()));
  REQUIRE(registry.ok());
  auto engine = loading::make_engine(*bundle, *registry);
  INFO((engine.ok() ? std::string() : engine.message()));
  REQUIRE(engine.ok());
  return *engine;
}

// The signed example bundle: what the records were decided with.
std::shared_ptr<const decision::DecisionEngine> active_engine() {
  static std::shared_ptr<const decision::DecisionEngine> engine =
      engine_for(kExample / "bundle", false);
  return engine;
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::trunc) << text;
}

// An unsigned copy of the example bundle, to be edited.
fs::path copy_bundle(const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy(kExample / "bundle", to, fs::copy_options::recursive);
  fs::remove(to / "signatures.json");
  return to;
}

// Candidate B: restricted data may leave its region (the forbid is gone), and the
// anthropic permit now admits restricted data but no longer confidential data.
std::shared_ptr<const decision::DecisionEngine> candidate_b(const fs::path& dir) {
  fs::path bundle = copy_bundle(dir / "candidate-b");
  replace_in(bundle / "policies/boundaries.cedar",
             "@id(\"restricted-data-stays-in-its-region\")\n"
             "forbid (principal, action, resource)\n"
             "when { context.crossRegion && context.dataClassification == \"restricted\" };\n",
             "");
  replace_in(bundle / "policies/invocation.cedar", "context.dataClassification != \"restricted\"",
             "context.dataClassification != \"confidential\"");
  return engine_for(bundle, true);
}

// Candidate C: the extra context attribute `ticket` is renamed `change`, so a request that
// carries a ticket is malformed for it.
std::shared_ptr<const decision::DecisionEngine> candidate_c(const fs::path& dir) {
  fs::path bundle = copy_bundle(dir / "candidate-c");
  replace_in(bundle / "schema.cedarschema", "ticket?: String", "change?: String");
  replace_in(bundle / "policies/boundaries.cedar", "context.extra has ticket",
             "context.extra has change");
  return engine_for(bundle, true);
}

constexpr const char* kProfile =
    "arn:aws:bedrock:us-east-1:444455556666:inference-profile/"
    "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
constexpr const char* kHaiku = "anthropic.claude-3-haiku-20240307-v1:0";
constexpr const char* kNovaProfile = "us.amazon.nova-pro-v1:0";

DecisionInput claims_request(const std::string& request_id, const std::string& resource,
                             const std::string& classification) {
  DecisionInput in;
  in.time = kNow;
  in.identity.type = decision::EvidenceType::kJwtSvid;
  in.identity.verified = true;
  in.identity.spiffe_id = "spiffe://example.org/ns/claims/sa/assistant";
  in.identity.issued_at = kNow - 60'000;
  in.identity.expires_at = kNow + 240'000;
  in.identity.token_sha256 = std::string(64, 'a');
  in.facts.request_id = request_id;
  in.facts.action = "Converse";
  in.facts.resource = resource;
  in.facts.source_account = "111122223333";
  in.facts.source_region = "us-east-1";
  in.facts.target_account = "444455556666";
  in.facts.target_region = "us-east-1";
  in.facts.data_classification = classification;
  return in;
}

struct Case {
  DecisionInput input;
  std::string decision;  // expected under the active bundle
  std::vector<std::string> reasons;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  out.push_back({claims_request("internal", kProfile, "internal"), "ALLOW", {}});
  out.push_back({claims_request("confidential", kHaiku, "confidential"), "ALLOW", {}});
  out.push_back(
      {claims_request("restricted-profile", kProfile, "restricted"), "DENY", {"POLICY_FORBID"}});
  out.push_back(
      {claims_request("restricted-local", kHaiku, "restricted"), "DENY", {"POLICY_NO_PERMIT"}});
  out.push_back(
      {claims_request("restricted-nova", kNovaProfile, "restricted"), "DENY", {"POLICY_FORBID"}});
  DecisionInput shared = claims_request("shared-role", kHaiku, "internal");
  shared.identity = decision::VerifiedIdentity{};
  shared.identity.type = decision::EvidenceType::kAwsSession;
  shared.identity.verified = true;
  shared.identity.role_arn = "arn:aws:iam::111122223333:role/shared-reporting";
  shared.identity.issued_at = kNow;
  shared.identity.expires_at = kNow + 600'000;
  out.push_back({shared, "DENY", {"UNATTRIBUTED", "SHARED_IDENTITY", "NO_EXPLICIT_TRUST"}});
  DecisionInput chain = claims_request("ticket", kHaiku, "internal");
  chain.facts.call_chain = {{"claims-assistant-prod", "agent"},
                            {"claims-deploy-pipeline", "tool"},
                            {"claims-assistant-prod", "tool"}};
  chain.facts.extra = nlohmann::json{{"ticket", "CHG-1"}};
  out.push_back({chain, "ALLOW", {}});
  chain.facts.request_id = "no-ticket";
  chain.facts.extra = nlohmann::json::object();
  out.push_back({chain, "DENY", {"POLICY_FORBID"}});
  return out;
}

// The records of cases(), written by the real DecisionLog with one rotation in the middle,
// so that the second file starts with a log-start record. Fills request id -> decision id.
std::vector<fs::path> write_log(const fs::path& dir, std::map<std::string, std::string>& ids) {
  const decision::DecisionEngine& engine = *active_engine();
  decision::DecisionScratch scratch;
  std::vector<nlohmann::ordered_json> records;
  for (const Case& c : cases()) {
    auto d = engine.decide(c.input, scratch);
    REQUIRE(d.ok());
    INFO(c.input.facts.request_id);
    REQUIRE((d->allow ? "ALLOW" : "DENY") == c.decision);  // the premise of every test
    REQUIRE(d->reasons == c.reasons);
    ids[c.input.facts.request_id] = d->decision_id;
    records.push_back(
        decision::make_record(c.input, *d, engine.bundle_version(), engine.registry_version(), 10));
  }
  fs::path active = dir / "decisions.log";
  auto append = [&](std::size_t from, std::size_t to, std::uint64_t rotate_bytes) {
    LogOptions options{active};
    options.rotate_bytes = rotate_bytes;
    auto log = DecisionLog::open(options);
    REQUIRE(log.ok());
    std::string error;
    for (std::size_t i = from; i < to; ++i)
      REQUIRE((*log)->append(records[i], error));
  };
  append(0, 4, 0);
  append(4, 5, 1);  // rotates before writing: one rotated file, a log-start line
  append(5, records.size(), 0);
  std::vector<fs::path> files = log_chain_files(active);
  REQUIRE(files.size() == 2);
  return files;
}

ReplayReport replay(std::shared_ptr<const decision::DecisionEngine> candidate,
                    const std::vector<fs::path>& files, ReplayOptions options = {}) {
  Replayer replayer(std::move(candidate), options);
  for (const fs::path& file : files) {
    cedar::Status read = replayer.replay_file(file);
    INFO((read.ok() ? std::string() : read.message()));
    REQUIRE(read.ok());
  }
  return replayer.report();
}

Ids ids_of(const std::vector<ReplayChange>& changes) {
  Ids out;
  for (const ReplayChange& c : changes)
    out.insert(c.decision_id);
  return out;
}

Ids ids(const std::map<std::string, std::string>& by_request,
        std::initializer_list<const char*> requests) {
  Ids out;
  for (const char* r : requests)
    out.insert(by_request.at(r));
  return out;
}

TEST_CASE("replay: a candidate's changes, counted by kind and named by decision id", "[replay]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  std::vector<fs::path> files = write_log(dir.path, decision_ids);
  ReplayReport r = replay(candidate_b(dir.path), files);

  CHECK(r.counts.replayed == 8);
  CHECK(r.counts.unchanged == 4);
  CHECK(r.counts.allow_to_deny == 1);
  CHECK(r.counts.deny_to_allow == 2);
  CHECK(r.counts.reasons_changed == 1);
  CHECK(r.counts.now_refused == 0);
  CHECK(r.counts.unreadable == 0);
  CHECK(r.counts.skipped == 1);  // the log-start line of the second file
  CHECK(r.has_flips());
  CHECK(ids_of(r.allow_to_deny) == ids(decision_ids, {"confidential"}));
  CHECK(ids_of(r.deny_to_allow) == ids(decision_ids, {"restricted-profile", "restricted-local"}));
  CHECK(ids_of(r.reasons_changed) == ids(decision_ids, {"restricted-nova"}));
  CHECK(r.files == std::vector<std::string>{files[0].string(), files[1].string()});
  CHECK(r.bundle.signer_key_ids.empty());  // the candidate is unsigned
  CHECK(r.registry.name == "example-owner-registry");

  REQUIRE(r.allow_to_deny.size() == 1);
  const ReplayChange& lost = r.allow_to_deny[0];
  CHECK(lost.request_id == "confidential");
  CHECK(lost.workload == "claims-assistant-prod");
  CHECK(lost.api == "Converse");
  CHECK(lost.action == "bedrock:InvokeModel");
  CHECK(lost.resource ==
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
  CHECK(lost.time == "2026-11-27T01:00:00.000Z");
  CHECK(lost.file == files[0].string());
  CHECK(lost.line == 2);
  CHECK(lost.before.decision == "ALLOW");
  REQUIRE(lost.before.determining.size() == 1);
  CHECK(lost.before.determining[0].name == "claims-assistant-may-invoke-anthropic");
  CHECK(lost.after.decision == "DENY");
  CHECK(lost.after.reasons == std::vector<std::string>{"POLICY_NO_PERMIT"});
  CHECK(lost.after.determining.empty());

  REQUIRE(r.reasons_changed.size() == 1);
  const ReplayChange& nova = r.reasons_changed[0];
  CHECK(nova.before.reasons == std::vector<std::string>{"POLICY_FORBID"});
  CHECK(nova.after.reasons == std::vector<std::string>{"POLICY_NO_PERMIT"});
  CHECK(nova.before.determining[0].name == "restricted-data-stays-in-its-region");

  for (const ReplayChange& gained : r.deny_to_allow) {
    CHECK(gained.after.decision == "ALLOW");
    REQUIRE(gained.after.determining.size() == 1);
    CHECK(gained.after.determining[0].name == "claims-assistant-may-invoke-anthropic");
  }
}

TEST_CASE("replay: the active bundle against its own records changes nothing", "[replay]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  ReplayReport r = replay(active_engine(), write_log(dir.path, decision_ids));
  CHECK(r.counts.replayed == 8);
  CHECK(r.counts.unchanged == 8);
  CHECK(r.counts.skipped == 1);
  CHECK_FALSE(r.has_flips());
  CHECK(r.allow_to_deny.empty());
  CHECK(r.deny_to_allow.empty());
  CHECK(r.reasons_changed.empty());
  CHECK(r.now_refused.empty());
  CHECK(r.bundle.digest == active_engine()->bundle_version().digest);
}

TEST_CASE("replay: reason-only changes are reported but are not flips", "[replay]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  std::vector<fs::path> files = write_log(dir.path, decision_ids);
  // Only the unchanged and reason-changing records.
  Replayer replayer(candidate_b(dir.path));
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::uint64_t number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      std::string request_id = nlohmann::json::parse(line).value("request_id", "");
      if (request_id == "internal" || request_id == "restricted-nova") {
        replayer.replay_line(line, file.string(), number);
      }
    }
  }
  const ReplayReport& r = replayer.report();
  CHECK(r.counts.replayed == 2);
  CHECK(r.counts.unchanged == 1);
  CHECK(r.counts.reasons_changed == 1);
  CHECK_FALSE(r.has_flips());
  CHECK(report_json(r)["gate"] == "pass");
}

TEST_CASE("replay: a request the candidate finds malformed is refused, a lost ALLOW a flip",
          "[replay]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  ReplayReport r = replay(candidate_c(dir.path), write_log(dir.path, decision_ids));
  CHECK(r.counts.replayed == 8);
  CHECK(r.counts.now_refused == 1);
  CHECK(r.counts.allow_now_refused == 1);
  CHECK(r.counts.unchanged == 7);
  CHECK(r.counts.allow_to_deny == 0);
  CHECK(r.has_flips());
  REQUIRE(r.now_refused.size() == 1);
  CHECK(r.now_refused[0].decision_id == decision_ids.at("ticket"));
  CHECK(r.now_refused[0].before.decision == "ALLOW");
  CHECK(r.now_refused[0].after.decision == "REFUSED");
  CHECK_THAT(r.now_refused[0].after.error, ContainsSubstring("\"ticket\" is not declared"));
}

TEST_CASE("replay: unreadable lines are counted with their place; non-decisions skipped",
          "[replay][bad-input]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  std::vector<fs::path> files = write_log(dir.path, decision_ids);
  std::ifstream first(files[0]);
  std::string good;
  std::getline(first, good);  // the "internal" record
  nlohmann::json wrong_type = nlohmann::json::parse(good);
  wrong_type["principal"]["verified"] = "yes";
  nlohmann::json no_principal = nlohmann::json::parse(good);
  no_principal.erase("principal");

  fs::path log = dir.path / "mixed.log";
  std::ofstream(log) << R"({"seq":1,"type":"log-start","time":"2026-11-27T00:00:00.000Z"})"
                     << "\n"
                     << good << "\n"
                     << "not json\n"
                     << "\n"  // blank lines are neither records nor unreadable
                     << "[1,2]\n"
                     << R"({"decision":"MAYBE"})"
                     << "\n"
                     << no_principal.dump() << "\n"
                     << wrong_type.dump() << "\n"
                     << good.substr(0, good.size() / 2) << "\n"  // a torn line
                     << R"({"seq":9,"hash":"00"})"
                     << "\n";

  ReplayOptions options;
  options.max_unreadable_listed = 4;
  ReplayReport r = replay(active_engine(), {log}, options);
  CHECK(r.counts.replayed == 1);
  CHECK(r.counts.unchanged == 1);
  CHECK(r.counts.skipped == 2);
  CHECK(r.counts.unreadable == 6);
  REQUIRE(r.unreadable.size() == 4);  // the first few, with file and line
  CHECK(r.unreadable[0].file == log.string());
  CHECK(r.unreadable[0].line == 3);
  CHECK_THAT(r.unreadable[0].error, ContainsSubstring("not JSON"));
  CHECK(r.unreadable[1].line == 5);
  CHECK(r.unreadable[1].error == "not a JSON object");
  CHECK(r.unreadable[2].line == 6);
  CHECK_THAT(r.unreadable[2].error, ContainsSubstring("neither ALLOW nor DENY"));
  CHECK(r.unreadable[3].line == 7);
  CHECK_THAT(r.unreadable[3].error, ContainsSubstring("missing \"principal\""));
  CHECK_FALSE(r.has_flips());
}

TEST_CASE("replay: files that cannot be read are errors", "[replay][bad-input]") {
  TempDir dir;
  Replayer replayer(active_engine());
  cedar::Status missing = replayer.replay_file(dir.path / "absent.log");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.message(), ContainsSubstring("absent.log: cannot open"));
  cedar::Status directory = replayer.replay_file(dir.path);
  REQUIRE_FALSE(directory.ok());
  CHECK_THAT(directory.message(), ContainsSubstring("is a directory"));
}

TEST_CASE("replay: denials for serving reasons are compared as the engine's decision", "[replay]") {
  // STALE_POLICY and LOG_UNAVAILABLE are added by the service, not the policy: a record
  // denied for them alone was the engine's ALLOW, and is unchanged under the same bundle.
  const decision::DecisionEngine& engine = *active_engine();
  decision::DecisionScratch scratch;
  DecisionInput in = claims_request("stale", kProfile, "internal");
  auto d = engine.decide(in, scratch);
  REQUIRE(d.ok());
  nlohmann::ordered_json record =
      decision::make_record(in, *d, engine.bundle_version(), engine.registry_version(), 1);
  record["decision"] = "DENY";
  record["reasons"] = {"STALE_POLICY"};
  record["obligations"] = nullptr;
  Replayer replayer(active_engine());
  replayer.replay_line(decision::chain_record(record.dump(), 1, decision::kGenesisHash), "log", 1);
  CHECK(replayer.report().counts.unchanged == 1);
  CHECK_FALSE(replayer.report().has_flips());
}

TEST_CASE("replay: every change is counted, at most --max-listed are kept", "[replay]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  std::vector<fs::path> files = write_log(dir.path, decision_ids);
  ReplayOptions options;
  options.max_listed = 1;
  ReplayReport r = replay(candidate_b(dir.path), files, options);
  CHECK(r.counts.deny_to_allow == 2);
  CHECK(r.deny_to_allow.size() == 1);
  CHECK(r.deny_to_allow[0].request_id == "restricted-profile");  // the first in log order
  options.max_listed = 0;
  ReplayReport none = replay(candidate_b(dir.path / "again"), files, options);
  CHECK(none.counts.allow_to_deny == 1);
  CHECK(none.allow_to_deny.empty());
}

TEST_CASE("replay: the JSON report has the counts, the candidate and the changes", "[replay]") {
  TempDir dir;
  std::map<std::string, std::string> decision_ids;
  ReplayReport r = replay(candidate_b(dir.path), write_log(dir.path, decision_ids));
  nlohmann::json j = nlohmann::json::parse(report_json(r).dump());
  CHECK(j["gate"] == "fail");
  CHECK(j["counts"]["replayed"] == 8);
  CHECK(j["counts"]["allow_to_deny"] == 1);
  CHECK(j["counts"]["deny_to_allow"] == 2);
  CHECK(j["counts"]["reasons_changed"] == 1);
  CHECK(j["counts"]["skipped"] == 1);
  CHECK(j["candidate"]["bundle"]["name"] == "bedrock-cross-boundary");
  CHECK(j["candidate"]["bundle"]["signed"] == false);
  CHECK(j["candidate"]["registry"]["signed"] == true);
  CHECK(j["candidate"]["registry"]["digest"] == active_engine()->registry_version().digest);
  const nlohmann::json& lost = j["changes"]["allow_to_deny"][0];
  CHECK(lost["decision_id"] == decision_ids.at("confidential"));
  CHECK(lost["before"]["decision"] == "ALLOW");
  CHECK(lost["after"]["decision"] == "DENY");
  CHECK(lost["after"]["reasons"] == nlohmann::json{"POLICY_NO_PERMIT"});
  CHECK(j["changes"]["deny_to_allow"].size() == 2);
  CHECK(j["changes"]["now_refused"].empty());
  CHECK(j["unreadable"].empty());
}

// Resident and peak memory of this process, in bytes, from /proc/self/status.
std::uint64_t status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

TEST_CASE("replay: 100k records stream in bounded memory", "[replay][slow]") {
  TempDir dir;
  const decision::DecisionEngine& engine = *active_engine();
  decision::DecisionScratch scratch;
  std::vector<nlohmann::ordered_json> records;
  for (const Case& c : cases()) {
    auto d = engine.decide(c.input, scratch);
    REQUIRE(d.ok());
    records.push_back(
        decision::make_record(c.input, *d, engine.bundle_version(), engine.registry_version(), 10));
  }
  constexpr std::uint64_t kRecords = 100'000;
  fs::path log = dir.path / "big.log";
  {
    auto opened = DecisionLog::open(LogOptions{log});
    REQUIRE(opened.ok());
    std::string error;
    std::uint64_t failed = 0;
    for (std::uint64_t i = 0; i < kRecords; ++i)
      failed += (*opened)->append(records[i % records.size()], error) ? 0 : 1;
    REQUIRE(failed == 0);
  }
  const std::uint64_t file_bytes = fs::file_size(log);
  REQUIRE(file_bytes > 100'000'000);  // large enough that holding it would show

  auto candidate = candidate_b(dir.path);  // loaded before measuring
  const std::uint64_t resident_before = status_kib("VmRSS");
  ReplayReport r = replay(candidate, {log});
  const std::uint64_t peak = status_kib("VmHWM");

  CHECK(r.counts.replayed == kRecords);
  CHECK(r.counts.allow_to_deny == kRecords / 8);
  CHECK(r.counts.deny_to_allow == 2 * kRecords / 8);
  CHECK(r.counts.reasons_changed == kRecords / 8);
  CHECK(r.counts.unchanged == 4 * kRecords / 8);
  CHECK(r.allow_to_deny.size() == 100);  // the default --max-listed: the rest only counted
  CHECK(r.deny_to_allow.size() == 100);
  // Streaming: the peak grows by far less than the log (a few MB of lists and buffers).
  INFO("log " << file_bytes << " B, resident before " << resident_before << " B, peak " << peak
              << " B");
  if (!testing::kAddressSanitizer) CHECK(peak - resident_before < file_bytes / 8);
}

}  // namespace
}  // namespace crossgate::server
