// `crossgate check` (see check_command.h): options, the keys from --config, and writing the
// report in the chosen forms.
#include "server/cli/check_command.h"

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "policy/check/checker.h"
#include "policy/check/report_json.h"
#include "policy/check/report_junit.h"
#include "policy/check/report_text.h"
#include "policy/common/time.h"
#include "server/cli/flags.h"
#include "server/config/server_config.h"
#include "server/daemon/runtime.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage =
    R"(usage: crossgate check --bundle PATH [--registry PATH] [--config FILE]
                      [--allow-unsigned] [--format text|json] [--junit FILE]
                      [--min-coverage PCT] [--waive RULE[=RECORD]...]

Checks a policy bundle (a directory or .tar.gz) with the owner registry before it is
published, as a CI step:
  - both are loaded and their signatures verified as the daemon would;
  - every policy and template is validated against the built-in schema plus the bundle's
    schema.cedarschema (strict mode), naming policy, file, line, column and error kind;
  - the registry is linted: registry/duplicate-identity, registry/workload-without-owner,
    registry/account-without-owner, registry/unknown-owner, bundle/without-owner,
    registry/trust-without-approver, registry/trust-without-expiry,
    registry/grant-too-long (longer than the bundle's max_emergency_window_seconds),
    registry/grant-unapproved, registry/grant-self-approved, registry/unknown-workload,
    registry/unknown-account;
  - the bundle's tests/*.yaml cases are decided and compared with their expectations
    (decision, reason codes, determining policies), and the policies no case made
    determining are listed.

  --bundle PATH        the policy bundle
  --registry PATH      the owner registry (default: the one in --config)
  --config FILE        the daemon configuration: its policy_bundle and owner_registry
                       public_keys and signatures_required verify the bundle and registry
  --allow-unsigned     also load a bundle or registry without signatures.json, unverified
                       (a bundle under development); without --config nothing signed loads
  --format FMT         text (default) or json (one JSON document on stdout)
  --junit FILE         also write a JUnit XML report (suites: validation, lint, bundle tests)
  --min-coverage PCT   fail when fewer than PCT percent of the policies were determining in
                       some test case
  --waive RULE[=ID]... accept the findings of RULE (for the record ID only, when given): they
                       are reported as waived and do not fail the check

Exit status: 0 clean; 1 lint findings, validation errors, failing bundle tests or coverage
below --min-coverage; 2 unusable input (options, a missing file, a signature that does not
verify, a manifest, schema, policy or registry file that does not parse).
)";

struct Options {
  std::string bundle, registry, config, junit;
  bool allow_unsigned = false;
  bool json = false;
  std::optional<double> min_coverage;
  std::vector<check::Waiver> waivers;
};

int usage_error(const std::string& message) {
  std::cerr << "crossgate check: " << message << "\n" << kUsage;
  return 2;
}

int fail(const std::string& message) {
  std::cerr << "crossgate check: " << message << "\n";
  return 2;
}

std::optional<double> parse_percent(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 100)) {
    return std::nullopt;
  }
  return value;
}

// nullopt after printing the problem or the help; `status` is the exit status then.
std::optional<Options> parse_args(std::span<const std::string_view> args, int& status) {
  Options o;
  std::string format = "text", min_coverage;
  std::vector<std::string> waivers;
  bool help = false;
  const ValueFlag values[] = {{"--bundle", &o.bundle}, {"--registry", &o.registry},
                              {"--config", &o.config}, {"--format", &format},
                              {"--junit", &o.junit},   {"--min-coverage", &min_coverage}};
  const SwitchFlag switches[] = {{"--allow-unsigned", &o.allow_unsigned}};
  const ListFlag lists[] = {{"--waive", &waivers}};
  status = 2;
  if (std::optional<std::string> problem = parse_flags(args, {values, switches, lists}, &help)) {
    usage_error(*problem);
    return std::nullopt;
  }
  if (help) {
    std::cout << kUsage;
    status = 0;
    return std::nullopt;
  }
  for (const std::string& text : waivers) {
    std::optional<check::Waiver> waiver = check::parse_waiver(text);
    if (!waiver) {
      usage_error("--waive: `" + text + "` is not RULE or RULE=RECORD with a rule id listed below");
      return std::nullopt;
    }
    o.waivers.push_back(*waiver);
  }
  if (o.bundle.empty()) {
    usage_error("--bundle is required");
    return std::nullopt;
  }
  if (format != "text" && format != "json") {
    usage_error("--format must be text or json, not `" + format + "`");
    return std::nullopt;
  }
  o.json = format == "json";
  if (!min_coverage.empty()) {
    o.min_coverage = parse_percent(min_coverage);
    if (!o.min_coverage) {
      usage_error("--min-coverage must be a percentage from 0 to 100, not `" + min_coverage + "`");
      return std::nullopt;
    }
  }
  if (o.config.empty() && !o.allow_unsigned) {
    usage_error("--config is needed for the keys that verify the bundle (or --allow-unsigned)");
    return std::nullopt;
  }
  if (o.registry.empty() && o.config.empty()) {
    usage_error("no owner registry: give --registry, or --config with owner_registry.path");
    return std::nullopt;
  }
  return o;
}

// The trust settings and registry path from --config and the options, or why not.
cedar::Status configure(const Options& o, check::CheckOptions& out) {
  out.bundle = o.bundle;
  out.registry = o.registry;
  if (!o.config.empty()) {
    cedar::Result<server::ServerConfig> config = server::load_server_config(o.config);
    if (!config.ok()) return config.error();
    cedar::Result<loading::TrustSettings> trust = server::load_trust(*config);
    if (!trust.ok()) return trust.error();
    out.trust = std::move(trust.value());
    if (out.trust.allow_unsigned) {
      std::cerr << "crossgate check: WARNING: " << o.config
                << " sets allow_unsigned_bundles: unsigned bundles load unverified\n";
    }
    if (out.registry.empty()) out.registry = config->owner_registry.path;
    if (out.registry.empty()) {
      return cedar::Error{o.config + " names no owner_registry path: give --registry"};
    }
  }
  if (o.allow_unsigned) {
    out.trust.allow_unsigned = true;
    std::cerr << "crossgate check: WARNING: --allow-unsigned: a bundle or registry without "
                 "signatures.json is loaded UNVERIFIED (for a bundle under development; the "
                 "daemon refuses it unless configured for development)\n";
  }
  out.waivers = o.waivers;
  out.min_coverage = o.min_coverage;
  return cedar::Ok{};
}

}  // namespace

int check_command(std::span<const std::string_view> args) {
  int status = 2;
  std::optional<Options> options = parse_args(args, status);
  if (!options) return status;
  const Options& o = *options;

  check::CheckOptions check_options;
  if (cedar::Status s = configure(o, check_options); !s.ok()) return fail(s.message());
  std::string hint = o.config.empty() ? " (no --config, so no key is trusted: only sources "
                                        "without signatures.json load)"
                                      : "";
  cedar::Result<check::CheckOutcome> outcome = check::run_check(check_options, now_millis());
  if (!outcome.ok()) return fail("cannot load " + outcome.message() + hint);
  const check::CheckReport& report = outcome->report;
  for (const decision::VersionInfo* v : {&report.bundle, &report.registry}) {
    if (v->signer_key_ids.empty()) {
      std::cerr << "crossgate check: WARNING: " << v->name << " revision " << v->revision
                << " is UNSIGNED (loaded without verification)\n";
    }
  }
  for (const check::Waiver& w : outcome->unused_waivers) {
    std::cerr << "crossgate check: WARNING: --waive " << w.rule
              << (w.record_id.empty() ? "" : "=" + w.record_id) << " matched no finding\n";
  }

  if (!o.junit.empty()) {
    std::ofstream junit(o.junit, std::ios::binary | std::ios::trunc);
    junit << check::junit_xml(report);
    junit.close();
    if (!junit) return fail(o.junit + ": cannot write the JUnit report");
  }
  if (o.json) {
    std::cout << check::report_json(report).dump(2, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    check::write_text_report(std::cout, report);
  }
  std::cout.flush();
  return report.exit_status();
}

}  // namespace crossgate::cli
