// `crossgate sign` (see sign_command.h).
#include "server/cli/sign_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "policy/bundle/keys.h"
#include "policy/bundle/signatures.h"
#include "server/cli/flags.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage =
    R"(usage: crossgate sign --dir DIR --key PRIVATE_KEY.pem --kind policy-bundle|owner-registry

Signs every file of the bundle directory DIR (except signatures.json) with the private key
(Ed25519 or ECDSA P-256, PEM, not encrypted) and adds the signature to DIR/signatures.json.
Signatures by other keys are kept while the files are unchanged; when the files changed
they are dropped (and reported) because they no longer match. Run once per signer when a
bundle needs k signatures.
Exit status: 0 signed, 2 unusable input.
)";

// A PEM key is a few hundred bytes; refusing large files keeps a wrong path harmless.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;

struct Options {
  std::string dir, key, kind;
};

std::optional<Options> parse_args(std::span<const std::string_view> args) {
  Options o;
  const ValueFlag values[] = {{"--dir", &o.dir}, {"--key", &o.key}, {"--kind", &o.kind}};
  if (std::optional<std::string> problem = parse_flags(args, {values})) {
    std::cerr << "crossgate sign: " << *problem << "\n" << kUsage;
    return std::nullopt;
  }
  if (o.dir.empty() || o.key.empty() || o.kind.empty()) {
    std::cerr << "crossgate sign: --dir, --key and --kind are required\n" << kUsage;
    return std::nullopt;
  }
  return o;
}

std::optional<bundle::BundleKind> parse_kind(std::string_view kind) {
  if (kind == bundle::kind_name(bundle::BundleKind::kPolicyBundle)) {
    return bundle::BundleKind::kPolicyBundle;
  }
  if (kind == bundle::kind_name(bundle::BundleKind::kOwnerRegistry)) {
    return bundle::BundleKind::kOwnerRegistry;
  }
  return std::nullopt;
}

cedar::Result<std::string> read_key_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return cedar::Error{path.string() + ": " +
                        (error ? error.message() : std::string("not a regular file"))};
  }
  if (std::filesystem::file_size(path, error) > kMaxKeyFileBytes || error) {
    return cedar::Error{path.string() + ": too large for a PEM key file"};
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return cedar::Error{path.string() + ": cannot read"};
  return text;
}

}  // namespace

int sign_command(std::span<const std::string_view> args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::optional<Options> options = parse_args(args);
  if (!options) return 2;
  std::optional<bundle::BundleKind> kind = parse_kind(options->kind);
  if (!kind) {
    std::cerr << "crossgate sign: --kind must be policy-bundle or owner-registry, not `"
              << options->kind << "`\n";
    return 2;
  }
  cedar::Result<std::string> pem = read_key_file(options->key);
  if (!pem) {
    std::cerr << "crossgate sign: " << pem.message() << "\n";
    return 2;
  }
  // Checked here as well as when signing so that a key problem names the key file.
  if (cedar::Result<bundle::Key> key = bundle::parse_private_key_pem(*pem, options->key); !key) {
    std::cerr << "crossgate sign: " << key.message() << "\n";
    return 2;
  }
  cedar::Result<std::string> summary = bundle::sign_bundle_directory(options->dir, *kind, *pem);
  if (!summary) {
    std::cerr << "crossgate sign: " << summary.message() << "\n";
    return 2;
  }
  std::cout << *summary;
  return 0;
}

}  // namespace crossgate::cli
