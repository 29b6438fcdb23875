// crossgate_loadgen: the load generator of the load benchmark (bench/load_benchmark.py).
// Sends one target's calls over N connections, closed loop (maximum rate) or open loop (a
// fixed rate), and prints one JSON object with the rate and the latency percentiles.
// Usage: crossgate_loadgen --help
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "bench/loadgen/load_runner.h"
#include "bench/loadgen/workload.h"
#include "server/daemon/grpc_runtime.h"

namespace {

using namespace crossgate::loadgen;

constexpr const char* kUsage =
    R"(usage: crossgate_loadgen --address HOST:PORT --target TARGET --mix FILE [options]

  --target T             echo | authorize | batch | check
  --mix FILE             request mix: one JSON object per line (see bench/README.md)
  --connections N        gRPC connections (default 4)
  --outstanding M        closed loop: calls in flight per connection (default 16)
  --threads T            client threads, one CompletionQueue each (default 1)
  --rate R               open loop at R calls/s (default: closed loop)
  --duration S           measured seconds (default 5)
  --warmup S             seconds before measuring (default 1)
  --batch-size K         requests per AuthorizeBatch call (default 100)
  --echo-response-bytes B  payload bytes of each echo answer (default 0)
  --timeout-ms MS        per-call deadline (default 10000)
  --tls-ca FILE          TLS: the server's CA (without it: plaintext)
  --tls-cert FILE --tls-key FILE   mTLS: the client certificate and key
  --tls-server-name NAME the name to verify the server certificate against
  --dump-body FILE       write the first call's body as a gRPC frame (for h2load -d) and exit
Prints one JSON object on stdout; a one-line summary on stderr.
Exit status: 0 after a run (errors are counted in the output), 2 on bad usage or input,
3 when a connection cannot be made.
)";

struct Args {
  std::string address;
  std::string target;
  std::string mix;
  std::size_t connections = 4;
  std::size_t outstanding = 16;
  std::size_t threads = 1;
  double rate = 0;
  double duration = 5;
  double warmup = 1;
  std::size_t batch_size = 100;
  std::int32_t echo_response_bytes = 0;
  std::int64_t timeout_ms = 10000;
  std::string tls_ca, tls_cert, tls_key, tls_server_name;
  std::string dump_body;
};

template <typename T>
T number(const std::string& flag, const std::string& text) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0)
    throw std::invalid_argument(flag + ": not a non-negative number: \"" + text + "\"");
  return value;
}

double decimal(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value < 0)
    throw std::invalid_argument(flag + ": not a non-negative number: \"" + text + "\"");
  return value;
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument(flag + ": a value is missing (see --help)");
    const std::string value = argv[++i];
    if (flag == "--address")
      a.address = value;
    else if (flag == "--target")
      a.target = value;
    else if (flag == "--mix")
      a.mix = value;
    else if (flag == "--connections")
      a.connections = number<std::size_t>(flag, value);
    else if (flag == "--outstanding")
      a.outstanding = number<std::size_t>(flag, value);
    else if (flag == "--threads")
      a.threads = number<std::size_t>(flag, value);
    else if (flag == "--rate")
      a.rate = decimal(flag, value);
    else if (flag == "--duration")
      a.duration = decimal(flag, value);
    else if (flag == "--warmup")
      a.warmup = decimal(flag, value);
    else if (flag == "--batch-size")
      a.batch_size = number<std::size_t>(flag, value);
    else if (flag == "--echo-response-bytes")
      a.echo_response_bytes = number<std::int32_t>(flag, value);
    else if (flag == "--timeout-ms")
      a.timeout_ms = number<std::int64_t>(flag, value);
    else if (flag == "--tls-ca")
      a.tls_ca = value;
    else if (flag == "--tls-cert")
      a.tls_cert = value;
    else if (flag == "--tls-key")
      a.tls_key = value;
    else if (flag == "--tls-server-name")
      a.tls_server_name = value;
    else if (flag == "--dump-body")
      a.dump_body = value;
    else
      throw std::invalid_argument("unknown option " + flag + " (see --help)");
  }
  if ((a.address.empty() && a.dump_body.empty()) || a.target.empty() || a.mix.empty())
    throw std::invalid_argument("--address, --target and --mix are required (see --help)");
  if (a.connections == 0 || a.outstanding == 0 || a.threads == 0)
    throw std::invalid_argument("--connections, --outstanding and --threads must be at least 1");
  if (a.duration <= 0) throw std::invalid_argument("--duration must be more than 0");
  if (a.tls_cert.empty() != a.tls_key.empty())
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  if (!a.tls_cert.empty() && a.tls_ca.empty())
    throw std::invalid_argument("--tls-cert needs --tls-ca");
  return a;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot read the file");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::shared_ptr<grpc::Channel> connect(const Args& a, int index) {
  grpc::ChannelArguments args;
  // A channel of its own per connection: without this, channels with equal arguments share
  // one subchannel, that is one TCP connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("crossgate.loadgen.connection", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (a.tls_ca.empty()) {
    creds = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read_file(a.tls_ca);
    if (!a.tls_cert.empty()) {
      ssl.pem_cert_chain = read_file(a.tls_cert);
      ssl.pem_private_key = read_file(a.tls_key);
    }
    creds = grpc::SslCredentials(ssl);
    if (!a.tls_server_name.empty()) args.SetSslTargetNameOverride(a.tls_server_name);
  }
  return grpc::CreateCustomChannel(a.address, creds, args);
}

// A length-prefixed gRPC message (uncompressed), as it travels in an HTTP/2 DATA frame.
void write_grpc_frame(const std::string& path, const grpc::ByteBuffer& body) {
  std::vector<grpc::Slice> slices;
  if (!body.Dump(&slices).ok()) throw std::runtime_error("cannot read the request body");
  std::string message;
  for (const grpc::Slice& slice : slices)
    message.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  const auto n = static_cast<std::uint32_t>(message.size());
  const char prefix[5] = {0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                          static_cast<char>(n >> 8), static_cast<char>(n)};
  std::ofstream out(path, std::ios::binary);
  out.write(prefix, sizeof prefix);
  out << message;
  if (!out.flush()) throw std::runtime_error(path + ": cannot write the file");
}

double request_bytes_mean(const Workload& workload) {
  double total = 0;
  for (std::size_t i = 0; i < workload.size(); ++i)
    total += static_cast<double>(workload.body_bytes(i));
  return workload.size() == 0 ? 0 : total / static_cast<double>(workload.size());
}

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  // Like the servers it measures: the generator's own locks should cost what a release build's do.
  crossgate::server::configure_grpc_runtime();
  Args a;
  Workload workload;
  try {
    a = parse_args(argc, argv);
    std::optional<Target> target = parse_target(a.target);
    if (!target) throw std::invalid_argument("--target: expected echo, authorize, batch or check");
    WorkloadOptions wo;
    wo.batch_size = a.batch_size;
    wo.echo_response_bytes = a.echo_response_bytes;
    workload = Workload::load(*target, a.mix, wo);
    if (!a.dump_body.empty()) {
      write_grpc_frame(a.dump_body, workload.body(0));
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "crossgate_loadgen: " << e.what() << "\n";
    return 2;
  }

  RunOptions options;
  try {
    for (std::size_t c = 0; c < a.connections; ++c) {
      std::shared_ptr<grpc::Channel> channel = connect(a, static_cast<int>(c));
      if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
        std::cerr << "crossgate_loadgen: cannot connect to " << a.address << "\n";
        return 3;
      }
      options.channels.push_back(std::move(channel));
    }
  } catch (const std::exception& e) {
    std::cerr << "crossgate_loadgen: " << e.what() << "\n";
    return 2;
  }
  options.outstanding = a.outstanding;
  options.threads = a.threads;
  options.rate = a.rate;
  options.warmup = std::chrono::milliseconds(static_cast<std::int64_t>(a.warmup * 1000));
  options.duration = std::chrono::milliseconds(static_cast<std::int64_t>(a.duration * 1000));
  options.call_timeout = std::chrono::milliseconds(a.timeout_ms);

  RunResult r = run_load(workload, options);

  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [code, calls] : r.status_errors)
    errors[std::to_string(code)] = calls;
  const double seconds = r.seconds > 0 ? r.seconds : 1;
  nlohmann::json out = {
      {"target", a.target},
      {"mode", a.rate > 0 ? "open" : "closed"},
      {"connections", a.connections},
      {"outstanding", a.rate > 0 ? 0 : a.outstanding},
      {"threads", options.threads},
      {"rate_target", a.rate},
      {"seconds", r.seconds},
      {"calls", r.measured},
      {"completed_calls", r.completed},
      {"ok", r.ok},
      {"errors", r.errors()},
      {"status_errors", errors},
      {"malformed", r.malformed},
      {"wrong_decisions", r.wrong},
      {"item_errors", r.item_errors},
      {"calls_per_s", static_cast<double>(r.ok) / seconds},
      {"decisions_per_s", static_cast<double>(r.decisions) / seconds},
      {"decisions", r.decisions},
      {"allows", r.allows},
      {"request_bytes_mean", request_bytes_mean(workload)},
      {"response_bytes_mean",
       r.ok == 0 ? 0.0 : static_cast<double>(r.response_bytes) / static_cast<double>(r.ok)},
      {"p50_us", us(r.latency_ns.value_at(0.50))},
      {"p90_us", us(r.latency_ns.value_at(0.90))},
      {"p99_us", us(r.latency_ns.value_at(0.99))},
      {"p999_us", us(r.latency_ns.value_at(0.999))},
      {"max_us", us(r.latency_ns.max())},
      {"mean_us", r.latency_ns.mean() / 1000.0},
      {"max_send_lag_us", us(r.max_send_lag_ns)},
  };
  std::cout << out.dump() << std::endl;
  std::fprintf(stderr,
               "%s %s: %.0f calls/s, %.0f decisions/s, p50 %.0f us, p99 %.0f us, p99.9 %.0f us, "
               "%llu errors\n",
               a.target.c_str(), a.rate > 0 ? "open" : "closed",
               static_cast<double>(r.ok) / seconds, static_cast<double>(r.decisions) / seconds,
               us(r.latency_ns.value_at(0.50)), us(r.latency_ns.value_at(0.99)),
               us(r.latency_ns.value_at(0.999)), static_cast<unsigned long long>(r.errors()));
  return 0;
}
