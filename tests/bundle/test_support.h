// Helpers shared by the bundle tests: a scratch directory, files, freshly generated keys
// in PEM, and .tar.gz archives written entry by entry with libarchive (so that hostile
// entries — absolute paths, "..", links — can be produced exactly).
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crossgate::bundle::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "crossgate-bundle-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---- keys -------------------------------------------------------------------------------

enum class KeyType { kEd25519, kP256, kP384, kRsa };

struct TestKey {
  std::string private_pem;              // PKCS#8
  std::string traditional_private_pem;  // "EC PRIVATE KEY" for EC keys, else PKCS#8
  std::string public_pem;
  std::string compressed_public_pem;      // EC keys only: the point in compressed form
  std::string encrypted_private_pem;      // PKCS#8, passphrase "secret"
  std::string encrypted_traditional_pem;  // EC keys only: "Proc-Type: 4,ENCRYPTED"
  std::string spki_der;
};

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

template <class Write>
std::string pem_of(Write write) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  REQUIRE(write(bio.get()) == 1);
  return bio_text(bio.get());
}

inline TestKey generate_key(KeyType type) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::kEd25519: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case KeyType::kP256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::kP384: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::kRsa: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}); break;
  }
  REQUIRE(raw != nullptr);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  TestKey out;
  out.private_pem = pem_of([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  const bool ec = type == KeyType::kP256 || type == KeyType::kP384;
  out.traditional_private_pem = !ec ? out.private_pem : pem_of([&](BIO* bio) {
    return PEM_write_bio_PrivateKey_traditional(bio, key.get(), nullptr, nullptr, 0, nullptr,
                                                nullptr);
  });
  static char passphrase[] = "secret";
  out.encrypted_private_pem = pem_of([&](BIO* bio) {
    return PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_256_cbc(), passphrase, 6, nullptr,
                                         nullptr);
  });
  if (ec) {
    out.encrypted_traditional_pem = pem_of([&](BIO* bio) {
      return PEM_write_bio_PrivateKey_traditional(bio, key.get(), EVP_aes_256_cbc(),
                                                  reinterpret_cast<unsigned char*>(passphrase), 6,
                                                  nullptr, nullptr);
    });
  }
  out.public_pem = pem_of([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); });
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key.get(), &der);
  REQUIRE(length > 0);
  out.spki_der.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  if (ec) {
    REQUIRE(EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                           "compressed") == 1);
    out.compressed_public_pem =
        pem_of([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); });
  }
  return out;
}

// ---- archives ---------------------------------------------------------------------------

struct Entry {
  std::string path;
  std::string content;
  unsigned type = AE_IFREG;
  std::string link;  // target of a symbolic link
  bool hardlink = false;
};

inline la_ssize_t append_to_string(struct archive* /*a*/, void* client, const void* buffer,
                                   size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// A pax tar, gzip-compressed unless `gzip` is false.
inline std::string make_archive(const std::vector<Entry>& entries, bool gzip = true) {
  std::string out;
  struct archive* writer = archive_write_new();
  REQUIRE(writer != nullptr);
  if (gzip) REQUIRE(archive_write_add_filter_gzip(writer) == ARCHIVE_OK);
  REQUIRE(archive_write_set_format_pax_restricted(writer) == ARCHIVE_OK);
  REQUIRE(archive_write_set_bytes_in_last_block(writer, 1) == ARCHIVE_OK);
  REQUIRE(archive_write_open2(writer, &out, nullptr, append_to_string, nullptr, nullptr) ==
          ARCHIVE_OK);
  for (const Entry& spec : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, spec.path.c_str());
    archive_entry_set_perm(entry, spec.type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(entry, 1700000000, 0);
    if (spec.hardlink) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, spec.link.c_str());
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, spec.type);
      if (spec.type == AE_IFLNK) archive_entry_set_symlink(entry, spec.link.c_str());
      archive_entry_set_size(
          entry, spec.type == AE_IFREG ? static_cast<la_int64_t>(spec.content.size()) : 0);
    }
    REQUIRE(archive_write_header(writer, entry) == ARCHIVE_OK);
    if (spec.type == AE_IFREG && !spec.hardlink && !spec.content.empty()) {
      REQUIRE(archive_write_data(writer, spec.content.data(), spec.content.size()) ==
              static_cast<la_ssize_t>(spec.content.size()));
    }
    archive_entry_free(entry);
  }
  REQUIRE(archive_write_close(writer) == ARCHIVE_OK);
  archive_write_free(writer);
  return out;
}

}  // namespace crossgate::bundle::testing
