// Whether a version of the daemon's TLS files can be served: the certificate chain parses,
// the key parses and belongs to the first certificate, the leaf has not expired, and the
// client CA (when there is one) holds at least one certificate. gRPC itself hands whatever
// bytes it finds to new handshakes, so a garbage or mismatched file would refuse every new
// connection; this check runs first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "policy/cedar/common/result.h"

namespace crossgate::server {

// The contents of the files, with their paths for messages.
struct TlsFiles {
  std::filesystem::path cert_path;
  std::filesystem::path key_path;
  std::filesystem::path ca_path;  // empty: no client CA
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;
};

// What operators need to recognise the certificate being served.
struct CertificateSummary {
  std::string serial_hex;
  std::string subject;
  std::int64_t not_after_unix = 0;
};

// Reads the three files; an error names the file that could not be read.
cedar::Result<TlsFiles> read_tls_files(const std::filesystem::path& cert,
                                       const std::filesystem::path& key,
                                       const std::filesystem::path& ca);

// The leaf certificate's summary, or why the files cannot be served (naming the file).
cedar::Result<CertificateSummary> check_tls_files(const TlsFiles& files, std::int64_t now_unix);

}  // namespace crossgate::server
