#include "server/observability/metrics_http.h"

#include <httplib.h>

namespace crossgate::server {

MetricsHttpServer::~MetricsHttpServer() {
  stop();
}

void MetricsHttpServer::stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

cedar::Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::start(
    const std::string& address, metrics::Registry& registry) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return cedar::Error{"metrics.address: expected host:port, got `" + address + "`"};
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    return cedar::Error{"metrics.address: bad port in `" + address + "`"};
  }
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->http_ = std::make_unique<httplib::Server>();
  server->http_->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server->http_->Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("crossgate: metrics are at /metrics\n", "text/plain");
  });
  int bound = port == 0 ? server->http_->bind_to_any_port(host)
                        : (server->http_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return cedar::Error{"metrics.address: cannot listen on " + address};
  server->port_ = bound;
  server->thread_ = std::thread([raw = server->http_.get()] { raw->listen_after_bind(); });
  return server;
}

}  // namespace crossgate::server
