// The daemon's configuration (`crossgate serve --config FILE`), a YAML file checked
// entirely at start: every problem names the file, line, column and key. Relative paths
// are relative to the configuration file's folder.
//
//   listen:
//     address: 127.0.0.1:50051
//     plaintext: false           # true only on a loopback address, for development
//   tls:                          # required unless plaintext
//     cert: server.pem
//     key: server-key.pem
//     client_ca: ca.pem           # verify client certificates (mTLS) against this CA
//   callers:                      # who may call, by the SPIFFE ID of their certificate
//     - spiffe_id: spiffe://example.org/bedrock-gateway
//       roles: [ask, assert_aws_session, read_status]
//   policy_bundle:
//     path: bundle/               # a directory or a .tar.gz
//     public_keys: [keys/policy-owner.pub.pem]
//     signatures_required: 1
//   owner_registry:
//     path: registry/
//     public_keys: [keys/registry.pub.pem]
//     signatures_required: 1
//   allow_unsigned_bundles: false # development only
//   identity:
//     audience: crossgate
//     leeway_seconds: 30
//     token_cache_entries: 100000
//     spiffe_trust_domains: [{trust_domain: example.org, jwks: keys/example.org.jwks.json}]
//     oidc_issuers: [{issuer: https://token.actions.githubusercontent.com, jwks: gh.jwks.json}]
//   decision_log:
//     path: decisions.log
//     durability: process         # or fsync (group commit; survives a machine crash)
//     rotate_bytes: 104857600     # 0: never by size
//     rotate_age_seconds: 86400   # 0: never by age
//     retain_files: 30            # rotated files kept; 0: all
//   limits:
//     max_batch_size: 1000
//     max_message_bytes: 4194304
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"

namespace crossgate::server {

enum class CallerRole : std::uint8_t { kAsk, kAssertAwsSession, kReadStatus };

struct CallerConfig {
  std::string spiffe_id;
  bool may_ask = false;
  bool may_assert_aws_session = false;
  bool may_read_status = false;
};

struct BundleSourceConfig {
  std::filesystem::path path;
  std::vector<std::filesystem::path> public_keys;
  int signatures_required = 1;
};

struct TrustDomainConfig {
  std::string trust_domain;
  std::filesystem::path jwks;
};

struct IssuerConfig {
  std::string issuer;
  std::filesystem::path jwks;
};

struct ServerConfig {
  std::filesystem::path source;  // the configuration file

  std::string listen_address = "127.0.0.1:50051";
  bool plaintext = false;
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::filesystem::path tls_client_ca;

  std::vector<CallerConfig> callers;

  BundleSourceConfig policy_bundle;
  BundleSourceConfig owner_registry;
  bool allow_unsigned_bundles = false;

  std::string audience = "crossgate";
  std::int64_t leeway_seconds = 30;
  std::int64_t token_cache_entries = 100000;
  std::vector<TrustDomainConfig> trust_domains;
  std::vector<IssuerConfig> issuers;

  std::filesystem::path decision_log;
  bool log_fsync = false;
  std::uint64_t log_rotate_bytes = 0;
  std::int64_t log_rotate_age_seconds = 0;
  std::uint32_t log_retain_files = 0;

  std::int64_t max_batch_size = 1000;
  std::int64_t max_message_bytes = 4 << 20;

  const CallerConfig* find_caller(std::string_view spiffe_id) const;
};

cedar::Result<ServerConfig> load_server_config(const std::filesystem::path& file);
cedar::Result<ServerConfig> parse_server_config(std::string_view text,
                                                const std::filesystem::path& file);

// Whether `address` ("host:port") names a loopback host (127.0.0.0/8, ::1, localhost).
bool is_loopback_address(std::string_view address);

}  // namespace crossgate::server
