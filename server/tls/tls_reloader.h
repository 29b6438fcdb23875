// Rotation of the daemon's TLS certificate, key and client CA without a restart, and
// without ever serving a broken version. gRPC's file watcher passes whatever bytes it finds
// to new handshakes; so it watches private copies instead, which this class writes only
// after check_tls_files() accepted a version of the configured files. A rejected version
// (garbage, a key that does not match, an expired certificate, a file half-written) leaves
// the last accepted one serving and is reported once in the operations log and counted in
// crossgate_tls_reloads_total{result="failure"}.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "policy/cedar/common/result.h"
#include "server/config/server_config.h"
#include "server/metrics/metrics.h"

namespace crossgate::server {

class TlsReloader {
 public:
  // Checks the configured files (an error names the file and the problem) and writes the
  // first copies: in state_dir/tls when there is a state_dir, else in `.LOG.tls` beside
  // the decision log (owner-only; removed at exit).
  static cedar::Result<std::unique_ptr<TlsReloader>> create(const ServerConfig& config,
                                                            metrics::Registry& registry);
  ~TlsReloader();
  TlsReloader(const TlsReloader&) = delete;
  TlsReloader& operator=(const TlsReloader&) = delete;

  // The copies for gRPC's file watcher; the CA path is empty without a client CA.
  const std::filesystem::path& cert_copy() const { return cert_copy_; }
  const std::filesystem::path& key_copy() const { return key_copy_; }
  const std::filesystem::path& ca_copy() const { return ca_copy_; }

  // Looks at the configured files every tls.reload_seconds until stop().
  void start();
  void stop();
  // One look now: copies a changed, valid version; reports a changed, invalid one.
  void check();

 private:
  TlsReloader(const ServerConfig& config, metrics::Registry& registry);
  cedar::Result<bool> make_folder();
  cedar::Result<bool> write_copies(const std::string& cert, const std::string& key,
                                   const std::string& ca);

  const ServerConfig& config_;
  metrics::Family<metrics::Counter>& reloads_;
  metrics::Gauge& not_after_;
  std::filesystem::path folder_;
  bool remove_folder_ = false;  // the folder beside the decision log is removed at exit
  std::filesystem::path cert_copy_;
  std::filesystem::path key_copy_;
  std::filesystem::path ca_copy_;
  std::string last_seen_;  // the configured files' contents at the last look

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crossgate::server
