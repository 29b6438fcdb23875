// crossgate_echo_server: the empty gRPC server of the load benchmark, the yardstick the
// daemon's throughput is compared with. It is built the way `crossgate serve` is (same
// gRPC, same compiler flags, the callback API with messages on arenas, the same
// ServerBuilder options: health service, reflection, message limits, memory quota; the
// same TLS credentials when given), and does no work: Echo answers `response_bytes` bytes.
//
//   crossgate_echo_server [--address 127.0.0.1:0] [--tls-cert F --tls-key F [--client-ca F]]
// Prints "listening on HOST:PORT" on stdout once serving; stops on SIGTERM or SIGINT.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "bench/echo/echo.grpc.pb.h"
#include "server/daemon/grpc_runtime.h"
#include "server/service/arena_message_allocator.h"

namespace {

// The daemon's defaults (server/config/server_config.h: limits).
constexpr int kMaxMessageBytes = 4 << 20;
constexpr std::size_t kMaxMemoryBytes = std::size_t{512} << 20;
constexpr int kMaxResponseBytes = 1 << 20;

class EchoService final : public crossgate::bench::v1::Echo::CallbackService {
 public:
  EchoService() { SetMessageAllocatorFor_Echo(&messages_); }

 private:
  crossgate::server::ArenaMessageAllocator<crossgate::bench::v1::EchoRequest,
                                           crossgate::bench::v1::EchoResponse>
      messages_;

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const crossgate::bench::v1::EchoRequest* request,
                                 crossgate::bench::v1::EchoResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->response_bytes() < 0 || request->response_bytes() > kMaxResponseBytes) {
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "response_bytes must be between 0 and 1048576"));
      return reactor;
    }
    response->mutable_payload()->assign(static_cast<std::size_t>(request->response_bytes()), 'x');
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

struct Args {
  std::string address = "127.0.0.1:0";
  std::string tls_cert, tls_key, client_ca;
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "crossgate_echo_server: " << flag << ": a value is missing\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--address")
      a.address = value;
    else if (flag == "--tls-cert")
      a.tls_cert = value;
    else if (flag == "--tls-key")
      a.tls_key = value;
    else if (flag == "--client-ca")
      a.client_ca = value;
    else {
      std::cerr << "crossgate_echo_server: unknown option " << flag << "\n";
      return 2;
    }
  }
  if (a.tls_cert.empty() != a.tls_key.empty()) {
    std::cerr << "crossgate_echo_server: --tls-cert and --tls-key go together\n";
    return 2;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!a.tls_cert.empty()) {
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        a.tls_key, a.tls_cert, a.client_ca, 60u);
    grpc::experimental::TlsServerCredentialsOptions options(provider);
    options.watch_identity_key_cert_pairs();
    if (!a.client_ca.empty()) {
      options.watch_root_certs();
      options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    }
    creds = grpc::experimental::TlsServerCredentials(options);
  }

  EchoService service;
  crossgate::server::configure_grpc_runtime();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(a.address, creds, &port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  grpc::ResourceQuota quota("crossgate-echo");
  quota.Resize(kMaxMemoryBytes);
  builder.SetResourceQuota(quota);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "crossgate_echo_server: cannot listen on " << a.address << "\n";
    return 2;
  }
  std::cout << "listening on " << a.address.substr(0, a.address.rfind(':')) << ":" << port
            << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  return 0;
}
