#include "server/cli/health_command.h"

#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "server/cli/flags.h"
#include "server/cli/policy_files.h"
#include "server/observability/status_code_name.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage = R"(usage: crossgate health --address HOST:PORT [--service NAME]
                       [--tls-ca FILE [--tls-cert FILE --tls-key FILE]
                        [--tls-server-name NAME]] [--timeout SECONDS] [--alive]

Asks a running daemon for its serving status with one grpc.health.v1.Health/Check call and
prints it (SERVING, NOT_SERVING, UNKNOWN, or SERVICE_UNKNOWN for a service the server does
not know). The daemon is SERVING while a policy bundle and an owner registry are active.

  --address HOST:PORT     the daemon's listen address (gRPC target syntax)
  --service NAME          the service to ask about: "" (default) the whole server, or
                          crossgate.v1.DecisionService
  --tls-ca FILE           use TLS and verify the server certificate against this CA;
                          without it the call is plaintext (the daemon allows that only
                          on a loopback address)
  --tls-cert FILE         client certificate (PEM) for a daemon with tls.client_ca (mTLS);
  --tls-key FILE          and its private key: both or neither
  --tls-server-name NAME  the name the server certificate must carry, when the address
                          does not (e.g. 127.0.0.1 inside a pod whose certificate names
                          the Service)
  --timeout SECONDS       give up after this long (default 5; decimals allowed)
  --alive                 exit 0 for any answer, SERVING or not: the process is alive (a
                          liveness probe; a daemon waiting for its first bundle is alive
                          but not ready)

Exit status: 0 SERVING, 1 NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN, 2 no answer (refused,
TLS failure, deadline exceeded) or unusable options. With --alive: 0 for any answer.
)";

int usage_error(const std::string& message) {
  std::cerr << "crossgate health: " << message << "\n" << kUsage;
  return 2;
}

int fail(const std::string& message) {
  std::cerr << "crossgate health: " << message << "\n";
  return 2;
}

struct Options {
  std::string address, service, ca, cert, key, server_name;
  double timeout_seconds = 5;
  bool alive = false;
};

// False after printing the problem (exit `status`); `help` is set for --help.
bool parse_args(std::span<const std::string_view> args, Options& o, bool& help, int& status) {
  std::string timeout;
  const ValueFlag values[] = {{"--address", &o.address},
                              {"--service", &o.service},
                              {"--tls-ca", &o.ca},
                              {"--tls-cert", &o.cert},
                              {"--tls-key", &o.key},
                              {"--timeout", &timeout},
                              {"--tls-server-name", &o.server_name}};
  const SwitchFlag switches[] = {{"--alive", &o.alive}};
  if (std::optional<std::string> problem = parse_flags(args, {values, switches}, &help)) {
    status = usage_error(*problem);
    return false;
  }
  if (help) return true;
  if (o.address.empty()) {
    status = usage_error("--address is required");
    return false;
  }
  if (o.cert.empty() != o.key.empty()) {
    status = usage_error("--tls-cert and --tls-key go together");
    return false;
  }
  if (o.ca.empty() && (!o.cert.empty() || !o.server_name.empty())) {
    status = usage_error("--tls-cert, --tls-key and --tls-server-name need --tls-ca");
    return false;
  }
  if (!timeout.empty()) {
    const char* end = timeout.data() + timeout.size();
    auto [ptr, ec] = std::from_chars(timeout.data(), end, o.timeout_seconds);
    if (ec != std::errc() || ptr != end || !(o.timeout_seconds > 0) || o.timeout_seconds > 3600) {
      status = usage_error("--timeout: `" + timeout + "` is not a number of seconds in (0, 3600]");
      return false;
    }
  }
  return true;
}

// One Check call, as described in kUsage; the exit status.
int check(const Options& o) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  grpc::ChannelArguments channel_args;
  if (o.ca.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    cedar::Result<std::string> ca = read_text_file(o.ca);
    if (!ca.ok()) return fail(ca.message());
    ssl.pem_root_certs = *ca;
    if (!o.cert.empty()) {
      cedar::Result<std::string> cert = read_text_file(o.cert);
      if (!cert.ok()) return fail(cert.message());
      cedar::Result<std::string> key = read_text_file(o.key);
      if (!key.ok()) return fail(key.message());
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(ssl);
    if (!o.server_name.empty()) channel_args.SetSslTargetNameOverride(o.server_name);
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(o.address, credentials, channel_args);
  std::unique_ptr<grpc::health::v1::Health::Stub> stub = grpc::health::v1::Health::NewStub(channel);

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           std::chrono::duration<double>(o.timeout_seconds)));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(o.service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status call = stub->Check(&context, request, &response);
  std::string what =
      o.service.empty() ? std::string("the server") : "service \"" + o.service + "\"";
  if (call.error_code() == grpc::StatusCode::NOT_FOUND) {
    std::cout << "SERVICE_UNKNOWN\n";
    std::cerr << "crossgate health: " << o.address << " does not know " << what << "\n";
    return o.alive ? 0 : 1;
  }
  if (!call.ok()) {
    return fail(o.address + ": no health answer for " + what + ": " +
                server::status_code_name(call.error_code()) + ": " + call.error_message());
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return o.alive || response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

}  // namespace

int health_command(std::span<const std::string_view> args) {
  Options o;
  bool help = false;
  int status = 0;
  if (!parse_args(args, o, help, status)) return status;
  if (help) {
    std::cout << kUsage;
    return 0;
  }
  // The channel and the call (and the name resolver) live in check(); shutting gRPC down
  // after it waits for their cleanup, so the process exits with nothing left behind.
  grpc_init();
  int result = check(o);
  grpc_shutdown_blocking();
  return result;
}

}  // namespace crossgate::cli
