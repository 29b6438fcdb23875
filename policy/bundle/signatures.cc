// Verifying and adding detached signatures over a bundle (see signatures.h).
#include "policy/bundle/signatures.h"

#include <openssl/evp.h>

#include <array>
#include <set>

#include "policy/bundle/atomic_write.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/signatures_file.h"

namespace crossgate::bundle {

struct TrustedKeys::Keys {
  std::map<std::string, Key> by_id;
};

// The one place that reads TrustedKeys' keys (a friend), so the keys stay opaque elsewhere.
class SignatureVerifier {
 public:
  static const Key* find(const TrustedKeys& trusted, const std::string& key_id) {
    if (!trusted.keys_) return nullptr;
    auto it = trusted.keys_->by_id.find(key_id);
    return it == trusted.keys_->by_id.end() ? nullptr : &it->second;
  }
};

namespace {

// Names in messages: a few, then a count, so a wrong folder does not flood the log.
std::string name_list(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out;
}

std::map<std::string, std::string> file_digests(const BundleFiles& files) {
  std::map<std::string, std::string> digests;
  for (const auto& [path, content] : files.files) {
    if (path != kSignaturesFile) digests.emplace(path, sha256_hex(content));
  }
  return digests;
}

// How `listed` (from signatures.json) differs from `actual`; empty when they agree.
std::string describe_changes(const std::map<std::string, std::string>& listed,
                             const std::map<std::string, std::string>& actual) {
  std::vector<std::string> missing, extra, modified;
  for (const auto& [path, digest] : listed) {
    auto it = actual.find(path);
    if (it == actual.end()) {
      missing.push_back(path);
    } else if (it->second != digest) {
      modified.push_back(path);
    }
  }
  for (const auto& [path, digest] : actual) {
    if (listed.count(path) == 0) extra.push_back(path);
  }
  std::string out;
  auto add = [&](const std::vector<std::string>& names, const char* what) {
    if (names.empty()) return;
    out += (out.empty() ? "" : "; ") + std::string(what) + ": " + name_list(names);
  };
  add(missing, "listed in signatures.json but missing");
  add(extra, "not listed in signatures.json");
  add(modified, "content differs from its listed digest");
  return out;
}

std::string with_article(BundleKind kind) {
  return (kind == BundleKind::kOwnerRegistry ? "an " : "a ") + std::string(kind_name(kind));
}

std::string plural(std::size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

std::string_view kind_name(BundleKind kind) {
  switch (kind) {
    case BundleKind::kPolicyBundle: return "policy-bundle";
    case BundleKind::kOwnerRegistry: return "owner-registry";
  }
  return "unknown";
}

// ---- TrustedKeys ------------------------------------------------------------------------

TrustedKeys::TrustedKeys() : keys_(std::make_unique<Keys>()) {}
TrustedKeys::~TrustedKeys() = default;
TrustedKeys::TrustedKeys(TrustedKeys&&) noexcept = default;
TrustedKeys& TrustedKeys::operator=(TrustedKeys&&) noexcept = default;

Status TrustedKeys::add_pem_file(const std::filesystem::path& path) {
  constexpr std::uintmax_t kMaxKeyFileBytes = 1u << 20;
  const std::string origin = path.string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Error{origin + ": " + (error ? error.message() : std::string("not a regular file"))};
  }
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return Error{origin + ": " + error.message()};
  if (size > kMaxKeyFileBytes) return Error{origin + ": too large for a key file"};
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Error{origin + ": cannot open"};
  std::string pem(static_cast<std::size_t>(size), '\0');
  std::size_t read = std::fread(pem.data(), 1, pem.size(), file);
  std::fclose(file);
  pem.resize(read);
  return add_pem(pem, origin);
}

Status TrustedKeys::add_pem(const std::string& pem, const std::string& origin) {
  if (!keys_) keys_ = std::make_unique<Keys>();
  Result<std::vector<Key>> parsed = parse_public_keys_pem(pem, origin);
  if (!parsed) return parsed.error();
  // The same key listed twice (two files, or re-added) is one key: ids are what counts.
  for (Key& key : *parsed)
    keys_->by_id.emplace(key.key_id, std::move(key));
  return cedar::Ok{};
}

std::size_t TrustedKeys::size() const {
  return keys_ ? keys_->by_id.size() : 0;
}

std::vector<std::string> TrustedKeys::key_ids() const {
  std::vector<std::string> ids;
  if (keys_) {
    for (const auto& [id, key] : keys_->by_id)
      ids.push_back(id);
  }
  return ids;
}

// ---- digests and the statement ----------------------------------------------------------

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return {};  // only on allocation failure; an empty digest matches nothing
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string signed_statement(BundleKind kind, const std::map<std::string, std::string>& digests) {
  std::string statement =
      std::string(kSignaturesFormat) + " " + std::string(kind_name(kind)) + "\n";
  for (const auto& [path, digest] : digests)
    statement += digest + "  " + path + "\n";
  return statement;
}

std::string bundle_digest(const BundleFiles& files, BundleKind kind) {
  return sha256_hex(signed_statement(kind, file_digests(files)));
}

// ---- verification -----------------------------------------------------------------------

Result<VerifiedSignatures> verify_bundle_signatures(const BundleFiles& files, BundleKind kind,
                                                    const TrustedKeys& trusted, int required) {
  if (required < 1) required = 1;  // zero would accept an unsigned bundle: never
  const std::string origin = files.origin + "/" + kSignaturesFile;
  const std::string* text = files.find(kSignaturesFile);
  if (text == nullptr) {
    return Error{files.origin + ": " + kSignaturesFile + " is missing (the bundle is not signed)"};
  }
  Result<SignaturesDocument> document = parse_signatures_document(*text, origin);
  if (!document) return document.error();
  if (document->kind != kind) {
    return Error{origin + ": signs " + with_article(document->kind) + " but " + with_article(kind) +
                 " is expected"};
  }
  std::map<std::string, std::string> digests = file_digests(files);
  if (std::string changes = describe_changes(document->files, digests); !changes.empty()) {
    return Error{origin + ": the files do not match: " + changes};
  }
  const std::string statement = signed_statement(kind, digests);
  std::set<std::string> valid;
  std::size_t unknown = 0;
  for (std::size_t i = 0; i < document->signatures.size(); ++i) {
    const SignatureEntry& entry = document->signatures[i];
    const Key* key = SignatureVerifier::find(trusted, entry.key_id);
    if (key == nullptr) {
      ++unknown;  // another party's signature, or a retired key: neither helps nor harms
      continue;
    }
    const std::string where =
        origin + ": signature " + std::to_string(i) + " by trusted key " + entry.key_id;
    if (entry.algorithm != key->algorithm) {
      return Error{where + ": algorithm \"" + std::string(algorithm_name(entry.algorithm)) +
                   "\" does not match the key's (" + std::string(algorithm_name(key->algorithm)) +
                   ")"};
    }
    // A trusted key's signature that does not verify means the files or the signature were
    // altered after signing: refuse, even if enough other signatures are valid.
    if (!verify_statement(*key, statement, entry.signature)) {
      return Error{where + " does not verify (the bundle or its signatures were altered)"};
    }
    valid.insert(entry.key_id);
  }
  if (valid.size() < static_cast<std::size_t>(required)) {
    std::vector<std::string> ids = trusted.key_ids();
    std::string message =
        origin + ": " + std::to_string(required) + " valid signature" + (required == 1 ? "" : "s") +
        " required, " + std::to_string(valid.size()) +
        " found (trusted keys: " + (ids.empty() ? std::string("none") : name_list(ids)) + ")";
    if (unknown > 0) message += "; " + plural(unknown, "signature") + " by unknown keys ignored";
    return Error{message};
  }
  return VerifiedSignatures{std::vector<std::string>(valid.begin(), valid.end())};
}

// ---- signing ----------------------------------------------------------------------------

Result<std::string> sign_bundle_directory(const std::filesystem::path& directory, BundleKind kind,
                                          const std::string& private_key_pem) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return Error{directory.string() +
                 ": not a directory (signing works on an unpacked bundle directory)"};
  }
  Result<Key> key = parse_private_key_pem(private_key_pem, "the private key");
  if (!key) return key.error();
  Result<BundleFiles> files = read_bundle_source(directory);
  if (!files) return files.error();
  const std::string origin = files->origin + "/" + kSignaturesFile;

  SignaturesDocument document;
  document.kind = kind;
  document.files = file_digests(*files);
  if (document.files.empty()) return Error{files->origin + ": no files to sign"};
  std::vector<std::string> notes;
  if (const std::string* existing = files->find(kSignaturesFile)) {
    Result<SignaturesDocument> previous = parse_signatures_document(*existing, origin);
    if (!previous) {
      return Error{previous.message() + " (fix it, or delete it to start over)"};
    }
    if (previous->kind != kind) {
      return Error{origin + ": holds signatures for " + with_article(previous->kind) + ", not " +
                   with_article(kind) + " (delete it to re-sign as " +
                   std::string(kind_name(kind)) + ")"};
    }
    // Other signers signed these exact digests: their signatures stay valid only if
    // nothing changed, so they are kept then and dropped otherwise.
    std::string changes = describe_changes(previous->files, document.files);
    std::size_t dropped = 0;
    for (SignatureEntry& entry : previous->signatures) {
      if (entry.key_id == key->key_id) continue;  // replaced by the new signature below
      if (changes.empty()) {
        document.signatures.push_back(std::move(entry));
      } else {
        ++dropped;
      }
    }
    if (dropped > 0) {
      notes.push_back(plural(dropped, "signature") + " by other keys dropped because the " +
                      "files changed (" + changes + "); they must sign again");
    }
  }

  const std::string statement = signed_statement(kind, document.files);
  Result<std::string> signature = sign_statement(*key, statement);
  if (!signature) return Error{origin + ": " + signature.message()};
  if (!verify_statement(*key, statement, *signature)) {
    return Error{origin + ": the new signature does not verify (OpenSSL misbehaved)"};
  }
  document.signatures.push_back({key->key_id, key->algorithm, std::move(*signature)});
  if (Status written = write_file_atomically(directory / kSignaturesFile,
                                             serialize_signatures_document(document));
      !written) {
    return written.error();
  }

  std::set<std::string> signers;
  for (const SignatureEntry& entry : document.signatures)
    signers.insert(entry.key_id);
  std::string summary = "signed " + files->origin + " as " + std::string(kind_name(kind)) +
                        " with key " + key->key_id + " (" +
                        std::string(algorithm_name(key->algorithm)) + ")\n";
  summary += "  files: " + std::to_string(document.files.size()) + ", bundle digest " +
             sha256_hex(statement) + "\n";
  summary += "  signatures: " + std::to_string(signers.size()) + " distinct key" +
             (signers.size() == 1 ? "" : "s") + "\n";
  for (const std::string& signer : signers)
    summary += "    " + signer + "\n";
  for (const std::string& note : notes)
    summary += "  note: " + note + "\n";
  return summary;
}

}  // namespace crossgate::bundle
