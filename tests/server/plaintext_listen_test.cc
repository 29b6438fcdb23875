// Plaintext is for development on one machine: the configuration must refuse it on any
// address another machine could reach, and must never fall back to it when TLS is missing.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "server/config/server_config.h"

namespace crossgate::server {
namespace {

using Catch::Matchers::ContainsSubstring;

constexpr const char* kSources = R"(policy_bundle: {path: bundle, public_keys: [p.pem]}
owner_registry: {path: registry, public_keys: [r.pem]}
decision_log: {path: decisions.log}
)";

cedar::Result<ServerConfig> with_listen(const std::string& listen) {
  return parse_server_config("listen: " + listen + "\n" + kSources, "/etc/crossgate/config.yaml");
}

std::string plaintext_on(const std::string& address) {
  return "{address: \"" + address + "\", plaintext: true}";
}

TEST_CASE("plaintext is accepted on loopback addresses", "[config][plaintext]") {
  for (const char* address :
       {"127.0.0.1:50051", "127.0.0.2:50051", "127.255.255.254:1", "localhost:50051", "[::1]:50051",
        "[0:0:0:0:0:0:0:1]:50051", "[::ffff:127.0.0.1]:50051"}) {
    INFO(address);
    cedar::Result<ServerConfig> c = with_listen(plaintext_on(address));
    INFO((c.ok() ? std::string() : c.message()));
    REQUIRE(c.ok());
    CHECK(c->plaintext);
    CHECK(c->listen_address == address);
  }
}

TEST_CASE("plaintext on an address other machines can reach is refused", "[config][plaintext]") {
  for (const char* address : {"0.0.0.0:50051", "[::]:50051", "10.1.2.3:50051", "192.0.2.7:50051",
                              "[2001:db8::1]:50051", "[::ffff:10.0.0.1]:50051", ":50051"}) {
    INFO(address);
    cedar::Result<ServerConfig> c = with_listen(plaintext_on(address));
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.message(), ContainsSubstring("config.yaml:1:"));
    CHECK_THAT(c.message(), ContainsSubstring("plaintext"));
    CHECK_THAT(c.message(), ContainsSubstring("allowed only on a loopback address, not " +
                                              std::string(address)));
  }
}

TEST_CASE("host names that only look like loopback are not loopback", "[config][plaintext]") {
  // Names resolve to whatever DNS says; only `localhost` and address literals are trusted.
  for (const char* address : {"127.0.0.1.nip.io:50051", "127.example.com:50051", "127.1:50051",
                              "localhost.example.com:50051", "::1:50051", "[::1:50051",
                              "[::1]x:50051", "crossgate:50051"}) {
    INFO(address);
    CHECK_FALSE(is_loopback_address(address));
    CHECK_FALSE(with_listen(plaintext_on(address)).ok());
  }
}

TEST_CASE("without plaintext, TLS is required and there is no silent fallback",
          "[config][plaintext]") {
  // Not even on loopback: plaintext must be asked for.
  for (const char* listen : {"{address: \"127.0.0.1:50051\"}", "{address: \"0.0.0.0:50051\"}",
                             "{address: \"127.0.0.1:50051\", plaintext: false}"}) {
    INFO(listen);
    cedar::Result<ServerConfig> c = with_listen(listen);
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.message(), ContainsSubstring("tls: missing required field"));
  }
  // No listen section at all: the default address is loopback, but TLS is still required.
  cedar::Result<ServerConfig> c = parse_server_config(kSources, "/etc/crossgate/config.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.message(), ContainsSubstring("tls: missing required field"));
}

TEST_CASE("plaintext must be a boolean", "[config][plaintext][bad-input]") {
  cedar::Result<ServerConfig> c =
      with_listen("{address: \"127.0.0.1:50051\", plaintext: yes-please}");
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.message(), ContainsSubstring("plaintext"));
}

}  // namespace
}  // namespace crossgate::server
