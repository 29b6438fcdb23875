#include "server/daemon/daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "server/daemon/grpc_runtime.h"
#include "server/daemon/ops_log.h"
#include "server/daemon/runtime.h"
#include "server/ext_authz/ext_authz_service.h"
#include "server/log/decision_log.h"
#include "server/observability/metrics_http.h"
#include "server/observability/service_metrics.h"
#include "server/reload/reloader.h"
#include "server/service/decision_service.h"
#include "server/service/snapshot_holder.h"
#include "server/tls/tls_reloader.h"

namespace crossgate::server {
namespace {

constexpr auto kDrainTime = std::chrono::seconds(10);

cedar::Result<std::shared_ptr<grpc::ServerCredentials>> credentials(const ServerConfig& config,
                                                                    const TlsReloader* tls) {
  if (config.plaintext) return grpc::InsecureServerCredentials();
  // Never a silent fallback to plaintext.
  if (tls == nullptr) return cedar::Error{"TLS is configured but its files were not loaded"};
  // The provider re-reads the files when they change, so that a rotated certificate is used
  // without a restart. It watches the reloader's checked copies, never the configured
  // files: a broken new version must not reach the handshakes.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls->key_copy().string(), tls->cert_copy().string(), tls->ca_copy().string(),
      static_cast<unsigned int>(config.tls_reload_seconds));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!config.tls_client_ca.empty()) {
    options.watch_root_certs();
    // Callers prove who they are with a certificate the configured CA issued.
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

void set_health(grpc::Server& server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  health->SetServingStatus("crossgate.v1.DecisionService", serving);
  health->SetServingStatus("envoy.service.auth.v3.Authorization", serving);
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
  // Under a file size limit (ulimit -f, RLIMIT_FSIZE) a write past it must fail with EFBIG,
  // which the decision log turns into LOG_UNAVAILABLE denials until it can write again;
  // SIGXFSZ's default action would kill the daemon instead.
  signal(SIGXFSZ, SIG_IGN);

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

  metrics::Registry registry;
  ServiceMetrics service_metrics(registry);
  LogOptions log_options;
  log_options.path = config.decision_log;
  log_options.durability = config.log_fsync ? Durability::kFsync : Durability::kProcess;
  log_options.rotate_bytes = config.log_rotate_bytes;
  log_options.rotate_age = std::chrono::seconds(config.log_rotate_age_seconds);
  log_options.retain_files = config.log_retain_files;
  cedar::Result<std::unique_ptr<DecisionLog>> log =
      DecisionLog::open(log_options, service_metrics.log_metrics());
  if (!log.ok()) {
    ops_log(Level::kError, log.message());
    return 2;
  }
  // Fail at start on TLS files that cannot be served, rather than on the first handshake.
  std::unique_ptr<TlsReloader> tls;
  if (!config.plaintext) {
    cedar::Result<std::unique_ptr<TlsReloader>> made = TlsReloader::create(config, registry);
    if (!made.ok()) {
      ops_log(Level::kError, made.message());
      return 2;
    }
    tls = std::move(made.value());
  }
  cedar::Result<std::shared_ptr<grpc::ServerCredentials>> creds = credentials(config, tls.get());
  if (!creds.ok()) {
    ops_log(Level::kError, creds.message());
    return 2;
  }

  SnapshotHolder snapshots;
  std::atomic<grpc::Server*> live_server{nullptr};
  Reloader reloader(config, std::move(trust.value()), snapshots, &service_metrics,
                    [&](bool serving) {
                      service_metrics.serving().set(serving ? 1 : 0);
                      if (grpc::Server* s = live_server.load()) set_health(*s, serving);
                    });
  reloader.initial_load();

  std::shared_ptr<identity::JwtVerifier> jwt = *verifier;
  registry.on_collect([&snapshots, &service_metrics, jwt] {
    UnixMillis now = now_millis();
    auto age = [now](UnixMillis at) {
      return at == 0 ? 0.0 : static_cast<double>(now - at) / 1000.0;
    };
    std::shared_ptr<const decision::DecisionEngine> engine = snapshots.current();
    if (engine) {
      service_metrics.seconds_since_load()
          .with({"policy-bundle"})
          .set(age(engine->bundle_version().loaded_at));
      service_metrics.seconds_since_load()
          .with({"owner-registry"})
          .set(age(engine->registry_version().loaded_at));
      service_metrics.version_age()
          .with({"policy-bundle"})
          .set(age(snapshots.bundle_confirmed_at()));
      service_metrics.version_age()
          .with({"owner-registry"})
          .set(age(snapshots.registry_confirmed_at()));
    }
    if (jwt) {
      identity::JwtVerifier::CacheStats stats = jwt->cache_stats();
      service_metrics.token_cache().with({"hit"}).mirror(stats.hits);
      service_metrics.token_cache().with({"miss"}).mirror(stats.misses);
    }
  });
  std::unique_ptr<MetricsHttpServer> metrics_http;
  if (!config.metrics_address.empty()) {
    cedar::Result<std::unique_ptr<MetricsHttpServer>> started =
        MetricsHttpServer::start(config.metrics_address, registry);
    if (!started.ok()) {
      ops_log(Level::kError, started.message());
      return 2;
    }
    metrics_http = std::move(started.value());
    std::string host = config.metrics_address.substr(0, config.metrics_address.rfind(':'));
    ops_log(Level::kInfo,
            "metrics on http://" + host + ":" + std::to_string(metrics_http->port()) + "/metrics");
  }

  // One pipeline for both front ends: one limit on calls in flight, one decision path.
  DecisionPipeline pipeline(config, snapshots, resolver, **log, &service_metrics);
  DecisionServiceImpl service(pipeline);
  ExtAuthzService ext_authz(config.ext_authz, pipeline);
  configure_grpc_runtime();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address, *creds, &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));
  // Bounded memory whatever the load: gRPC refuses work beyond the quota instead of
  // growing without limit.
  grpc::ResourceQuota quota("crossgate");
  quota.Resize(static_cast<std::size_t>(config.max_memory_bytes));
  builder.SetResourceQuota(quota);
  builder.RegisterService(&service);
  if (config.ext_authz.enabled) builder.RegisterService(&ext_authz);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    ops_log(Level::kError, "cannot listen on " + config.listen_address);
    return 2;
  }
  live_server.store(server.get());
  set_health(*server, snapshots.current() != nullptr);
  reloader.start();
  if (tls) tls->start();
  std::string host = config.listen_address.substr(0, config.listen_address.rfind(':'));
  ops_log(Level::kInfo, "serving on " + host + ":" + std::to_string(port) +
                            (config.plaintext ? " (plaintext, loopback only)" : " (TLS)") +
                            ", decision log " + config.decision_log.string());

  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      ops_log(Level::kInfo, "SIGHUP: reloading the policy bundle and the owner registry");
      reloader.check_now(true);
      continue;
    }
    ops_log(Level::kInfo, "shutting down: no new calls, draining the ones in flight");
    set_health(*server, false);
    reloader.stop();
    if (tls) tls->stop();
    server->Shutdown(std::chrono::system_clock::now() + kDrainTime);
    server->Wait();
    live_server.store(nullptr);
    if (metrics_http) metrics_http->stop();
    ops_log(Level::kInfo, "stopped after writing " + std::to_string((*log)->records_written()) +
                              " decision records");
    return 0;
  }
}

}  // namespace crossgate::server
