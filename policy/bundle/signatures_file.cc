// Reading and writing signatures.json (see signatures_file.h).
#include "policy/bundle/signatures_file.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "policy/bundle/base64.h"
#include "policy/cedar/common/json.h"

namespace crossgate::bundle {
namespace {

using cedar::Error;
using cedar::Result;
using nlohmann::json;

// Each field's expected JSON type, checked before it is read, with the field in the message.
Result<const json*> field(const json& object, const std::string& name, json::value_t type,
                          std::string_view type_name, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end()) return Error{where + ": missing field \"" + name + "\""};
  if (it->type() != type) {
    return Error{where + ": \"" + name + "\" must be " + std::string(type_name) + ", not " +
                 std::string(cedar::json_type_name(*it))};
  }
  return &*it;
}

Status only_fields(const json& object, std::initializer_list<std::string_view> allowed,
                   const std::string& where) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Error{where + ": unknown field \"" + name + "\""};
    }
  }
  return cedar::Ok{};
}

Result<BundleKind> parse_kind(const std::string& name, const std::string& where) {
  if (name == kind_name(BundleKind::kPolicyBundle)) return BundleKind::kPolicyBundle;
  if (name == kind_name(BundleKind::kOwnerRegistry)) return BundleKind::kOwnerRegistry;
  return Error{where + ": unknown kind \"" + name + "\" (expected \"policy-bundle\" or " +
               "\"owner-registry\")"};
}

Result<SignatureEntry> parse_entry(const json& value, const std::string& where) {
  if (!value.is_object()) {
    return Error{where + ": must be an object, not " + std::string(cedar::json_type_name(value))};
  }
  if (Status known = only_fields(value, {"key_id", "algorithm", "signature"}, where); !known) {
    return known.error();
  }
  SignatureEntry entry;
  Result<const json*> key_id = field(value, "key_id", json::value_t::string, "a string", where);
  if (!key_id) return key_id.error();
  entry.key_id = (*key_id)->get<std::string>();
  if (!is_sha256_hex(entry.key_id)) {
    return Error{where + ": \"key_id\" must be 64 lower-case hex digits"};
  }
  Result<const json*> algorithm =
      field(value, "algorithm", json::value_t::string, "a string", where);
  if (!algorithm) return algorithm.error();
  std::optional<KeyAlgorithm> parsed = parse_algorithm((*algorithm)->get<std::string>());
  if (!parsed) {
    return Error{where + ": unknown algorithm \"" + (*algorithm)->get<std::string>() +
                 "\" (expected \"ed25519\" or \"ecdsa-p256-sha256\")"};
  }
  entry.algorithm = *parsed;
  Result<const json*> signature =
      field(value, "signature", json::value_t::string, "a string", where);
  if (!signature) return signature.error();
  Result<std::string> bytes = base64_decode((*signature)->get<std::string>());
  if (!bytes) return Error{where + ": \"signature\": " + bytes.message()};
  if (bytes->empty()) return Error{where + ": \"signature\" is empty"};
  entry.signature = std::move(*bytes);
  return entry;
}

}  // namespace

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<SignaturesDocument> parse_signatures_document(std::string_view text,
                                                     const std::string& origin) {
  Result<json> parsed = cedar::parse_json(text, origin);
  if (!parsed) return parsed.error();
  const json& root = *parsed;
  if (!root.is_object()) {
    return Error{origin + ": must be a JSON object, not " +
                 std::string(cedar::json_type_name(root))};
  }
  if (Status known = only_fields(root, {"format", "kind", "files", "signatures"}, origin); !known) {
    return known.error();
  }
  Result<const json*> format = field(root, "format", json::value_t::string, "a string", origin);
  if (!format) return format.error();
  if ((*format)->get<std::string>() != kSignaturesFormat) {
    return Error{origin + ": unsupported format \"" + (*format)->get<std::string>() +
                 "\" (expected \"" + kSignaturesFormat + "\")"};
  }
  SignaturesDocument document;
  Result<const json*> kind = field(root, "kind", json::value_t::string, "a string", origin);
  if (!kind) return kind.error();
  Result<BundleKind> parsed_kind = parse_kind((*kind)->get<std::string>(), origin);
  if (!parsed_kind) return parsed_kind.error();
  document.kind = *parsed_kind;

  Result<const json*> files = field(root, "files", json::value_t::object, "an object", origin);
  if (!files) return files.error();
  for (const auto& [path, digest] : (*files)->items()) {
    if (!digest.is_string() || !is_sha256_hex(digest.get<std::string>())) {
      return Error{origin + ": \"files\": \"" + path +
                   "\": must be a SHA-256 in 64 lower-case hex digits"};
    }
    document.files.emplace(path, digest.get<std::string>());
  }

  Result<const json*> signatures =
      field(root, "signatures", json::value_t::array, "an array", origin);
  if (!signatures) return signatures.error();
  if ((*signatures)->size() > kMaxSignatures) {
    return Error{origin + ": more than " + std::to_string(kMaxSignatures) + " signatures"};
  }
  for (std::size_t i = 0; i < (*signatures)->size(); ++i) {
    Result<SignatureEntry> entry =
        parse_entry((**signatures)[i], origin + ": \"signatures\"[" + std::to_string(i) + "]");
    if (!entry) return entry.error();
    document.signatures.push_back(std::move(*entry));
  }
  return document;
}

std::string serialize_signatures_document(const SignaturesDocument& document) {
  json files = json::object();
  for (const auto& [path, digest] : document.files)
    files[path] = digest;
  std::vector<const SignatureEntry*> ordered;
  for (const SignatureEntry& entry : document.signatures)
    ordered.push_back(&entry);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto* a, const auto* b) { return a->key_id < b->key_id; });
  json signatures = json::array();
  for (const SignatureEntry* entry : ordered) {
    signatures.push_back({{"key_id", entry->key_id},
                          {"algorithm", std::string(algorithm_name(entry->algorithm))},
                          {"signature", base64_encode(entry->signature)}});
  }
  json root = {{"format", kSignaturesFormat},
               {"kind", std::string(kind_name(document.kind))},
               {"files", std::move(files)},
               {"signatures", std::move(signatures)}};
  return root.dump(2) + "\n";
}

}  // namespace crossgate::bundle
