#include "server/reload/origin.h"

#include <curl/curl.h>

#include <algorithm>
#include <vector>

#include "policy/bundle/signatures.h"

namespace crossgate::server {
namespace {

namespace fs = std::filesystem;

// A cheap description of what is on disk: every file's relative path, size and mtime.
// Any edit, addition, removal or replacement changes it; reading content is left to the
// load that follows.
std::string fingerprint(const fs::path& path, std::string& error) {
  std::error_code ec;
  std::vector<std::string> entries;
  auto describe = [&](const fs::path& file, const std::string& name) {
    auto size = fs::file_size(file, ec);
    auto time = fs::last_write_time(file, ec);
    if (ec) return;
    entries.push_back(name + "\x1f" + std::to_string(size) + "\x1f" +
                      std::to_string(time.time_since_epoch().count()));
  };
  if (fs::is_directory(path, ec)) {
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec))
        describe(it->path(), fs::relative(it->path(), path, ec).string());
    }
  } else if (fs::exists(path, ec)) {
    describe(path, path.filename().string());
  } else {
    error = path.string() + ": not found";
    return {};
  }
  if (ec) {
    error = path.string() + ": " + ec.message();
    return {};
  }
  std::sort(entries.begin(), entries.end());
  std::string joined;
  for (const std::string& e : entries)
    joined += e + "\n";
  return bundle::sha256_hex(joined);
}

class PathOrigin final : public Origin {
 public:
  explicit PathOrigin(fs::path path) : path_(std::move(path)) {}

  Fetch fetch(bool force) override {
    Fetch out;
    std::string print = fingerprint(path_, out.error);
    if (print.empty()) return out;
    if (!force && print == last_) {
      out.outcome = Fetch::Outcome::kUnchanged;
      return out;
    }
    cedar::Result<bundle::BundleFiles> files = bundle::read_bundle_source(path_);
    if (!files.ok()) {
      out.error = files.message();
      // Remember it anyway: a broken version is not retried until it changes again.
      last_ = print;
      return out;
    }
    last_ = print;
    out.outcome = Fetch::Outcome::kChanged;
    out.files = std::move(files.value());
    return out;
  }

  std::string describe() const override { return path_.string(); }

 private:
  fs::path path_;
  std::string last_;
};

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  // A bundle is bounded (bundle_source.h); refuse to buffer more than that.
  if (body->size() + size * count > bundle::SourceLimits{}.max_total_bytes) return 0;
  body->append(data, size * count);
  return size * count;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* etag = static_cast<std::string*>(user);
  std::string line(data, size * count);
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower.rfind("etag:", 0) == 0) {
    std::string value = line.substr(5);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r\n") + 1);
    *etag = value;
  }
  return size * count;
}

class UrlOrigin final : public Origin {
 public:
  explicit UrlOrigin(UrlOptions options) : options_(std::move(options)) {
    static const bool initialised = [] {
      return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    }();
    (void)initialised;
  }

  Fetch fetch(bool force) override {
    Fetch out;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
      out.error = options_.url + ": cannot start an HTTP request";
      return out;
    }
    std::string body, etag;
    curl_slist* headers = nullptr;
    if (!force && !etag_.empty())
      headers = curl_slist_append(headers, ("If-None-Match: " + etag_).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                            curl_slist_free_all);
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &etag);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, options_.timeout_seconds);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    CURLcode result = curl_easy_perform(c);
    if (result != CURLE_OK) {
      out.error = options_.url + ": " + curl_easy_strerror(result);
      return out;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 304) {
      out.outcome = Fetch::Outcome::kUnchanged;
      return out;
    }
    if (status != 200) {
      out.error = options_.url + ": HTTP status " + std::to_string(status);
      return out;
    }
    etag_ = etag;
    cedar::Result<bundle::BundleFiles> files = bundle::read_bundle_archive(body, options_.url);
    if (!files.ok()) {
      out.error = files.message();
      return out;
    }
    out.outcome = Fetch::Outcome::kChanged;
    out.files = std::move(files.value());
    return out;
  }

  std::string describe() const override { return options_.url; }

 private:
  UrlOptions options_;
  std::string etag_;
};

}  // namespace

std::unique_ptr<Origin> path_origin(fs::path path) {
  return std::make_unique<PathOrigin>(std::move(path));
}

std::unique_ptr<Origin> url_origin(UrlOptions options) {
  return std::make_unique<UrlOrigin>(std::move(options));
}

}  // namespace crossgate::server
