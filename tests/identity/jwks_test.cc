// JSON Web Key Sets: parsing every supported key type, key selection, which algorithms a
// key allows, and the errors for broken sets.
#include "policy/identity/jwks.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>

#include "tests/identity/fixtures.h"
#include "tests/support/jwt_minter.h"

namespace crossgate::identity {
namespace {

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using test::keys;
using testing::SigningKey;

std::string parse_error(const json& document) {
  auto set = JwkSet::parse(document.dump(), "jwks.json");
  REQUIRE_FALSE(set.ok());
  return set.message();
}

TEST_CASE("a key set with every supported key type", "[identity]") {
  const auto& k = keys();
  auto set = JwkSet::parse(testing::jwks_json({&k.rsa, &k.p256, &k.p384, &k.ed25519}), "t");
  REQUIRE(set.ok());
  CHECK(set->size() == 4);
  const Jwk* rsa = set->find("rsa-1");
  REQUIRE(rsa != nullptr);
  CHECK(rsa->key_type() == "RSA");
  CHECK(rsa->curve().empty());
  CHECK(rsa->bits() == 2048);
  const Jwk* p256 = set->find("p256-1");
  REQUIRE(p256 != nullptr);
  CHECK(p256->key_type() == "EC");
  CHECK(p256->curve() == "P-256");
  CHECK(set->find("p384-1")->curve() == "P-384");
  CHECK(set->find("ed-1")->key_type() == "OKP");
  CHECK(set->find("ed-1")->curve() == "Ed25519");
  CHECK(set->find("nope") == nullptr);
  CHECK(set->find("") == nullptr);  // four keys: a kid is needed
}

TEST_CASE("a key set with one key serves tokens without kid", "[identity]") {
  auto set = JwkSet::parse(testing::jwks_json({&keys().p256}), "t");
  REQUIRE(set.ok());
  REQUIRE(set->find("") != nullptr);
  CHECK(set->find("")->key_id() == "p256-1");
  CHECK(set->find("other") == nullptr);  // a named kid must match
}

TEST_CASE("which algorithms a key allows", "[identity]") {
  const auto& k = keys();
  auto set = JwkSet::parse(testing::jwks_json({&k.rsa, &k.p256, &k.p384, &k.ed25519}), "t");
  REQUIRE(set.ok());
  const Jwk& rsa = *set->find("rsa-1");
  for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}) {
    CHECK(rsa.allows(alg));
  }
  CHECK_FALSE(rsa.allows("ES256"));
  CHECK_FALSE(rsa.allows("EdDSA"));
  CHECK_FALSE(rsa.allows("HS256"));
  CHECK_FALSE(rsa.allows("none"));
  CHECK(set->find("p256-1")->allows("ES256"));
  CHECK_FALSE(set->find("p256-1")->allows("ES384"));
  CHECK_FALSE(set->find("p256-1")->allows("RS256"));
  CHECK(set->find("p384-1")->allows("ES384"));
  CHECK_FALSE(set->find("p384-1")->allows("ES256"));
  CHECK(set->find("ed-1")->allows("EdDSA"));
  CHECK_FALSE(set->find("ed-1")->allows("ES256"));
}

TEST_CASE("a key that names its alg allows only that one", "[identity]") {
  auto set = JwkSet::parse(testing::jwks_json({keys().rsa.public_jwk("PS256")}), "t");
  REQUIRE(set.ok());
  CHECK(set->find("rsa-1")->allows("PS256"));
  CHECK_FALSE(set->find("rsa-1")->allows("RS256"));
  CHECK_FALSE(set->find("rsa-1")->allows("PS384"));
}

TEST_CASE("an RSA key under 2048 bits is loaded but allows nothing", "[identity]") {
  auto weak = SigningKey::rsa("weak", 1024);
  auto set = JwkSet::parse(testing::jwks_json({&weak}), "t");
  REQUIRE(set.ok());
  CHECK(set->find("weak")->bits() == 1024);
  CHECK_FALSE(set->find("weak")->allows("RS256"));
  std::string input = "a.b";
  CHECK_FALSE(set->find("weak")->verify("RS256", input, weak.sign("RS256", input)));
}

TEST_CASE("Jwk::verify checks signatures directly", "[identity]") {
  const auto& k = keys();
  auto set = JwkSet::parse(testing::jwks_json({&k.rsa, &k.p256, &k.ed25519}), "t");
  REQUIRE(set.ok());
  std::string input = "header.payload";
  CHECK(set->find("rsa-1")->verify("PS384", input, k.rsa.sign("PS384", input)));
  CHECK_FALSE(set->find("rsa-1")->verify("PS384", "header.payloaD", k.rsa.sign("PS384", input)));
  CHECK_FALSE(set->find("rsa-1")->verify("RS384", input, k.rsa.sign("PS384", input)));
  CHECK(set->find("p256-1")->verify("ES256", input, k.p256.sign("ES256", input)));
  CHECK_FALSE(set->find("p256-1")->verify("ES256", input, k.staging.sign("ES256", input)));
  CHECK(set->find("ed-1")->verify("EdDSA", input, k.ed25519.sign("EdDSA", input)));
  CHECK_FALSE(set->find("ed-1")->verify("EdDSA", input, std::string(64, '\0')));
  CHECK_FALSE(set->find("ed-1")->verify("EdDSA", input, ""));
}

TEST_CASE("a SPIFFE trust bundle: jwt-svid keys are used, x509-svid keys are not", "[identity]") {
  json jwt_authority = keys().p256.public_jwk();
  jwt_authority["use"] = "jwt-svid";
  json x509_authority = keys().rsa.public_jwk();
  x509_authority["use"] = "x509-svid";
  x509_authority["x5c"] = json::array({"MIIB"});
  json bundle = {{"spiffe_sequence", 3},
                 {"spiffe_refresh_hint", 300},
                 {"keys", {x509_authority, jwt_authority}}};
  auto set = JwkSet::parse(bundle.dump(), "bundle");
  REQUIRE(set.ok());
  CHECK(set->size() == 1);
  CHECK(set->find("p256-1") != nullptr);
  CHECK(set->find("rsa-1") == nullptr);
}

TEST_CASE("keys not meant for signatures are skipped", "[identity]") {
  const auto& k = keys();
  json encryption = k.rsa.public_jwk();
  encryption["use"] = "enc";
  encryption["kid"] = "enc-1";
  json oaep = k.rsa.public_jwk("RSA-OAEP");
  oaep.erase("use");
  oaep["kid"] = "oaep-1";
  json no_verify = k.p256.public_jwk();
  no_verify["kid"] = "wrap-1";
  no_verify["key_ops"] = json::array({"wrapKey"});
  json secret = {{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  json p521 = {{"kty", "EC"}, {"crv", "P-521"}, {"kid", "p521"}, {"x", "AA"}, {"y", "AA"}};
  json x25519 = {{"kty", "OKP"}, {"crv", "X25519"}, {"kid", "x"}, {"x", "AA"}};
  json ok = k.ed25519.public_jwk();
  ok["key_ops"] = json::array({"verify"});
  auto set = JwkSet::parse(testing::jwks_json({encryption, oaep, no_verify, secret, p521, x25519,
                                               ok, k.p256.public_jwk()}),
                           "t");
  REQUIRE(set.ok());
  CHECK(set->size() == 2);
  CHECK(set->find("ed-1") != nullptr);
  CHECK(set->find("p256-1") != nullptr);
  CHECK(set->find("enc-1") == nullptr);
  CHECK(set->find("hmac") == nullptr);
}

TEST_CASE("key set errors name the origin and the key", "[identity]") {
  const auto& k = keys();
  CHECK_THAT(JwkSet::parse("{", "jwks.json").message(), StartsWith("jwks.json: "));
  CHECK_THAT(parse_error(json::array()), ContainsSubstring("must be a JSON object"));
  CHECK_THAT(parse_error(json::object()), ContainsSubstring("\"keys\" array"));
  CHECK_THAT(parse_error({{"keys", json::object()}}), ContainsSubstring("\"keys\" array"));
  CHECK_THAT(parse_error({{"keys", json::array()}}), ContainsSubstring("no usable"));
  CHECK_THAT(parse_error({{"keys", json::array({42})}}),
             ContainsSubstring("jwks.json: keys[0]: a key must be an object"));

  json no_kty = k.p256.public_jwk();
  no_kty.erase("kty");
  CHECK_THAT(parse_error({{"keys", {k.rsa.public_jwk(), no_kty}}}),
             ContainsSubstring("jwks.json: keys[1] (kid \"p256-1\"): missing \"kty\""));

  json no_n = k.rsa.public_jwk();
  no_n.erase("n");
  CHECK_THAT(parse_error({{"keys", {no_n}}}),
             ContainsSubstring("keys[0] (kid \"rsa-1\"): missing \"n\""));

  json bad_x = k.p256.public_jwk();
  bad_x["x"] = "not base64!";
  CHECK_THAT(parse_error({{"keys", {bad_x}}}), ContainsSubstring("\"x\" is not base64url"));

  json padded = k.ed25519.public_jwk();
  padded["x"] = padded["x"].get<std::string>() + "=";
  CHECK_THAT(parse_error({{"keys", {padded}}}), ContainsSubstring("padding"));

  json kid_number = k.p256.public_jwk();
  kid_number["kid"] = 7;
  CHECK_THAT(parse_error({{"keys", {kid_number}}}), ContainsSubstring("\"kid\" must be a string"));

  json no_crv = k.p256.public_jwk();
  no_crv.erase("crv");
  CHECK_THAT(parse_error({{"keys", {no_crv}}}), ContainsSubstring("missing \"crv\""));

  json short_x = k.p256.public_jwk();
  short_x["x"] = testing::base64url(std::string(31, '\x01'));
  CHECK_THAT(parse_error({{"keys", {short_x}}}), ContainsSubstring("must be 32 bytes each"));

  json short_ed = k.ed25519.public_jwk();
  short_ed["x"] = testing::base64url(std::string(31, '\x01'));
  CHECK_THAT(parse_error({{"keys", {short_ed}}}), ContainsSubstring("must be 32 bytes"));

  json mismatched = k.p256.public_jwk("ES384");
  CHECK_THAT(parse_error({{"keys", {mismatched}}}),
             ContainsSubstring("\"alg\" \"ES384\" does not fit a EC P-256 key"));
  json rsa_as_ec = k.rsa.public_jwk("ES256");
  CHECK_THAT(parse_error({{"keys", {rsa_as_ec}}}), ContainsSubstring("does not fit a RSA key"));

  json even_n = k.rsa.public_jwk();
  even_n["n"] = testing::base64url(std::string(256, '\x02'));
  CHECK_THAT(parse_error({{"keys", {even_n}}}), ContainsSubstring("even"));
  json bad_e = k.rsa.public_jwk();
  bad_e["e"] = testing::base64url("\x01");
  CHECK_THAT(parse_error({{"keys", {bad_e}}}), ContainsSubstring("exponent"));
}

TEST_CASE("an EC point off its curve is refused", "[identity]") {
  for (const SigningKey* key : {&keys().p256, &keys().p384}) {
    json jwk = key->public_jwk();
    std::string y = testing::base64url(std::string(key == &keys().p256 ? 32 : 48, '\x07'));
    jwk["y"] = y;
    CHECK_THAT(parse_error({{"keys", {jwk}}}), ContainsSubstring("is not on the curve"));
  }
}

TEST_CASE("duplicate kids are an error", "[identity]") {
  json first = keys().p256.public_jwk();
  json second = keys().p384.public_jwk();
  second["kid"] = "p256-1";
  CHECK_THAT(parse_error({{"keys", {first, second}}}),
             ContainsSubstring("jwks.json: keys[1] (kid \"p256-1\"): duplicate kid"));
}

TEST_CASE("JwkSet::load reads a file and names it in errors", "[identity]") {
  auto dir = std::filesystem::temp_directory_path() / "crossgate-identity-jwks-test";
  std::filesystem::create_directories(dir);
  auto good = dir / "good.json";
  std::ofstream(good) << testing::jwks_json({&keys().p256});
  auto set = JwkSet::load(good);
  REQUIRE(set.ok());
  CHECK(set->size() == 1);

  auto broken = dir / "broken.json";
  std::ofstream(broken) << "{\"keys\": [}";
  CHECK_THAT(JwkSet::load(broken).message(), StartsWith(broken.string() + ": "));
  CHECK_THAT(JwkSet::load(dir / "missing.json").message(), ContainsSubstring("cannot open"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crossgate::identity
