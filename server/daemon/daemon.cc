#include "server/daemon/daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "server/daemon/ops_log.h"
#include "server/daemon/runtime.h"
#include "server/log/decision_log.h"
#include "server/service/decision_service.h"
#include "server/service/snapshot_holder.h"

namespace crossgate::server {
namespace {

constexpr auto kDrainTime = std::chrono::seconds(10);

cedar::Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cedar::Error{path.string() + ": cannot read the file"};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

cedar::Result<std::shared_ptr<grpc::ServerCredentials>> credentials(const ServerConfig& config) {
  if (config.plaintext) return grpc::InsecureServerCredentials();
  cedar::Result<std::string> cert = read_file(config.tls_cert);
  if (!cert.ok()) return cert.error();
  cedar::Result<std::string> key = read_file(config.tls_key);
  if (!key.ok()) return key.error();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!config.tls_client_ca.empty()) {
    cedar::Result<std::string> ca = read_file(config.tls_client_ca);
    if (!ca.ok()) return ca.error();
    options.pem_root_certs = *ca;
    // Callers prove who they are with a certificate the configured CA issued.
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

void set_health(grpc::Server& server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  health->SetServingStatus("crossgate.v1.DecisionService", serving);
}

void describe(const decision::DecisionEngine& engine) {
  auto text = [](const char* kind, const decision::VersionInfo& v) {
    return std::string(kind) + " " + v.name + " revision " + std::to_string(v.revision) +
           " (digest " + v.digest.substr(0, 16) + ", " +
           (v.signer_key_ids.empty() ? std::string("UNSIGNED")
                                     : std::to_string(v.signer_key_ids.size()) + " signature(s)") +
           ")";
  };
  ops_log(Level::kInfo, "active: " + text("policy bundle", engine.bundle_version()) + "; " +
                            text("owner registry", engine.registry_version()));
}

// Loads and activates a new snapshot; on failure the previous one keeps serving.
void reload(const ServerConfig& config, const loading::TrustSettings& trust,
            SnapshotHolder& snapshots, grpc::Server* server) {
  std::shared_ptr<const decision::DecisionEngine> active = snapshots.current();
  cedar::Result<std::shared_ptr<const decision::DecisionEngine>> next =
      load_snapshot(config, trust, active.get());
  if (!next.ok()) {
    snapshots.record_load_error(next.message(), now_millis());
    ops_log(Level::kError, "load failed, " +
                               std::string(active ? "keeping the active version" : "not serving") +
                               ": " + next.message());
    return;
  }
  snapshots.activate(*next);
  describe(**next);
  if (server != nullptr) set_health(*server, true);
}

}  // namespace

int run_daemon(const ServerConfig& config) {
  // Signals are taken synchronously by the main thread; block them before any thread
  // starts so that they all inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  cedar::Result<loading::TrustSettings> trust = load_trust(config);
  if (!trust.ok()) {
    ops_log(Level::kError, trust.message());
    return 2;
  }
  if (config.allow_unsigned_bundles) {
    ops_log(Level::kWarning,
            "allow_unsigned_bundles is ON: bundles without signatures will be trusted. This is "
            "for development only; never run a production service like this.");
  }
  cedar::Result<std::shared_ptr<identity::JwtVerifier>> verifier = make_jwt_verifier(config);
  if (!verifier.ok()) {
    ops_log(Level::kError, verifier.message());
    return 2;
  }
  decision::IdentityResolver resolver(*verifier);
  LogOptions log_options;
  log_options.path = config.decision_log;
  log_options.durability = config.log_fsync ? Durability::kFsync : Durability::kProcess;
  log_options.rotate_bytes = config.log_rotate_bytes;
  log_options.rotate_age = std::chrono::seconds(config.log_rotate_age_seconds);
  log_options.retain_files = config.log_retain_files;
  cedar::Result<std::unique_ptr<DecisionLog>> log = DecisionLog::open(log_options);
  if (!log.ok()) {
    ops_log(Level::kError, log.message());
    return 2;
  }
  cedar::Result<std::shared_ptr<grpc::ServerCredentials>> creds = credentials(config);
  if (!creds.ok()) {
    ops_log(Level::kError, creds.message());
    return 2;
  }

  SnapshotHolder snapshots;
  reload(config, *trust, snapshots, nullptr);

  DecisionServiceImpl service(config, snapshots, resolver, **log);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address, *creds, &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    ops_log(Level::kError, "cannot listen on " + config.listen_address);
    return 2;
  }
  set_health(*server, snapshots.current() != nullptr);
  std::string host = config.listen_address.substr(0, config.listen_address.rfind(':'));
  ops_log(Level::kInfo, "serving on " + host + ":" + std::to_string(port) +
                            (config.plaintext ? " (plaintext, loopback only)" : " (TLS)") +
                            ", decision log " + config.decision_log.string());

  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      ops_log(Level::kInfo, "SIGHUP: reloading the policy bundle and the owner registry");
      reload(config, *trust, snapshots, server.get());
      continue;
    }
    ops_log(Level::kInfo, "shutting down: no new calls, draining the ones in flight");
    set_health(*server, false);
    server->Shutdown(std::chrono::system_clock::now() + kDrainTime);
    server->Wait();
    ops_log(Level::kInfo, "stopped after writing " + std::to_string((*log)->records_written()) +
                              " decision records");
    return 0;
  }
}

}  // namespace crossgate::server
