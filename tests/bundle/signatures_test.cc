// Tests of signatures.h: the statement and digests, trusted keys, signing a directory
// (merging with other signers) and verification — k of n, kinds kept apart, tampering with
// files or signatures detected, malformed signatures.json reported clearly.
#include "policy/bundle/signatures.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "policy/bundle/base64.h"
#include "tests/bundle/test_support.h"

namespace crossgate::bundle {
namespace {

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using testing::generate_key;
using testing::KeyType;
using testing::read_file;
using testing::TempDir;
using testing::TestKey;
using testing::write_file;

constexpr BundleKind kPolicy = BundleKind::kPolicyBundle;
constexpr BundleKind kRegistry = BundleKind::kOwnerRegistry;

// Key generation is the slow part: each key is made once per run.
const TestKey& ed_a() {
  static const TestKey key = generate_key(KeyType::kEd25519);
  return key;
}
const TestKey& ed_b() {
  static const TestKey key = generate_key(KeyType::kEd25519);
  return key;
}
const TestKey& p256_a() {
  static const TestKey key = generate_key(KeyType::kP256);
  return key;
}
const TestKey& p256_b() {
  static const TestKey key = generate_key(KeyType::kP256);
  return key;
}

std::string id_of(const TestKey& key) {
  return sha256_hex(key.spki_der);
}

TrustedKeys trust(std::initializer_list<const TestKey*> keys) {
  TrustedKeys trusted;
  for (const TestKey* key : keys)
    REQUIRE(trusted.add_pem(key->public_pem, "test key").ok());
  return trusted;
}

void make_bundle(const TempDir& dir) {
  write_file(dir / "manifest.yaml", "name: test\nrevision: 1\n");
  write_file(dir / "policies/base.cedar", "permit(principal, action, resource);\n");
  write_file(dir / "tests/allow.yaml", "- request: {}\n");
}

std::string sign(const TempDir& dir, BundleKind kind, const TestKey& key) {
  Result<std::string> summary = sign_bundle_directory(dir.path(), kind, key.private_pem);
  if (!summary.ok()) FAIL("signing failed: " << summary.message());
  return *summary;
}

Result<VerifiedSignatures> verify(const TempDir& dir, BundleKind kind, const TrustedKeys& trusted,
                                  int required) {
  Result<BundleFiles> files = read_bundle_source(dir.path());
  if (!files.ok()) FAIL("reading failed: " << files.message());
  return verify_bundle_signatures(*files, kind, trusted, required);
}

void check_refused(const Result<VerifiedSignatures>& result, const std::string& fragment) {
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.message(), ContainsSubstring(fragment));
}

json read_signatures(const TempDir& dir) {
  return json::parse(read_file(dir / kSignaturesFile));
}
void write_signatures(const TempDir& dir, const json& document) {
  write_file(dir / kSignaturesFile, document.dump(2));
}

// ---- statement and digests --------------------------------------------------------------

TEST_CASE("sha256_hex, kind names and the signed statement", "[bundle][signatures]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(kind_name(kPolicy) == "policy-bundle");
  CHECK(kind_name(kRegistry) == "owner-registry");
  std::map<std::string, std::string> digests{{"z.txt", std::string(64, 'b')},
                                             {"a/b.txt", std::string(64, 'a')}};
  CHECK(signed_statement(kPolicy, digests) == "crossgate-signatures-v1 policy-bundle\n" +
                                                  std::string(64, 'a') + "  a/b.txt\n" +
                                                  std::string(64, 'b') + "  z.txt\n");
  CHECK(signed_statement(kRegistry, {}) == "crossgate-signatures-v1 owner-registry\n");
}

TEST_CASE("bundle_digest pins every file but signatures.json, and the kind",
          "[bundle][signatures]") {
  BundleFiles files;
  files.files = {{"manifest.yaml", "m"}, {"policies/a.cedar", "a"}};
  std::string digest = bundle_digest(files, kPolicy);
  CHECK(digest == sha256_hex("crossgate-signatures-v1 policy-bundle\n" + sha256_hex("m") +
                             "  manifest.yaml\n" + sha256_hex("a") + "  policies/a.cedar\n"));
  CHECK(bundle_digest(files, kRegistry) != digest);
  files.files[kSignaturesFile] = "{}";
  CHECK(bundle_digest(files, kPolicy) == digest);
  files.files["policies/a.cedar"] = "A";
  CHECK(bundle_digest(files, kPolicy) != digest);
}

TEST_CASE("base64 is strict", "[bundle][signatures]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  for (std::string_view text : {"foobar", "fooba", "foob", "\xff\xfe\x00\x01"}) {
    Result<std::string> decoded = base64_decode(base64_encode(text));
    REQUIRE(decoded.ok());
    CHECK(*decoded == text);
  }
  for (std::string_view bad :
       {"Zg", "Zg=", "Zh==", "Z===", "====", "Zm9v YmFy", "Zm9v\nYmFy", "Zm-v", "Zm_v", "=Zm9"}) {
    INFO("input: " << bad);
    CHECK_FALSE(base64_decode(bad).ok());
  }
}

// ---- trusted keys -----------------------------------------------------------------------

TEST_CASE("trusted keys: Ed25519 and P-256 accepted, ids are SHA-256 of the SPKI",
          "[bundle][signatures]") {
  TrustedKeys trusted;
  CHECK(trusted.size() == 0);
  REQUIRE(trusted.add_pem(ed_a().public_pem, "ed.pem").ok());
  REQUIRE(trusted.add_pem(p256_a().public_pem, "p256.pem").ok());
  REQUIRE(trusted.add_pem(ed_a().public_pem, "again.pem").ok());  // the same key: one id
  CHECK(trusted.size() == 2);
  std::vector<std::string> expected{id_of(ed_a()), id_of(p256_a())};
  std::sort(expected.begin(), expected.end());
  CHECK(trusted.key_ids() == expected);

  SECTION("a compressed-point PEM of the same P-256 key has the same id") {
    REQUIRE(trusted.add_pem(p256_a().compressed_public_pem, "compressed.pem").ok());
    CHECK(trusted.size() == 2);
  }
  SECTION("several keys in one file") {
    TrustedKeys both;
    REQUIRE(both.add_pem(ed_b().public_pem + p256_b().public_pem, "keyring.pem").ok());
    CHECK(both.size() == 2);
  }
  SECTION("moved") {
    TrustedKeys moved = std::move(trusted);
    CHECK(moved.size() == 2);
  }
}

TEST_CASE("trusted keys: everything else is refused, naming the file", "[bundle][signatures]") {
  TrustedKeys trusted;
  auto refused = [&](const std::string& pem, const std::string& fragment) {
    Status added = trusted.add_pem(pem, "keys/x.pem");
    REQUIRE_FALSE(added.ok());
    CHECK_THAT(added.message(), StartsWith("keys/x.pem: "));
    CHECK_THAT(added.message(), ContainsSubstring(fragment));
  };
  refused(generate_key(KeyType::kRsa).public_pem,
          "public key 1: unsupported key type RSA (only Ed25519 and ECDSA P-256");
  refused(generate_key(KeyType::kP384).public_pem, "unsupported EC curve secp384r1");
  refused(ed_a().private_pem, "holds a private key");
  refused("hello", "no PEM public key");
  refused("", "no PEM public key");
  refused("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
          "public key 1 is not a valid SubjectPublicKeyInfo");
  refused("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "malformed PEM");
  refused("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
          "unexpected PEM block \"CERTIFICATE\"");
  CHECK(trusted.size() == 0);

  TempDir dir;
  Status missing = trusted.add_pem_file(dir / "absent.pem");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.message(), ContainsSubstring("absent.pem"));
  write_file(dir / "good.pem", p256_b().public_pem);
  REQUIRE(trusted.add_pem_file(dir / "good.pem").ok());
  CHECK(trusted.key_ids() == std::vector<std::string>{id_of(p256_b())});
}

// ---- sign and verify --------------------------------------------------------------------

TEST_CASE("sign then verify round trip, Ed25519 and P-256", "[bundle][signatures]") {
  for (const TestKey* key : {&ed_a(), &p256_a()}) {
    TempDir dir;
    make_bundle(dir);
    std::string summary = sign(dir, kPolicy, *key);
    CHECK_THAT(summary, ContainsSubstring("with key " + id_of(*key)));
    CHECK_THAT(summary, ContainsSubstring("files: 3"));

    Result<VerifiedSignatures> verified = verify(dir, kPolicy, trust({key}), 1);
    REQUIRE(verified.ok());
    CHECK(verified->signer_key_ids == std::vector<std::string>{id_of(*key)});

    json document = read_signatures(dir);
    CHECK(document["format"] == "crossgate-signatures-v1");
    CHECK(document["kind"] == "policy-bundle");
    CHECK(document["files"].size() == 3);
    CHECK(document["files"]["manifest.yaml"] == sha256_hex("name: test\nrevision: 1\n"));
    CHECK(document["signatures"][0]["algorithm"] ==
          (key == &ed_a() ? "ed25519" : "ecdsa-p256-sha256"));
  }
}

TEST_CASE("a traditional EC private key signs too", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  REQUIRE(sign_bundle_directory(dir.path(), kPolicy, p256_b().traditional_private_pem).ok());
  CHECK(verify(dir, kPolicy, trust({&p256_b()}), 1).ok());
}

TEST_CASE("a signed directory verifies once packed as a .tar.gz", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kRegistry, ed_a());
  std::vector<testing::Entry> entries;
  Result<BundleFiles> files = read_bundle_source(dir.path());
  REQUIRE(files.ok());
  for (const auto& [path, content] : files->files)
    entries.push_back({"registry/" + path, content});
  Result<BundleFiles> unpacked = read_bundle_archive(testing::make_archive(entries), "r.tgz");
  REQUIRE(unpacked.ok());
  CHECK(verify_bundle_signatures(*unpacked, kRegistry, trust({&ed_a()}), 1).ok());
  CHECK(bundle_digest(*unpacked, kRegistry) == bundle_digest(*files, kRegistry));
}

TEST_CASE("k of n: distinct trusted keys are counted", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  TrustedKeys trusted = trust({&ed_a(), &p256_a(), &ed_b()});
  sign(dir, kPolicy, ed_a());

  Result<VerifiedSignatures> one = verify(dir, kPolicy, trusted, 2);
  check_refused(one, "2 valid signatures required, 1 found (trusted keys: ");
  for (const std::string& id : trusted.key_ids())
    CHECK_THAT(one.message(), ContainsSubstring(id));

  SECTION("a second distinct key makes two") {
    std::string summary = sign(dir, kPolicy, p256_a());
    CHECK_THAT(summary, ContainsSubstring("signatures: 2 distinct keys"));
    Result<VerifiedSignatures> two = verify(dir, kPolicy, trusted, 2);
    REQUIRE(two.ok());
    CHECK(two->signer_key_ids.size() == 2);
    check_refused(verify(dir, kPolicy, trusted, 3), "3 valid signatures required, 2 found");
  }
  SECTION("the same key twice counts once") {
    json document = read_signatures(dir);
    document["signatures"].push_back(document["signatures"][0]);
    write_signatures(dir, document);
    check_refused(verify(dir, kPolicy, trusted, 2), "2 valid signatures required, 1 found");
    CHECK(verify(dir, kPolicy, trusted, 1).ok());
  }
  SECTION("signing again with the same key replaces its signature") {
    sign(dir, kPolicy, ed_a());
    CHECK(read_signatures(dir)["signatures"].size() == 1);
  }
  SECTION("required below 1 is treated as 1") {
    CHECK(verify(dir, kPolicy, trusted, 0).ok());
    TempDir unsigned_dir;
    make_bundle(unsigned_dir);
    check_refused(verify(unsigned_dir, kPolicy, trusted, 0), "signatures.json is missing");
    check_refused(verify(dir, kPolicy, TrustedKeys(), -5),
                  "1 valid signature required, 0 found (trusted keys: none)");
  }
}

TEST_CASE("signatures by unknown keys are ignored", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, ed_a());
  sign(dir, kPolicy, ed_b());  // not trusted below
  Result<VerifiedSignatures> verified = verify(dir, kPolicy, trust({&ed_a()}), 1);
  REQUIRE(verified.ok());
  CHECK(verified->signer_key_ids == std::vector<std::string>{id_of(ed_a())});
  check_refused(verify(dir, kPolicy, trust({&ed_a()}), 2), "1 signature by unknown keys ignored");

  SECTION("even when their signature bytes are garbage") {
    json document = read_signatures(dir);
    for (json& entry : document["signatures"]) {
      if (entry["key_id"] == id_of(ed_b())) entry["signature"] = base64_encode("garbage");
    }
    write_signatures(dir, document);
    CHECK(verify(dir, kPolicy, trust({&ed_a()}), 1).ok());
  }
}

TEST_CASE("kinds are kept apart", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  const TestKey& policy_key = ed_a();
  const TestKey& registry_key = p256_a();
  TrustedKeys policy_keys = trust({&policy_key});
  TrustedKeys registry_keys = trust({&registry_key});

  SECTION("a registry-kind signatures file is refused for a policy bundle, right keys or not") {
    sign(dir, kRegistry, policy_key);
    check_refused(verify(dir, kPolicy, policy_keys, 1),
                  "signs an owner-registry but a policy-bundle is expected");
  }
  SECTION("and the reverse") {
    sign(dir, kPolicy, registry_key);
    check_refused(verify(dir, kRegistry, registry_keys, 1),
                  "signs a policy-bundle but an owner-registry is expected");
  }
  SECTION("policy keys cannot make a registry acceptable") {
    sign(dir, kRegistry, policy_key);
    check_refused(verify(dir, kRegistry, registry_keys, 1), "1 valid signature required, 0 found");
    CHECK(verify(dir, kRegistry, policy_keys, 1).ok());  // only as the policy owner's own
  }
  SECTION("registry keys cannot make a policy bundle acceptable") {
    sign(dir, kPolicy, registry_key);
    check_refused(verify(dir, kPolicy, policy_keys, 1), "1 valid signature required, 0 found");
  }
  SECTION("the kind is part of what is signed: relabelling it breaks the signature") {
    sign(dir, kRegistry, registry_key);
    json document = read_signatures(dir);
    document["kind"] = "policy-bundle";
    write_signatures(dir, document);
    check_refused(verify(dir, kPolicy, registry_keys, 1), "does not verify");
  }
  SECTION("signing with the other kind over an existing file is refused") {
    sign(dir, kPolicy, policy_key);
    Result<std::string> summary =
        sign_bundle_directory(dir.path(), kRegistry, registry_key.private_pem);
    REQUIRE_FALSE(summary.ok());
    CHECK_THAT(summary.message(),
               ContainsSubstring("holds signatures for a policy-bundle, not an owner-registry"));
  }
}

TEST_CASE("changed files are detected", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, ed_a());
  TrustedKeys trusted = trust({&ed_a()});
  REQUIRE(verify(dir, kPolicy, trusted, 1).ok());

  SECTION("modified") {
    write_file(dir / "policies/base.cedar", "forbid(principal, action, resource);\n");
    check_refused(verify(dir, kPolicy, trusted, 1),
                  "content differs from its listed digest: policies/base.cedar");
  }
  SECTION("added") {
    write_file(dir / "policies/extra.cedar", "permit(principal, action, resource);\n");
    check_refused(verify(dir, kPolicy, trusted, 1),
                  "not listed in signatures.json: policies/extra.cedar");
  }
  SECTION("removed") {
    std::filesystem::remove(dir / "tests/allow.yaml");
    check_refused(verify(dir, kPolicy, trusted, 1),
                  "listed in signatures.json but missing: tests/allow.yaml");
  }
  SECTION("modified, with the listed digest updated to match") {
    write_file(dir / "policies/base.cedar", "forbid(principal, action, resource);\n");
    json document = read_signatures(dir);
    document["files"]["policies/base.cedar"] = sha256_hex("forbid(principal, action, resource);\n");
    write_signatures(dir, document);
    check_refused(verify(dir, kPolicy, trusted, 1), "does not verify");
  }
}

TEST_CASE("a tampered signature by a trusted key is refused", "[bundle][signatures]") {
  for (const TestKey* key : {&ed_a(), &p256_a()}) {
    TempDir dir;
    make_bundle(dir);
    sign(dir, kPolicy, *key);
    sign(dir, kPolicy, ed_b());
    TrustedKeys trusted = trust({key, &ed_b()});
    json document = read_signatures(dir);
    for (json& entry : document["signatures"]) {
      if (entry["key_id"] != id_of(*key)) continue;
      std::string bytes = *base64_decode(entry["signature"].get<std::string>());
      bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
      entry["signature"] = base64_encode(bytes);
    }
    write_signatures(dir, document);
    // Refused even though the other trusted signature alone would meet the requirement.
    check_refused(verify(dir, kPolicy, trusted, 1),
                  "by trusted key " + id_of(*key) + " does not verify");
  }
}

TEST_CASE("a signature whose algorithm does not match its key is refused", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, ed_a());
  json document = read_signatures(dir);
  document["signatures"][0]["algorithm"] = "ecdsa-p256-sha256";
  write_signatures(dir, document);
  check_refused(verify(dir, kPolicy, trust({&ed_a()}), 1),
                "algorithm \"ecdsa-p256-sha256\" does not match the key's (ed25519)");
}

TEST_CASE("a malformed signatures.json gives a clear error", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, ed_a());
  TrustedKeys trusted = trust({&ed_a()});
  const json good = read_signatures(dir);
  auto refused_with = [&](const json& document, const std::string& fragment) {
    write_signatures(dir, document);
    check_refused(verify(dir, kPolicy, trusted, 1), fragment);
  };

  SECTION("not JSON") {
    write_file(dir / kSignaturesFile, "{\"format\": ");
    check_refused(verify(dir, kPolicy, trusted, 1), "signatures.json: invalid JSON");
  }
  SECTION("a duplicate key") {
    write_file(dir / kSignaturesFile, R"({"format": "a", "format": "b"})");
    check_refused(verify(dir, kPolicy, trusted, 1), "duplicate key \"format\"");
  }
  SECTION("not an object") {
    refused_with(json::array(), "must be a JSON object, not array");
  }
  SECTION("missing fields") {
    for (const char* name : {"format", "kind", "files", "signatures"}) {
      json document = good;
      document.erase(name);
      refused_with(document, std::string("missing field \"") + name + "\"");
    }
    json document = good;
    document["signatures"][0].erase("key_id");
    refused_with(document, "\"signatures\"[0]: missing field \"key_id\"");
  }
  SECTION("wrong types") {
    json document = good;
    document["files"] = json::array();
    refused_with(document, "\"files\" must be an object, not array");
    document = good;
    document["signatures"][0]["signature"] = 12;
    refused_with(document, "\"signature\" must be a string, not integer");
  }
  SECTION("bad base64") {
    json document = good;
    document["signatures"][0]["signature"] = "not base64!";
    refused_with(document, "\"signatures\"[0]: \"signature\": invalid base64");
  }
  SECTION("an unknown format, kind, algorithm or field") {
    json document = good;
    document["format"] = "crossgate-signatures-v2";
    refused_with(document, "unsupported format \"crossgate-signatures-v2\"");
    document = good;
    document["kind"] = "everything";
    refused_with(document, "unknown kind \"everything\"");
    document = good;
    document["signatures"][0]["algorithm"] = "rsa";
    refused_with(document, "unknown algorithm \"rsa\"");
    document = good;
    document["comment"] = "hi";
    refused_with(document, "unknown field \"comment\"");
  }
  SECTION("digests and key ids that are not SHA-256 hex") {
    json document = good;
    document["files"]["manifest.yaml"] = "ABC";
    refused_with(document, "\"files\": \"manifest.yaml\": must be a SHA-256");
    document = good;
    document["signatures"][0]["key_id"] = std::string(64, 'G');
    refused_with(document, "\"key_id\" must be 64 lower-case hex digits");
  }
  SECTION("too many signatures") {
    json document = good;
    for (int i = 0; i < 300; ++i)
      document["signatures"].push_back(good["signatures"][0]);
    refused_with(document, "more than 256 signatures");
  }
  SECTION("signing over a malformed file is refused too") {
    write_file(dir / kSignaturesFile, "[]");
    Result<std::string> summary = sign_bundle_directory(dir.path(), kPolicy, ed_a().private_pem);
    REQUIRE_FALSE(summary.ok());
    CHECK_THAT(summary.message(), ContainsSubstring("delete it to start over"));
  }
}

TEST_CASE("signing merges with other signers while the files are unchanged",
          "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, ed_a());
  sign(dir, kPolicy, p256_a());
  CHECK(read_signatures(dir)["signatures"].size() == 2);

  write_file(dir / "policies/base.cedar", "forbid(principal, action, resource);\n");
  std::string summary = sign(dir, kPolicy, ed_a());
  CHECK_THAT(summary, ContainsSubstring("note: 1 signature by other keys dropped because the "
                                        "files changed (content differs from its listed digest: "
                                        "policies/base.cedar)"));
  json document = read_signatures(dir);
  REQUIRE(document["signatures"].size() == 1);
  CHECK(document["signatures"][0]["key_id"] == id_of(ed_a()));
  CHECK(verify(dir, kPolicy, trust({&ed_a(), &p256_a()}), 1).ok());
}

TEST_CASE("signatures.json is pretty, sorted and deterministic", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, ed_b());
  sign(dir, kPolicy, ed_a());
  std::string first = read_file(dir / kSignaturesFile);
  CHECK_THAT(first, StartsWith("{\n  \"files\": {\n    \"manifest.yaml\": "));
  CHECK(first.find("\"format\"") < first.find("\"kind\""));
  CHECK(first.back() == '\n');
  json document = json::parse(first);
  CHECK(document["signatures"][0]["key_id"] < document["signatures"][1]["key_id"]);
  sign(dir, kPolicy, ed_a());  // Ed25519 is deterministic: the same bytes again
  CHECK(read_file(dir / kSignaturesFile) == first);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

TEST_CASE("signing refuses unusable keys and sources", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  auto refused = [&](const std::filesystem::path& where, const std::string& pem,
                     const std::string& fragment) {
    Result<std::string> summary = sign_bundle_directory(where, kPolicy, pem);
    REQUIRE_FALSE(summary.ok());
    CHECK_THAT(summary.message(), ContainsSubstring(fragment));
    CHECK_FALSE(std::filesystem::exists(dir / kSignaturesFile));
  };
  refused(dir.path(), generate_key(KeyType::kRsa).private_pem,
          "private key: unsupported key type RSA");
  refused(dir.path(), ed_a().public_pem, "no PEM private key");
  refused(dir.path(), ed_a().encrypted_private_pem, "encrypted private keys are not supported");
  refused(dir.path(), p256_a().encrypted_traditional_pem, "encrypted private keys");
  refused(dir.path(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
          "not a valid \"PRIVATE KEY\"");
  refused(dir.path(), ed_a().private_pem + ed_b().private_pem, "more than one private key");
  refused(dir / "manifest.yaml", ed_a().private_pem, "not a directory");
  std::filesystem::create_symlink(dir / "manifest.yaml", dir / "link");
  refused(dir.path(), ed_a().private_pem, "'link' is a symbolic link");
}

TEST_CASE("hostile signatures.json content never crashes verification", "[bundle][signatures]") {
  TempDir dir;
  make_bundle(dir);
  sign(dir, kPolicy, p256_a());
  const std::string good = read_file(dir / kSignaturesFile);
  TrustedKeys trusted = trust({&p256_a()});
  Result<BundleFiles> files = read_bundle_source(dir.path());
  REQUIRE(files.ok());
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < good.size(); i += 3) {
    BundleFiles changed = *files;
    changed.files[kSignaturesFile][i] = static_cast<char>(good[i] ^ 0x21);
    if (verify_bundle_signatures(changed, kPolicy, trusted, 1).ok()) ++accepted;
  }
  // Every byte matters: a flip breaks the JSON, a name, a digest, an id or a signature.
  CHECK(accepted == 0);
}

}  // namespace
}  // namespace crossgate::bundle
