// End-to-end test of `crossgate serve` through the generated C++ client.
//
// The process builds a test world with fixture.py (its own keys, the example bundle and
// registry signed by `crossgate sign`, ready-minted tokens in tokens.json), starts the real
// daemon on 127.0.0.1 port 0 (the port is read from its stderr), and calls it. Every
// answer is checked against the decision log: one new record per answered decision, with
// the answer's decision id, the next seq and the previous line's hash; refused calls add
// nothing. The daemon and the world's folder go away when the process ends.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "crossgate/v1/decision.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace v1 = crossgate::v1;
using nlohmann::json;

constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char* kHaiku = "anthropic.claude-3-haiku-20240307-v1:0";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// Starts `argv` with stdout discarded and stderr written to `stderr_file`.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& stderr_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
  return pid;
}

// The world and the daemon, started once per process.
class Daemon {
 public:
  static Daemon& get() {
    static Daemon daemon;
    return daemon;
  }

  ~Daemon() {
    decisions.reset();
    health.reset();
    channel.reset();
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  json world;   // world.json: paths and the expected digests
  json tokens;  // tokens.json: ready-minted tokens
  fs::path log_path;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::DecisionService::Stub> decisions;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;

 private:
  Daemon() {
    std::string dir_template = (fs::temp_directory_path() / "crossgate-e2e-cpp-XXXXXX").string();
    if (mkdtemp(dir_template.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir_template;
    build_world();
    start();
  }

  void build_world() {
    fs::path out = dir_ / "world";
    fs::path errors = dir_ / "fixture.stderr";
    pid_t pid = spawn({CROSSGATE_E2E_PYTHON, CROSSGATE_E2E_FIXTURE, "--crossgate",
                       CROSSGATE_E2E_BINARY, "--out", out.string()},
                      errors);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error("fixture.py failed:\n" + read_text(errors));
    }
    world = json::parse(read_text(out / "world.json"));
    tokens = json::parse(read_text(out / "tokens.json"));
    log_path = world["plaintext_log"].get<std::string>();
  }

  void start() {
    fs::path output = dir_ / "daemon.stderr";
    pid_ = spawn({CROSSGATE_E2E_BINARY, "serve", "--config", world["plaintext_config"]}, output);
    // The daemon reports its port as "serving on 127.0.0.1:<port>".
    const std::string serving = "serving on 127.0.0.1:";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string text = read_text(output);
      std::size_t at = text.find(serving);
      std::size_t digits_end =
          at == std::string::npos ? at : text.find_first_not_of("0123456789", at + serving.size());
      if (at != std::string::npos && digits_end != std::string::npos &&
          digits_end > at + serving.size()) {
        std::string port = text.substr(at + serving.size(), digits_end - at - serving.size());
        channel = grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials());
        decisions = v1::DecisionService::NewStub(channel);
        health = grpc::health::v1::Health::NewStub(channel);
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        throw std::runtime_error("crossgate serve exited early:\n" + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("crossgate serve did not report its port:\n" + read_text(output));
  }

  fs::path dir_;
  pid_t pid_ = 0;
};

// The records the daemon appended since the last call, checked to continue the chain.
class LogFollower {
 public:
  std::vector<json> take() {
    std::vector<std::string> lines = read_lines(Daemon::get().log_path);
    std::vector<json> records;
    for (std::size_t i = seen_; i < lines.size(); ++i) {
      json record = json::parse(lines[i]);
      CHECK(record["seq"] == last_seq_ + 1);
      CHECK(record["prev"] == last_hash_);
      last_seq_ = record["seq"].get<std::uint64_t>();
      last_hash_ = sha256_hex(lines[i]);
      records.push_back(std::move(record));
    }
    seen_ = lines.size();
    return records;
  }

 private:
  std::size_t seen_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string last_hash_ = kGenesis;
};

LogFollower& log_follower() {
  static LogFollower follower;
  return follower;
}

std::string token(const char* name) {
  return Daemon::get().tokens.at(name).get<std::string>();
}

v1::AuthorizeRequest make_request(const std::string& jwt_svid) {
  static int next_id = 1;
  v1::AuthorizeRequest r;
  r.set_request_id("cpp-" + std::to_string(next_id++));
  if (!jwt_svid.empty()) r.mutable_identity()->set_jwt_svid(jwt_svid);
  r.set_action("Converse");
  r.set_resource(kHaiku);
  r.set_source_account("111122223333");
  r.set_source_region("us-east-1");
  r.set_target_account("444455556666");
  r.set_target_region("us-east-1");
  r.set_data_classification("internal");
  return r;
}

std::vector<std::string> reasons(const v1::AuthorizeResponse& response) {
  return {response.reason_codes().begin(), response.reason_codes().end()};
}

// The record of one answer: its decision id, decision and reasons, and no raw token.
void check_record(const json& record, const v1::AuthorizeRequest& request,
                  const v1::AuthorizeResponse& response) {
  CHECK(record["decision_id"] == response.decision_id());
  CHECK(record["request_id"] == request.request_id());
  CHECK(record["decision"] == v1::Decision_Name(response.decision()));
  CHECK(record["reasons"].get<std::vector<std::string>>() == reasons(response));
  CHECK(record["workload"] == response.workload_id());
  CHECK(record["bundle"]["digest"] == Daemon::get().world["policy_bundle"]["digest"]);
  if (!request.identity().jwt_svid().empty()) {
    CHECK(record["principal"]["token_sha256"] == sha256_hex(request.identity().jwt_svid()));
    CHECK(read_text(Daemon::get().log_path).find(request.identity().jwt_svid()) ==
          std::string::npos);
  }
}

v1::AuthorizeResponse authorize(const v1::AuthorizeRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::AuthorizeResponse response;
  grpc::Status status = Daemon::get().decisions->Authorize(&context, request, &response);
  REQUIRE(status.ok());
  CHECK(response.request_id() == request.request_id());
  std::vector<json> records = log_follower().take();
  REQUIRE(records.size() == 1);
  check_record(records[0], request, response);
  return response;
}

}  // namespace

TEST_CASE("ALLOW for a registered workload's JWT-SVID, with owners and obligations") {
  v1::AuthorizeResponse r = authorize(make_request(token("claims_assistant")));
  CHECK(r.decision() == v1::ALLOW);
  CHECK(reasons(r).empty());
  CHECK(r.workload_id() == "claims-assistant-prod");
  CHECK(r.owners().identity().id() == "team-claims-platform");
  CHECK(r.owners().platform().id() == "team-ml-platform");
  CHECK(r.owners().policy().id() == "team-ai-governance");
  CHECK(r.obligations().role_arn() == "arn:aws:iam::444455556666:role/bedrock-invoker-claims");
  CHECK(r.obligations().role_session_name() == "cg-" + r.decision_id());
  CHECK(r.obligations().source_identity() == "claims-assistant-prod");
  CHECK(r.obligations().session_tags().at("crossgate:decision") == r.decision_id());
  CHECK(r.obligations().duration_seconds() == 3600);
}

TEST_CASE("ALLOW for the deploy pipeline's GitHub OIDC token") {
  v1::AuthorizeRequest request = make_request("");
  request.mutable_identity()->set_oidc_token(token("pipeline"));
  request.set_action("ApplyGuardrail");
  request.set_resource("arn:aws:bedrock:us-east-1:444455556666:guardrail/gr0123abcd");
  v1::AuthorizeResponse r = authorize(request);
  CHECK(r.decision() == v1::ALLOW);
  CHECK(r.workload_id() == "claims-deploy-pipeline");
}

TEST_CASE("DENY names its reasons") {
  struct Case {
    const char* token;
    std::vector<std::string> reasons;
  };
  const Case cases[] = {
      {"unregistered", {"UNATTRIBUTED", "NO_EXPLICIT_TRUST"}},
      {"bad_signature", {"UNATTRIBUTED", "NO_EXPLICIT_TRUST"}},
      {"retired_workload", {"UNATTRIBUTED", "NO_EXPLICIT_TRUST"}},
      {"too_long_lifetime", {"CREDENTIAL_LIFETIME"}},
      {"expired", {"CREDENTIAL_LIFETIME"}},
  };
  for (const Case& c : cases) {
    INFO("token " << c.token);
    v1::AuthorizeResponse r = authorize(make_request(token(c.token)));
    CHECK(r.decision() == v1::DENY);
    CHECK(reasons(r) == c.reasons);
    CHECK_FALSE(r.has_obligations());
  }
  {
    INFO("a dev workload into a prod account");
    v1::AuthorizeRequest request = make_request(token("churn_model_dev"));
    request.set_action("InvokeModel");
    request.set_resource("amazon.nova-pro-v1:0");
    request.set_source_account("777788889999");
    v1::AuthorizeResponse r = authorize(request);
    CHECK(r.decision() == v1::DENY);
    CHECK(reasons(r) == std::vector<std::string>{"ENVIRONMENT_MISMATCH"});
    CHECK(r.owners().identity().id() == "team-data-science");
  }
}

TEST_CASE("AuthorizeBatch answers in order; a malformed item gets its own error") {
  v1::AuthorizeBatchRequest batch;
  *batch.add_requests() = make_request(token("claims_assistant"));
  v1::AuthorizeRequest malformed = make_request(token("claims_assistant"));
  malformed.set_source_account("not-an-account");
  *batch.add_requests() = malformed;
  *batch.add_requests() = make_request(token("unregistered"));

  grpc::ClientContext context;
  v1::AuthorizeBatchResponse answer;
  REQUIRE(Daemon::get().decisions->AuthorizeBatch(&context, batch, &answer).ok());
  REQUIRE(answer.results_size() == 3);
  CHECK(answer.results(0).response().decision() == v1::ALLOW);
  CHECK(answer.results(1).has_error());
  CHECK(answer.results(1).error().code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(answer.results(1).error().message().starts_with("source_account:"));
  CHECK(answer.results(2).response().decision() == v1::DENY);
  CHECK(answer.results(2).response().request_id() == batch.requests(2).request_id());

  std::vector<json> records = log_follower().take();
  REQUIRE(records.size() == 2);  // the malformed item was not decided
  check_record(records[0], batch.requests(0), answer.results(0).response());
  check_record(records[1], batch.requests(2), answer.results(2).response());
}

TEST_CASE("AuthorizeBatch over the limit is RESOURCE_EXHAUSTED") {
  v1::AuthorizeBatchRequest batch;
  for (int i = 0; i < 9; ++i)
    *batch.add_requests() = make_request(token("claims_assistant"));
  grpc::ClientContext context;
  v1::AuthorizeBatchResponse answer;
  grpc::Status status = Daemon::get().decisions->AuthorizeBatch(&context, batch, &answer);
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(log_follower().take().empty());
}

TEST_CASE("GetStatus reports the signed policy bundle and owner registry") {
  grpc::ClientContext context;
  v1::GetStatusResponse status;
  REQUIRE(Daemon::get().decisions->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
  const json& world = Daemon::get().world;
  CHECK(status.serving());
  CHECK(status.last_load_error().empty());
  CHECK(status.policy_bundle().name() == world["policy_bundle"]["name"]);
  CHECK(status.policy_bundle().revision() == 1);
  CHECK(status.policy_bundle().digest() == world["policy_bundle"]["digest"]);
  REQUIRE(status.policy_bundle().signer_key_ids_size() == 1);
  CHECK(status.policy_bundle().signer_key_ids(0) == world["policy_bundle"]["signer_key_id"]);
  CHECK(status.owner_registry().name() == world["owner_registry"]["name"]);
  CHECK(status.owner_registry().digest() == world["owner_registry"]["digest"]);
  CHECK(status.policy_bundle().loaded_at().seconds() > 0);
}

TEST_CASE("grpc.health.v1 Check is SERVING") {
  for (const char* service : {"", "crossgate.v1.DecisionService"}) {
    INFO("service '" << service << "'");
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse answer;
    REQUIRE(Daemon::get().health->Check(&context, request, &answer).ok());
    CHECK(answer.status() == grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

TEST_CASE("INVALID_ARGUMENT names the field and leaves no record") {
  struct Case {
    const char* field;
    std::function<void(v1::AuthorizeRequest&)> spoil;
  };
  const Case cases[] = {
      {"action", [](v1::AuthorizeRequest& r) { r.clear_action(); }},
      {"action", [](v1::AuthorizeRequest& r) { r.set_action("bedrock:FlyToTheMoon"); }},
      {"resource",
       [](v1::AuthorizeRequest& r) { r.set_resource("arn:aws:bedrock:us-east-1:1:x"); }},
      {"target_account", [](v1::AuthorizeRequest& r) { r.set_target_account("4444"); }},
      {"context",
       [](v1::AuthorizeRequest& r) {
         (*r.mutable_context())["priority"].set_string_value("high");
       }},
  };
  for (const Case& c : cases) {
    v1::AuthorizeRequest request = make_request(token("claims_assistant"));
    c.spoil(request);
    grpc::ClientContext context;
    v1::AuthorizeResponse response;
    grpc::Status status = Daemon::get().decisions->Authorize(&context, request, &response);
    INFO(status.error_message());
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message().starts_with(std::string(c.field) + ":"));
    CHECK(log_follower().take().empty());
  }
}

TEST_CASE("the decision log's hash chain verifies from its first record") {
  authorize(make_request(token("claims_assistant")));
  authorize(make_request(""));
  std::vector<std::string> lines = read_lines(Daemon::get().log_path);
  REQUIRE(lines.size() >= 2);
  std::string previous = kGenesis;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    json record = json::parse(lines[i]);
    CHECK(record["seq"] == i + 1);
    CHECK(record["prev"] == previous);
    previous = sha256_hex(lines[i]);
  }
}
