#include "server/config/server_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "policy/common/yaml_reader.h"
#include "policy/identity/jwt.h"

namespace crossgate::server {

const CallerConfig* ServerConfig::find_caller(std::string_view spiffe_id) const {
  for (const CallerConfig& c : callers) {
    if (c.spiffe_id == spiffe_id) return &c;
  }
  return nullptr;
}

bool is_loopback_address(std::string_view address) {
  std::string host;
  if (address.starts_with("[")) {
    std::size_t close = address.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = address.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(":")) return false;
    host = std::string(address.substr(1, close - 1));
  } else {
    std::size_t colon = address.rfind(':');
    host = std::string(address.substr(0, colon));
    // An IPv6 address needs brackets before a port; without them it is ambiguous.
    if (host.find(':') != std::string::npos) return false;
  }
  if (host == "localhost") return true;
  // Only address literals count: a host name such as 127.0.0.1.example.com may resolve to
  // any address, so prefix matching on the text would let plaintext reach the network.
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return reinterpret_cast<const unsigned char*>(&v4.s_addr)[0] == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  const unsigned char* b = v6.s6_addr;
  bool zero_prefix = std::all_of(b, b + 10, [](unsigned char x) { return x == 0; });
  if (zero_prefix && b[10] == 0 && b[11] == 0) {
    return std::all_of(b + 12, b + 15, [](unsigned char x) { return x == 0; }) && b[15] == 1;
  }
  // ::ffff:127.x.x.x, the IPv4 loopback network as an IPv4-mapped address.
  return zero_prefix && b[10] == 0xff && b[11] == 0xff && b[12] == 127;
}

namespace {

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& path) {
  if (path.empty()) return {};
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base / p;
}

void read_bundle_source(yaml::MapReader& r, const std::filesystem::path& base,
                        BundleSourceConfig& out) {
  r.allow_only({"path", "url", "ca_file", "poll_seconds", "public_keys", "signatures_required"});
  if (r.ok() && r.has("path") == r.has("url")) {
    r.fail("give exactly one of `path` and `url`");
    return;
  }
  out.path = resolve(base, r.optional_string("path"));
  out.url = r.optional_string("url");
  if (r.ok() && !out.url.empty() && !out.url.starts_with("https://") &&
      !out.url.starts_with("http://")) {
    r.fail("must be an http:// or https:// URL", "url");
  }
  out.ca_file = resolve(base, r.optional_string("ca_file"));
  out.poll_seconds = r.optional_int("poll_seconds", 0);
  if (r.ok() && (out.poll_seconds < 0 || out.poll_seconds > 86400)) {
    r.fail("must be between 0 and 86400", "poll_seconds");
  }
  for (const std::string& key : r.string_list("public_keys"))
    out.public_keys.push_back(resolve(base, key));
  out.signatures_required = static_cast<int>(r.optional_int("signatures_required", 1));
  if (r.ok() && out.signatures_required < 1) r.fail("must be at least 1", "signatures_required");
}

}  // namespace

cedar::Result<ServerConfig> parse_server_config(std::string_view text,
                                                const std::filesystem::path& file) {
  std::string source = file.string();
  cedar::Result<YAML::Node> doc = yaml::parse(text, source);
  if (!doc.ok()) return doc.error();
  std::filesystem::path base = file.parent_path();
  ServerConfig c;
  c.source = file;
  yaml::MapReader r(*doc, source, "");
  r.allow_only({"listen", "tls", "callers", "policy_bundle", "owner_registry",
                "allow_unsigned_bundles", "identity", "decision_log", "limits", "state_dir",
                "max_staleness_seconds", "metrics", "ext_authz"});
  r.child("listen", false, [&](yaml::MapReader& l) {
    l.allow_only({"address", "plaintext"});
    c.listen_address = l.optional_string("address", c.listen_address);
    c.plaintext = l.optional_bool("plaintext", false);
    if (l.ok() && c.plaintext && !is_loopback_address(c.listen_address)) {
      l.fail("plaintext is allowed only on a loopback address, not " + c.listen_address,
             "plaintext");
    }
  });
  r.child("tls", !c.plaintext, [&](yaml::MapReader& t) {
    t.allow_only({"cert", "key", "client_ca", "reload_seconds"});
    c.tls_reload_seconds = t.optional_int("reload_seconds", c.tls_reload_seconds);
    if (t.ok() && (c.tls_reload_seconds < 1 || c.tls_reload_seconds > 86400)) {
      t.fail("must be between 1 and 86400", "reload_seconds");
    }
    c.tls_cert = resolve(base, t.required_string("cert"));
    c.tls_key = resolve(base, t.required_string("key"));
    c.tls_client_ca = resolve(base, t.optional_string("client_ca"));
  });
  r.each("callers", false, [&](yaml::MapReader& e) {
    e.allow_only({"spiffe_id", "roles"});
    CallerConfig caller;
    caller.spiffe_id = e.required_string("spiffe_id");
    if (e.ok() && !identity::spiffe_trust_domain(caller.spiffe_id)) {
      e.fail("`" + caller.spiffe_id + "` is not a SPIFFE ID", "spiffe_id");
    }
    for (const std::string& role : e.string_list("roles", true)) {
      if (role == "ask") {
        caller.may_ask = true;
      } else if (role == "assert_aws_session") {
        caller.may_assert_aws_session = true;
      } else if (role == "read_status") {
        caller.may_read_status = true;
      } else if (e.ok()) {
        e.fail("unknown role `" + role + "` (expected ask, assert_aws_session or read_status)",
               "roles");
      }
    }
    if (e.ok() && c.find_caller(caller.spiffe_id) != nullptr) {
      e.fail("caller " + caller.spiffe_id + " is listed twice", "spiffe_id");
    }
    c.callers.push_back(std::move(caller));
  });
  r.child("policy_bundle", true,
          [&](yaml::MapReader& b) { read_bundle_source(b, base, c.policy_bundle); });
  r.child("owner_registry", true,
          [&](yaml::MapReader& b) { read_bundle_source(b, base, c.owner_registry); });
  c.allow_unsigned_bundles = r.optional_bool("allow_unsigned_bundles", false);
  c.state_dir = resolve(base, r.optional_string("state_dir"));
  c.max_staleness_seconds = r.optional_int("max_staleness_seconds", 0);
  if (r.ok() && c.max_staleness_seconds < 0)
    r.fail("must not be negative", "max_staleness_seconds");
  r.child("metrics", false, [&](yaml::MapReader& m) {
    m.allow_only({"address"});
    c.metrics_address = m.required_string("address");
  });
  r.child("identity", false, [&](yaml::MapReader& i) {
    i.allow_only({"audience", "leeway_seconds", "token_cache_entries", "spiffe_trust_domains",
                  "oidc_issuers"});
    c.audience = i.optional_string("audience", c.audience);
    c.leeway_seconds = i.optional_int("leeway_seconds", c.leeway_seconds);
    if (i.ok() && (c.leeway_seconds < 0 || c.leeway_seconds > 300)) {
      i.fail("must be between 0 and 300", "leeway_seconds");
    }
    c.token_cache_entries = i.optional_int("token_cache_entries", c.token_cache_entries);
    if (i.ok() && c.token_cache_entries < 0) i.fail("must not be negative", "token_cache_entries");
    i.each("spiffe_trust_domains", false, [&](yaml::MapReader& d) {
      d.allow_only({"trust_domain", "jwks"});
      c.trust_domains.push_back(
          {d.required_string("trust_domain"), resolve(base, d.required_string("jwks"))});
    });
    i.each("oidc_issuers", false, [&](yaml::MapReader& d) {
      d.allow_only({"issuer", "jwks"});
      c.issuers.push_back({d.required_string("issuer"), resolve(base, d.required_string("jwks"))});
    });
  });
  r.child("decision_log", true, [&](yaml::MapReader& l) {
    l.allow_only({"path", "durability", "rotate_bytes", "rotate_age_seconds", "retain_files",
                  "mask_context_keys"});
    c.log_mask_context_keys = l.string_list("mask_context_keys");
    c.decision_log = resolve(base, l.required_string("path"));
    std::string durability = l.optional_string("durability", "process");
    if (durability == "fsync") {
      c.log_fsync = true;
    } else if (durability != "process" && l.ok()) {
      l.fail("must be process or fsync, not `" + durability + "`", "durability");
    }
    std::int64_t bytes = l.optional_int("rotate_bytes", 0);
    std::int64_t age = l.optional_int("rotate_age_seconds", 0);
    std::int64_t retain = l.optional_int("retain_files", 0);
    if (l.ok() && bytes != 0 && bytes < 4096) l.fail("must be 0 or at least 4096", "rotate_bytes");
    if (l.ok() && age < 0) l.fail("must not be negative", "rotate_age_seconds");
    if (l.ok() && (retain < 0 || retain > 100000))
      l.fail("must be between 0 and 100000", "retain_files");
    c.log_rotate_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 0));
    c.log_rotate_age_seconds = age;
    c.log_retain_files = static_cast<std::uint32_t>(std::max<std::int64_t>(retain, 0));
  });
  r.child("ext_authz", false, [&](yaml::MapReader& e) { read_ext_authz_config(e, c.ext_authz); });
  r.child("limits", false, [&](yaml::MapReader& l) {
    l.allow_only(
        {"max_batch_size", "max_message_bytes", "max_concurrent_calls", "max_memory_bytes"});
    c.max_concurrent_calls = l.optional_int("max_concurrent_calls", c.max_concurrent_calls);
    if (l.ok() && (c.max_concurrent_calls < 1 || c.max_concurrent_calls > 1000000)) {
      l.fail("must be between 1 and 1000000", "max_concurrent_calls");
    }
    c.max_memory_bytes = l.optional_int("max_memory_bytes", c.max_memory_bytes);
    if (l.ok() && c.max_memory_bytes < (16 << 20)) {
      l.fail("must be at least 16777216", "max_memory_bytes");
    }
    c.max_batch_size = l.optional_int("max_batch_size", c.max_batch_size);
    if (l.ok() && (c.max_batch_size < 1 || c.max_batch_size > 100000)) {
      l.fail("must be between 1 and 100000", "max_batch_size");
    }
    c.max_message_bytes = l.optional_int("max_message_bytes", c.max_message_bytes);
    if (l.ok() && (c.max_message_bytes < 1024 || c.max_message_bytes > (64 << 20))) {
      l.fail("must be between 1024 and 67108864", "max_message_bytes");
    }
  });
  if (r.ok() && !c.plaintext && !c.tls_client_ca.empty() && c.callers.empty()) {
    r.fail("tls.client_ca is set but no callers are listed: nobody could call (add callers)");
  }
  if (r.ok() && !c.allow_unsigned_bundles) {
    if (c.policy_bundle.public_keys.empty()) {
      r.fail(
          "policy_bundle.public_keys: at least one key is required (or allow_unsigned_bundles: "
          "true "
          "for development)");
    } else if (c.owner_registry.public_keys.empty()) {
      r.fail(
          "owner_registry.public_keys: at least one key is required (or allow_unsigned_bundles: "
          "true for development)");
    }
  }
  if (!r.ok()) return cedar::Error{r.error()};
  return c;
}

cedar::Result<ServerConfig> load_server_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return cedar::Error{file.string() + ": cannot read the configuration file"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_server_config(text.str(), file);
}

}  // namespace crossgate::server
