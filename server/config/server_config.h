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
//     reload_seconds: 60          # how often the files are checked for a new version; one
//                                 # that does not parse, whose key does not match or that has
//                                 # expired is refused (ops log, crossgate_tls_reloads_total
//                                 # {result="failure"}) and the last good one keeps serving
//   callers:                      # who may call, by the SPIFFE ID of their certificate
//     - spiffe_id: spiffe://example.org/bedrock-gateway
//       roles: [ask, assert_aws_session, read_status]
//   policy_bundle:
//     path: bundle/               # a directory or a .tar.gz, watched for changes; or
//     # url: https://bundles.example.com/bedrock.tar.gz   (polled with If-None-Match)
//     # ca_file: bundle-server-ca.pem                      (to verify an https server)
//     poll_seconds: 2             # how often to look for a change (default 2 for a path,
//                                 # 30 for a URL)
//     public_keys: [keys/policy-owner.pub.pem]
//     signatures_required: 1
//   owner_registry:
//     path: registry/
//     public_keys: [keys/registry.pub.pem]
//     signatures_required: 1
//   state_dir: state/             # the last good versions, for a cold start without source
//   max_staleness_seconds: 0      # deny (STALE_POLICY) when a version has not been
//                                 # confirmed current for longer; 0: never
//   metrics:
//     address: 127.0.0.1:9464     # Prometheus text format on /metrics
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
//     mask_context_keys: [ticket] # extra context values recorded only as a digest
//   limits:                       # a call over a limit is refused before any decision, leaves
//                                 # no record, and is counted in crossgate_refused_calls_total
//     max_batch_size: 1000        # RESOURCE_EXHAUSTED (reason batch_too_large)
//     max_message_bytes: 4194304  # RESOURCE_EXHAUSTED, by gRPC itself (not counted there)
//     max_concurrent_calls: 1024  # more at once are refused with RESOURCE_EXHAUSTED
//                                 # (reason overloaded); the caller retries with backoff
//     max_memory_bytes: 536870912 # gRPC's memory quota
//   A call whose deadline has passed, or that was cancelled, is not decided (reasons deadline,
//   cancelled); a batch stops deciding when its deadline passes (DEADLINE_EXCEEDED, reason
//   deadline): the items decided until then keep their records, the rest are never evaluated.
//   ext_authz:                    # Envoy's ext_authz Check on the same port; the keys and
//     enabled: true               # their defaults are in server/ext_authz/ext_authz_config.h
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "policy/cedar/common/result.h"
#include "server/ext_authz/ext_authz_config.h"

namespace crossgate::server {

enum class CallerRole : std::uint8_t { kAsk, kAssertAwsSession, kReadStatus };

struct CallerConfig {
  std::string spiffe_id;
  bool may_ask = false;
  bool may_assert_aws_session = false;
  bool may_read_status = false;
};

struct BundleSourceConfig {
  std::filesystem::path path;  // exactly one of path and url
  std::string url;
  std::filesystem::path ca_file;
  std::int64_t poll_seconds = 0;  // 0: the default for the source type
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
  std::int64_t tls_reload_seconds = 60;

  std::vector<CallerConfig> callers;

  BundleSourceConfig policy_bundle;
  BundleSourceConfig owner_registry;
  bool allow_unsigned_bundles = false;

  std::string audience = "crossgate";
  std::int64_t leeway_seconds = 30;
  std::int64_t token_cache_entries = 100000;
  std::vector<TrustDomainConfig> trust_domains;
  std::vector<IssuerConfig> issuers;

  std::filesystem::path state_dir;
  std::int64_t max_staleness_seconds = 0;
  std::string metrics_address;  // empty: no metrics endpoint

  std::filesystem::path decision_log;
  bool log_fsync = false;
  std::uint64_t log_rotate_bytes = 0;
  std::int64_t log_rotate_age_seconds = 0;
  std::uint32_t log_retain_files = 0;
  std::vector<std::string> log_mask_context_keys;

  std::int64_t max_batch_size = 1000;
  std::int64_t max_message_bytes = 4 << 20;
  std::int64_t max_concurrent_calls = 1024;
  std::int64_t max_memory_bytes = 512LL << 20;

  ExtAuthzConfig ext_authz;

  const CallerConfig* find_caller(std::string_view spiffe_id) const;
};

cedar::Result<ServerConfig> load_server_config(const std::filesystem::path& file);
cedar::Result<ServerConfig> parse_server_config(std::string_view text,
                                                const std::filesystem::path& file);

// Whether `address` ("host:port", "[v6]:port") names a loopback host: `localhost` or an
// address literal in 127.0.0.0/8 or ::1. Other host names never count, whatever they resolve to.
bool is_loopback_address(std::string_view address);

}  // namespace crossgate::server
