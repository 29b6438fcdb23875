// The /metrics endpoint: Prometheus text exposition over HTTP, on its own address and
// thread, so that scraping never competes with the gRPC port.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "policy/cedar/common/result.h"
#include "server/metrics/metrics.h"

namespace httplib {
class Server;
}

namespace crossgate::server {

class MetricsHttpServer {
 public:
  ~MetricsHttpServer();

  // `address` is "host:port"; port 0 picks a free one (see port()).
  static cedar::Result<std::unique_ptr<MetricsHttpServer>> start(const std::string& address,
                                                                 metrics::Registry& registry);
  int port() const { return port_; }
  void stop();

 private:
  MetricsHttpServer() = default;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace crossgate::server
