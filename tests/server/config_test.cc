// The daemon's configuration: what a valid file gives, and that mistakes are refused with
// the file, line, column and key.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "server/config/server_config.h"

namespace crossgate::server {
namespace {

using Catch::Matchers::ContainsSubstring;

constexpr const char* kMinimal = R"(listen: {address: "127.0.0.1:0", plaintext: true}
policy_bundle: {path: bundle, public_keys: [p.pem]}
owner_registry: {path: registry, public_keys: [r.pem]}
decision_log: {path: decisions.log}
)";

std::string error_of(const std::string& text) {
  cedar::Result<ServerConfig> c = parse_server_config(text, "/etc/crossgate/config.yaml");
  REQUIRE_FALSE(c.ok());
  return c.message();
}

TEST_CASE("a minimal configuration, with paths relative to the file", "[config]") {
  cedar::Result<ServerConfig> c = parse_server_config(kMinimal, "/etc/crossgate/config.yaml");
  INFO((c.ok() ? std::string() : c.message()));
  REQUIRE(c.ok());
  CHECK(c->plaintext);
  CHECK(c->policy_bundle.path == "/etc/crossgate/bundle");
  CHECK(c->owner_registry.public_keys.front() == "/etc/crossgate/r.pem");
  CHECK(c->decision_log == "/etc/crossgate/decisions.log");
  CHECK(c->max_batch_size == 1000);
  CHECK(c->audience == "crossgate");
}

TEST_CASE("callers and their roles", "[config]") {
  std::string text = std::string(kMinimal) + R"(callers:
  - spiffe_id: spiffe://example.org/gw
    roles: [ask, assert_aws_session]
  - spiffe_id: spiffe://example.org/monitor
    roles: [read_status]
)";
  cedar::Result<ServerConfig> c = parse_server_config(text, "c.yaml");
  REQUIRE(c.ok());
  const CallerConfig* gw = c->find_caller("spiffe://example.org/gw");
  REQUIRE(gw != nullptr);
  CHECK(gw->may_ask);
  CHECK(gw->may_assert_aws_session);
  CHECK_FALSE(gw->may_read_status);
  CHECK(c->find_caller("spiffe://example.org/other") == nullptr);
}

TEST_CASE("configuration mistakes name the key", "[config][bad-input]") {
  CHECK_THAT(error_of(std::string(kMinimal) + "decison_log: {path: x}\n"),
             ContainsSubstring("config.yaml:5:1: unknown field `decison_log`"));
  CHECK_THAT(error_of("listen: {address: \"0.0.0.0:50051\", plaintext: true}\n"),
             ContainsSubstring("plaintext is allowed only on a loopback address"));
  CHECK_THAT(error_of("listen: {address: \"0.0.0.0:50051\"}\n"),
             ContainsSubstring("tls: missing required field"));
  CHECK_THAT(
      error_of(std::string(kMinimal) + "callers:\n  - spiffe_id: gateway\n    roles: [ask]\n"),
      ContainsSubstring("`gateway` is not a SPIFFE ID"));
  CHECK_THAT(error_of(std::string(kMinimal) +
                      "callers:\n  - spiffe_id: spiffe://x/y\n    roles: [admin]\n"),
             ContainsSubstring("unknown role `admin`"));
  CHECK_THAT(error_of(std::string(kMinimal) + "limits: {max_batch_size: 0}\n"),
             ContainsSubstring("limits.max_batch_size: must be between 1 and 100000"));
  CHECK_THAT(error_of(R"(listen: {address: "127.0.0.1:0", plaintext: true}
policy_bundle: {path: b}
owner_registry: {path: r}
decision_log: {path: d}
)"),
             ContainsSubstring("policy_bundle.public_keys: at least one key is required"));
  CHECK(parse_server_config(R"(listen: {address: "127.0.0.1:0", plaintext: true}
policy_bundle: {path: b}
owner_registry: {path: r}
decision_log: {path: d}
allow_unsigned_bundles: true
)",
                            "c.yaml")
            .ok());
  CHECK_THAT(error_of("listen: [\n"), ContainsSubstring("invalid YAML"));
}

TEST_CASE("loopback addresses", "[config]") {
  CHECK(is_loopback_address("127.0.0.1:50051"));
  CHECK(is_loopback_address("localhost:1"));
  CHECK(is_loopback_address("[::1]:50051"));
  CHECK_FALSE(is_loopback_address("0.0.0.0:50051"));
  CHECK_FALSE(is_loopback_address("10.0.0.1:50051"));
  CHECK_FALSE(is_loopback_address("[::]:50051"));
}

}  // namespace
}  // namespace crossgate::server
