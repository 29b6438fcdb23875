#include "server/tls/tls_reloader.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "policy/common/time.h"
#include "server/daemon/ops_log.h"
#include "server/tls/certificate_check.h"

namespace crossgate::server {
namespace {

// A digest of what was read, so that an unchanged version is not checked (nor reported)
// again, without keeping another copy of the private key in memory.
std::string digest(const TlsFiles& files) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const std::string* part : {&files.cert_pem, &files.key_pem, &files.ca_pem}) {
    std::uint64_t length = part->size();
    EVP_DigestUpdate(ctx, &length, sizeof length);
    EVP_DigestUpdate(ctx, part->data(), part->size());
  }
  EVP_DigestFinal_ex(ctx, out, &size);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(out), size);
}

// Writes `text` to `path` through a temporary file and a rename, so that a reader sees the
// old or the new contents, never a mix; owner-only, as it may hold a private key.
cedar::Result<bool> replace_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += ".new";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return cedar::Error{temporary.string() + ": " + std::strerror(errno)};
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return cedar::Error{temporary.string() + ": " + why};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
    return cedar::Error{path.string() + ": " + std::strerror(errno)};
  }
  return true;
}

std::string describe(const CertificateSummary& s) {
  return "serial " + s.serial_hex + " (" + s.subject + "), valid until " +
         format_rfc3339(s.not_after_unix * 1000);
}

}  // namespace

TlsReloader::TlsReloader(const ServerConfig& config, metrics::Registry& registry)
    : config_(config),
      reloads_(registry.counter("crossgate_tls_reloads_total",
                                "Versions of the TLS certificate, key and client CA files seen, "
                                "by result (a failure leaves the previous version serving).",
                                {"result"})),
      not_after_(registry
                     .gauge("crossgate_tls_certificate_expiry_timestamp_seconds",
                            "When the certificate being served expires (Unix time).")
                     .with({})) {}

TlsReloader::~TlsReloader() {
  stop();
  // The copy holds the private key: it does not outlive the daemon (but for a kill -9).
  std::error_code ignored;
  if (!cert_copy_.empty()) std::filesystem::remove(cert_copy_, ignored);
  if (!ca_copy_.empty()) std::filesystem::remove(ca_copy_, ignored);
  if (remove_folder_) std::filesystem::remove_all(folder_, ignored);
}

cedar::Result<bool> TlsReloader::make_folder() {
  // A fixed place the daemon may write to anyway, so that a copy left by a kill -9 is
  // overwritten at the next start rather than piling up in a shared temporary folder.
  if (!config_.state_dir.empty()) {
    folder_ = config_.state_dir / "tls";
  } else {
    folder_ = config_.decision_log.parent_path() /
              ("." + config_.decision_log.filename().string() + ".tls");
    remove_folder_ = true;
  }
  std::error_code error;
  std::filesystem::create_directories(folder_, error);
  if (error) {
    return cedar::Error{folder_.string() +
                        ": cannot create a folder for the TLS files: " + error.message()};
  }
  if (::chmod(folder_.c_str(), 0700) != 0) {
    return cedar::Error{folder_.string() + ": " + std::strerror(errno)};
  }
  // The key and its certificate chain in one file, named as both: one rename replaces the
  // pair, so gRPC can never read a new key with an old certificate.
  cert_copy_ = folder_ / "identity.pem";
  key_copy_ = cert_copy_;
  if (!config_.tls_client_ca.empty()) ca_copy_ = folder_ / "client-ca.pem";
  return true;
}

cedar::Result<bool> TlsReloader::write_copies(const std::string& cert, const std::string& key,
                                              const std::string& ca) {
  std::string identity = key;
  if (!identity.empty() && identity.back() != '\n') identity += '\n';
  identity += cert;
  cedar::Result<bool> written = replace_file(cert_copy_, identity);
  if (!written.ok()) return written;
  if (!ca_copy_.empty()) return replace_file(ca_copy_, ca);
  return true;
}

cedar::Result<std::unique_ptr<TlsReloader>> TlsReloader::create(const ServerConfig& config,
                                                                metrics::Registry& registry) {
  std::unique_ptr<TlsReloader> reloader(new TlsReloader(config, registry));
  cedar::Result<TlsFiles> files =
      read_tls_files(config.tls_cert, config.tls_key, config.tls_client_ca);
  if (!files.ok()) return files.error();
  cedar::Result<CertificateSummary> summary = check_tls_files(*files, now_millis() / 1000);
  if (!summary.ok()) return summary.error();
  cedar::Result<bool> folder = reloader->make_folder();
  if (!folder.ok()) return folder.error();
  cedar::Result<bool> written =
      reloader->write_copies(files->cert_pem, files->key_pem, files->ca_pem);
  if (!written.ok()) return written.error();
  reloader->last_seen_ = digest(*files);
  reloader->reloads_.with({"success"}).inc();
  reloader->not_after_.set(static_cast<double>(summary->not_after_unix));
  ops_log(Level::kInfo, "tls: serving the certificate " + describe(*summary) + " from " +
                            config.tls_cert.string());
  return reloader;
}

void TlsReloader::check() {
  cedar::Result<TlsFiles> files =
      read_tls_files(config_.tls_cert, config_.tls_key, config_.tls_client_ca);
  if (!files.ok()) {
    // A file in the middle of being replaced may be missing for a moment; the next look
    // decides. Reported once per distinct problem.
    if (last_seen_ != files.message()) {
      last_seen_ = files.message();
      reloads_.with({"failure"}).inc();
      ops_log(Level::kError,
              "tls: " + files.message() + "; the previous certificate and key stay in use");
    }
    return;
  }
  std::string seen = digest(*files);
  if (seen == last_seen_) return;
  last_seen_ = seen;
  cedar::Result<CertificateSummary> summary = check_tls_files(*files, now_millis() / 1000);
  if (!summary.ok()) {
    reloads_.with({"failure"}).inc();
    ops_log(Level::kError, "tls: new files refused: " + summary.message() +
                               "; the previous certificate and key stay in use");
    return;
  }
  cedar::Result<bool> written = write_copies(files->cert_pem, files->key_pem, files->ca_pem);
  if (!written.ok()) {
    reloads_.with({"failure"}).inc();
    ops_log(Level::kError, "tls: cannot hand the new files to gRPC: " + written.message() +
                               "; the previous certificate and key stay in use");
    last_seen_.clear();  // try again at the next look
    return;
  }
  reloads_.with({"success"}).inc();
  not_after_.set(static_cast<double>(summary->not_after_unix));
  ops_log(Level::kInfo, "tls: new certificate " + describe(*summary) +
                            ", used for new connections within " +
                            std::to_string(config_.tls_reload_seconds) + " s");
}

void TlsReloader::start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::seconds(config_.tls_reload_seconds));
      if (stopping_) break;
      lock.unlock();
      check();
      lock.lock();
    }
  });
}

void TlsReloader::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace crossgate::server
