// Tests of read_bundle_source / read_bundle_archive: directories and .tar.gz archives are
// read completely and with '/' paths, a single top-level folder is stripped, and every
// hostile or oversized input is refused with a message naming the source and the entry.
#include "policy/bundle/bundle_source.h"

#include <sys/stat.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "tests/bundle/test_support.h"

namespace crossgate::bundle {
namespace {

using Catch::Matchers::ContainsSubstring;
using testing::Entry;
using testing::make_archive;
using testing::TempDir;
using testing::write_file;

void check_refused(const Result<BundleFiles>& result, const std::string& fragment) {
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.message(), ContainsSubstring(fragment));
}

// ---- directories ------------------------------------------------------------------------

TEST_CASE("a directory is read recursively with '/' paths, hidden files included",
          "[bundle][source]") {
  TempDir dir;
  write_file(dir / "manifest.yaml", "name: test\n");
  write_file(dir / "policies/base.cedar", "permit(principal, action, resource);\n");
  write_file(dir / "policies/nested/deep.cedar", "");
  write_file(dir / ".DS_Store", "junk");
  std::filesystem::create_directories(dir / "empty/folder");

  Result<BundleFiles> read = read_bundle_source(dir.path());
  REQUIRE(read.ok());
  CHECK(read->origin == dir.path().string());
  REQUIRE(read->files.size() == 4);
  CHECK(*read->find("manifest.yaml") == "name: test\n");
  CHECK(*read->find("policies/base.cedar") == "permit(principal, action, resource);\n");
  REQUIRE(read->find("policies/nested/deep.cedar") != nullptr);
  CHECK(read->find("policies/nested/deep.cedar")->empty());
  CHECK(*read->find(".DS_Store") == "junk");
  CHECK(read->find("empty/folder") == nullptr);
}

TEST_CASE("a symbolic link in a directory is refused, naming it", "[bundle][source]") {
  TempDir outside;
  write_file(outside / "secret.txt", "secret");
  TempDir dir;
  write_file(dir / "manifest.yaml", "name: test\n");

  SECTION("to a file") {
    std::filesystem::create_directories(dir / "policies");
    std::filesystem::create_symlink(outside / "secret.txt", dir / "policies/link.cedar");
    check_refused(read_bundle_source(dir.path()), "'policies/link.cedar' is a symbolic link");
  }
  SECTION("to a directory") {
    std::filesystem::create_directory_symlink(outside.path(), dir / "linked");
    check_refused(read_bundle_source(dir.path()), "'linked' is a symbolic link");
  }
  SECTION("dangling") {
    std::filesystem::create_symlink(dir / "nowhere", dir / "dangling");
    check_refused(read_bundle_source(dir.path()), "'dangling' is a symbolic link");
  }
}

TEST_CASE("a FIFO in a directory is refused without blocking", "[bundle][source]") {
  TempDir dir;
  write_file(dir / "manifest.yaml", "name: test\n");
  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  check_refused(read_bundle_source(dir.path()), "'pipe' is not a regular file");
}

TEST_CASE("directory limits: files, bytes per file, bytes in total", "[bundle][source]") {
  TempDir dir;
  write_file(dir / "a.txt", std::string(100, 'a'));
  write_file(dir / "b.txt", std::string(100, 'b'));
  write_file(dir / "c.txt", std::string(100, 'c'));

  SourceLimits limits;
  CHECK(read_bundle_source(dir.path(), limits).ok());
  limits.max_files = 2;
  check_refused(read_bundle_source(dir.path(), limits), "more than 2 files");
  limits = SourceLimits{};
  limits.max_file_bytes = 99;
  check_refused(read_bundle_source(dir.path(), limits), "larger than the limit of 99 bytes");
  limits = SourceLimits{};
  limits.max_total_bytes = 250;
  check_refused(read_bundle_source(dir.path(), limits), "exceeds the limit of 250 bytes in total");
  limits.max_total_bytes = 300;
  CHECK(read_bundle_source(dir.path(), limits).ok());
}

TEST_CASE("paths that cannot be bundle paths are refused", "[bundle][source]") {
  TempDir dir;
  write_file(dir / "manifest.yaml", "name: test\n");
  SECTION("a newline, which would forge a line of the signed statement") {
    write_file(dir / "a\nb", "");
    check_refused(read_bundle_source(dir.path()), "control character in path");
  }
  SECTION("invalid UTF-8") {
    write_file(dir / "caf\xe9", "");
    check_refused(read_bundle_source(dir.path()), "not valid UTF-8");
  }
  SECTION("a backslash") {
    write_file(dir / "a\\b", "");
    check_refused(read_bundle_source(dir.path()), "backslash in path");
  }
}

TEST_CASE("missing paths, empty directories and other files are refused", "[bundle][source]") {
  TempDir dir;
  check_refused(read_bundle_source(dir / "missing"), "missing: no such file or directory");
  check_refused(read_bundle_source(dir.path()), "holds no files");
  write_file(dir / "bundle.zip", "PK");
  check_refused(read_bundle_source(dir / "bundle.zip"),
                "bundle.zip: neither a directory nor a .tar.gz/.tgz archive");
}

TEST_CASE("the root may itself be a symbolic link to the bundle", "[bundle][source]") {
  TempDir dir;
  write_file(dir / "release-1/manifest.yaml", "name: test\n");
  std::filesystem::create_directory_symlink(dir / "release-1", dir / "current");
  Result<BundleFiles> read = read_bundle_source(dir / "current");
  REQUIRE(read.ok());
  CHECK(read->files.size() == 1);
}

// ---- archives ---------------------------------------------------------------------------

TEST_CASE("an archive is read from memory and from a .tar.gz or .tgz file", "[bundle][source]") {
  std::string archive =
      make_archive({{"manifest.yaml", "name: test\n"},
                    {"policies/", "", AE_IFDIR},
                    {"policies/base.cedar", "permit(principal, action, resource);"},
                    {"empty.txt", ""}});
  Result<BundleFiles> read = read_bundle_archive(archive, "downloaded.tar.gz");
  REQUIRE(read.ok());
  CHECK(read->origin == "downloaded.tar.gz");
  REQUIRE(read->files.size() == 3);
  CHECK(*read->find("manifest.yaml") == "name: test\n");
  CHECK(*read->find("policies/base.cedar") == "permit(principal, action, resource);");
  CHECK(read->find("empty.txt")->empty());

  TempDir dir;
  for (const char* name : {"bundle.tar.gz", "bundle.tgz"}) {
    write_file(dir / name, archive);
    Result<BundleFiles> from_file = read_bundle_source(dir / name);
    REQUIRE(from_file.ok());
    CHECK(from_file->files == read->files);
    CHECK(from_file->origin == (dir / name).string());
  }
}

TEST_CASE("a single top-level folder is stripped, and only then", "[bundle][source]") {
  SECTION("tar czf b.tar.gz b/") {
    Result<BundleFiles> read = read_bundle_archive(make_archive({{"b/", "", AE_IFDIR},
                                                                 {"b/manifest.yaml", "m"},
                                                                 {"b/policies/", "", AE_IFDIR},
                                                                 {"b/policies/a.cedar", "a"}}),
                                                   "b.tar.gz");
    REQUIRE(read.ok());
    CHECK(read->files ==
          std::map<std::string, std::string>{{"manifest.yaml", "m"}, {"policies/a.cedar", "a"}});
  }
  SECTION("tar czf b.tar.gz -C b . (entries start with ./)") {
    Result<BundleFiles> read = read_bundle_archive(
        make_archive({{"./", "", AE_IFDIR}, {"./manifest.yaml", "m"}, {"./policies/a.cedar", "a"}}),
        "b.tar.gz");
    REQUIRE(read.ok());
    CHECK(read->files ==
          std::map<std::string, std::string>{{"manifest.yaml", "m"}, {"policies/a.cedar", "a"}});
  }
  SECTION("two top-level folders are kept") {
    Result<BundleFiles> read =
        read_bundle_archive(make_archive({{"a/one.txt", "1"}, {"b/two.txt", "2"}}), "two.tar.gz");
    REQUIRE(read.ok());
    CHECK(read->find("a/one.txt") != nullptr);
    CHECK(read->find("b/two.txt") != nullptr);
  }
  SECTION("a file at the root keeps the folder") {
    Result<BundleFiles> read = read_bundle_archive(
        make_archive({{"manifest.yaml", "m"}, {"policies/a.cedar", "a"}}), "flat.tar.gz");
    REQUIRE(read.ok());
    CHECK(read->find("policies/a.cedar") != nullptr);
  }
}

TEST_CASE("hostile archive entries are refused, naming the archive and the entry",
          "[bundle][source]") {
  const Entry manifest{"manifest.yaml", "m"};
  SECTION("an absolute path") {
    check_refused(read_bundle_archive(make_archive({manifest, {"/etc/passwd", "x"}}), "evil.tgz"),
                  "evil.tgz: entry '/etc/passwd': absolute path");
  }
  SECTION("'..' in a path") {
    check_refused(
        read_bundle_archive(make_archive({manifest, {"policies/../../escape", "x"}}), "evil.tgz"),
        "evil.tgz: entry 'policies/../../escape': '..' in path");
    check_refused(read_bundle_archive(make_archive({manifest, {"..", "", AE_IFDIR}}), "evil.tgz"),
                  "entry '../': '..' in path");
  }
  SECTION("a symbolic link") {
    check_refused(read_bundle_archive(
                      make_archive({manifest, {"link", "", AE_IFLNK, "/etc/passwd"}}), "evil.tgz"),
                  "evil.tgz: entry 'link' is a symbolic link");
  }
  SECTION("a hard link") {
    check_refused(
        read_bundle_archive(make_archive({manifest, {"copy", "", AE_IFREG, "manifest.yaml", true}}),
                            "evil.tgz"),
        "evil.tgz: entry 'copy' is a hard link");
  }
  SECTION("a device") {
    check_refused(read_bundle_archive(make_archive({manifest, {"dev", "", AE_IFCHR}}), "evil.tgz"),
                  "entry 'dev' is a character device");
  }
  SECTION("a FIFO") {
    check_refused(read_bundle_archive(make_archive({manifest, {"fifo", "", AE_IFIFO}}), "evil.tgz"),
                  "entry 'fifo' is a FIFO");
  }
  SECTION("the same path twice") {
    check_refused(
        read_bundle_archive(make_archive({manifest, {"a", "1"}, {"./a", "2"}}), "evil.tgz"),
        "evil.tgz: entry './a': duplicate path 'a'");
  }
  SECTION("a path that is both a file and a folder") {
    check_refused(
        read_bundle_archive(make_archive({manifest, {"a", "1"}, {"a/b", "2"}}), "evil.tgz"),
        "'a' is both a file and a folder");
  }
  SECTION("a control character") {
    check_refused(read_bundle_archive(make_archive({manifest, {"a\nb", "1"}}), "evil.tgz"),
                  "control character in path");
  }
}

TEST_CASE("archive limits bound memory, including decompression bombs", "[bundle][source]") {
  std::string archive = make_archive({{"a.txt", std::string(1000, 'a')},
                                      {"b.txt", std::string(1000, 'b')},
                                      {"c.txt", std::string(1000, 'c')}});
  SourceLimits limits;
  CHECK(read_bundle_archive(archive, "x.tgz", limits).ok());
  limits.max_files = 2;
  check_refused(read_bundle_archive(archive, "x.tgz", limits), "x.tgz: 'c.txt': more than 2 files");
  limits = SourceLimits{};
  limits.max_file_bytes = 999;
  check_refused(read_bundle_archive(archive, "x.tgz", limits),
                "x.tgz: 'a.txt': larger than the limit of 999 bytes per file");
  limits = SourceLimits{};
  limits.max_total_bytes = 2500;
  check_refused(read_bundle_archive(archive, "x.tgz", limits),
                "x.tgz: 'c.txt': the bundle exceeds the limit of 2500 bytes in total");

  SECTION("many directory entries are bounded too") {
    std::vector<Entry> entries{{"a.txt", "a"}};
    for (int i = 0; i < 40; ++i)
      entries.push_back({"d" + std::to_string(i) + "/", "", AE_IFDIR});
    limits = SourceLimits{};
    limits.max_files = 4;
    check_refused(read_bundle_archive(make_archive(entries), "x.tgz", limits),
                  "more than 24 entries");
  }
  SECTION("a 17 MiB file of zeros, a few KiB compressed, against the default limits") {
    std::string bomb = make_archive({{"zeros", std::string((16u << 20) + (1u << 20), '\0')}});
    CHECK(bomb.size() < (1u << 20));
    check_refused(read_bundle_archive(bomb, "bomb.tgz"), "'zeros': larger than the limit");
  }
}

TEST_CASE("what is not a readable .tar.gz is refused", "[bundle][source]") {
  std::string archive = make_archive({{"manifest.yaml", std::string(5000, 'm')}});
  SECTION("an uncompressed tar") {
    check_refused(read_bundle_archive(make_archive({{"a", "1"}}, false), "plain.tgz"),
                  "plain.tgz: not a gzip-compressed tar archive");
  }
  SECTION("garbage") {
    check_refused(read_bundle_archive("definitely not an archive", "junk.tgz"), "junk.tgz: ");
  }
  SECTION("a truncated archive") {
    check_refused(read_bundle_archive(archive.substr(0, archive.size() / 2), "cut.tgz"),
                  "cut.tgz: ");
  }
  SECTION("an empty archive") {
    check_refused(read_bundle_archive(make_archive({}), "empty.tgz"),
                  "empty.tgz: the archive holds no files");
  }
  SECTION("an empty input") {
    check_refused(read_bundle_archive("", "nothing.tgz"), "nothing.tgz: ");
  }
}

TEST_CASE("every prefix and corruption of an archive is refused or read, never a crash",
          "[bundle][source]") {
  std::string archive =
      make_archive({{"b/manifest.yaml", "name: x\n"}, {"b/policies/a.cedar", "permit(...);"}});
  for (std::size_t length = 0; length < archive.size(); ++length) {
    Result<BundleFiles> read = read_bundle_archive(archive.substr(0, length), "cut.tgz");
    if (!read.ok()) CHECK_THAT(read.message(), ContainsSubstring("cut.tgz"));
  }
  for (std::size_t i = 0; i < archive.size(); ++i) {
    std::string corrupt = archive;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    Result<BundleFiles> read = read_bundle_archive(corrupt, "flip.tgz");
    if (!read.ok()) CHECK_THAT(read.message(), ContainsSubstring("flip.tgz"));
  }
}

}  // namespace
}  // namespace crossgate::bundle
