// The SPIFFE ID of an X.509-SVID: exactly one URI SAN that is a workload SPIFFE ID.
#include <catch2/catch_test_macros.hpp>

#include "policy/identity/jwt.h"
#include "tests/identity/fixtures.h"
#include "tests/support/test_certificate.h"

namespace crossgate::identity {
namespace {

using testing::CertificateSpec;
using testing::self_signed_certificate_pem;
using namespace test;

TEST_CASE("the SPIFFE ID of a certificate with one URI SAN", "[identity]") {
  for (const SigningKey* key : {&keys().p256, &keys().rsa, &keys().ed25519}) {
    std::string pem = self_signed_certificate_pem(*key, {.uri_sans = {kWorkload}});
    CHECK(spiffe_id_from_certificate_pem(pem) == kWorkload);
  }
}

TEST_CASE("DNS SANs beside the URI SAN do not matter", "[identity]") {
  std::string pem = self_signed_certificate_pem(
      keys().p256, {.uri_sans = {kWorkload}, .dns_sans = {"api.payments.svc", "localhost"}});
  CHECK(spiffe_id_from_certificate_pem(pem) == kWorkload);
}

TEST_CASE("the first certificate of a chain is the one read", "[identity]") {
  std::string leaf = self_signed_certificate_pem(keys().p256, {.uri_sans = {kWorkload}});
  std::string other = self_signed_certificate_pem(keys().p384, {.uri_sans = {kOtherWorkload}});
  CHECK(spiffe_id_from_certificate_pem(leaf + other) == kWorkload);
}

TEST_CASE("no SPIFFE ID without exactly one valid URI SAN", "[identity]") {
  const SigningKey& key = keys().p256;
  CHECK_FALSE(spiffe_id_from_certificate_pem(self_signed_certificate_pem(key, {})));
  CHECK_FALSE(spiffe_id_from_certificate_pem(
      self_signed_certificate_pem(key, {.dns_sans = {"api.payments.svc"}})));
  CHECK_FALSE(spiffe_id_from_certificate_pem(
      self_signed_certificate_pem(key, {.uri_sans = {kWorkload, kOtherWorkload}})));
  CHECK_FALSE(spiffe_id_from_certificate_pem(
      self_signed_certificate_pem(key, {.uri_sans = {kWorkload, "https://example.com"}})));
  CHECK_FALSE(spiffe_id_from_certificate_pem(
      self_signed_certificate_pem(key, {.uri_sans = {"https://prod.example.com/ns/app"}})));
  CHECK_FALSE(spiffe_id_from_certificate_pem(
      self_signed_certificate_pem(key, {.uri_sans = {"spiffe://prod.example.com"}})));
  CHECK_FALSE(spiffe_id_from_certificate_pem(
      self_signed_certificate_pem(key, {.uri_sans = {"spiffe://prod.example.com/app/"}})));
}

TEST_CASE("input that is not a PEM certificate", "[identity]") {
  CHECK_FALSE(spiffe_id_from_certificate_pem(""));
  CHECK_FALSE(spiffe_id_from_certificate_pem("not a certificate"));
  CHECK_FALSE(spiffe_id_from_certificate_pem(keys().p256.public_key_pem()));
  std::string pem = self_signed_certificate_pem(keys().p256, {.uri_sans = {kWorkload}});
  CHECK_FALSE(spiffe_id_from_certificate_pem(pem.substr(0, pem.size() / 2)));
}

}  // namespace
}  // namespace crossgate::identity
