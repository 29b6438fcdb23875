// `crossgate replay` (see replay_command.h): options, loading the candidate, and the text
// form of the report (the JSON form is the replay library's).
#include "server/cli/replay_command.h"

#include <charconv>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/common/time.h"
#include "policy/loading/snapshot_loader.h"
#include "server/cli/flags.h"
#include "server/config/server_config.h"
#include "server/daemon/runtime.h"
#include "server/replay/replayer.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage = R"(usage: crossgate replay --log FILE... --bundle CANDIDATE
                       [--registry PATH] [--config FILE] [--allow-unsigned]
                       [--format text|json] [--max-listed N]

Decides every record of the decision logs again with the CANDIDATE policy bundle (a
directory or .tar.gz) and the owner registry, each at its recorded time, and reports the
decisions that would change: ALLOW -> DENY, DENY -> ALLOW, the same decision with other
reason codes, and requests the candidate would refuse as malformed.

  --log FILE...     decision logs, replayed in the order given (`-` reads stdin); for a
                    rotated log pass the rotated files first: decisions.log.2* decisions.log
  --bundle PATH     the candidate policy bundle
  --registry PATH   the owner registry (default: the one in --config)
  --config FILE     the daemon configuration: its policy_bundle and owner_registry
                    public_keys and signatures_required verify the candidate and registry
  --allow-unsigned  also load a bundle or registry without signatures.json, unverified
                    (a candidate under development); without --config nothing signed loads
  --format FMT      text (default) or json (one JSON document)
  --max-listed N    changes listed per kind (default 100); all are counted

Exit status: 0 no decision flips between ALLOW and DENY (reason-only changes pass), 1 some
decision flips (or a recorded ALLOW would now be refused), 2 unusable input.
)";

struct Options {
  std::vector<std::string> logs;
  std::string bundle, registry, config;
  bool allow_unsigned = false;
  bool json = false;
  std::size_t max_listed = 100;
};

int usage_error(const std::string& message) {
  std::cerr << "crossgate replay: " << message << "\n" << kUsage;
  return 2;
}

int fail(const std::string& message) {
  std::cerr << "crossgate replay: " << message << "\n";
  return 2;
}

// nullopt after printing the problem (exit 2); an Options with no logs after --help.
std::optional<Options> parse_args(std::span<const std::string_view> args, int& status) {
  Options o;
  std::string format = "text", max_listed;
  bool help = false;
  const ValueFlag values[] = {{"--bundle", &o.bundle},
                              {"--registry", &o.registry},
                              {"--config", &o.config},
                              {"--format", &format},
                              {"--max-listed", &max_listed}};
  const SwitchFlag switches[] = {{"--allow-unsigned", &o.allow_unsigned}};
  const ListFlag lists[] = {{"--log", &o.logs}};  // "-" is stdin
  if (std::optional<std::string> problem = parse_flags(args, {values, switches, lists}, &help)) {
    status = usage_error(*problem);
    return std::nullopt;
  }
  if (help) {
    std::cout << kUsage;
    status = 0;
    return std::nullopt;
  }
  status = 2;
  if (o.logs.empty() || o.bundle.empty()) {
    usage_error("--log and --bundle are required");
    return std::nullopt;
  }
  if (format != "text" && format != "json") {
    usage_error("--format must be text or json, not `" + format + "`");
    return std::nullopt;
  }
  o.json = format == "json";
  if (!max_listed.empty()) {
    auto [end, ec] =
        std::from_chars(max_listed.data(), max_listed.data() + max_listed.size(), o.max_listed);
    if (ec != std::errc() || end != max_listed.data() + max_listed.size()) {
      usage_error("--max-listed must be a number, not `" + max_listed + "`");
      return std::nullopt;
    }
  }
  if (o.config.empty() && !o.allow_unsigned) {
    usage_error("--config is needed for the keys that verify the candidate (or --allow-unsigned)");
    return std::nullopt;
  }
  if (o.registry.empty() && o.config.empty()) {
    usage_error("no owner registry: give --registry, or --config with owner_registry.path");
    return std::nullopt;
  }
  return o;
}

// The candidate engine, or the loader's message.
cedar::Result<std::shared_ptr<const decision::DecisionEngine>> load_candidate(const Options& o) {
  loading::TrustSettings trust;
  std::filesystem::path registry = o.registry;
  if (!o.config.empty()) {
    cedar::Result<server::ServerConfig> config = server::load_server_config(o.config);
    if (!config.ok()) return config.error();
    cedar::Result<loading::TrustSettings> configured = server::load_trust(*config);
    if (!configured.ok()) return configured.error();
    trust = std::move(configured.value());
    if (trust.allow_unsigned) {
      std::cerr << "crossgate replay: WARNING: " << o.config
                << " sets allow_unsigned_bundles: unsigned bundles load unverified\n";
    }
    if (registry.empty()) registry = config->owner_registry.path;
    if (registry.empty()) {
      return cedar::Error{o.config + " names no owner_registry path: give --registry"};
    }
  }
  if (o.allow_unsigned) {
    trust.allow_unsigned = true;
    std::cerr << "crossgate replay: WARNING: --allow-unsigned: a bundle or registry without "
                 "signatures.json is loaded UNVERIFIED. Use it for a candidate under "
                 "development only; the daemon will refuse an unsigned bundle unless it is "
                 "configured for development.\n";
  }
  UnixMillis now = now_millis();
  std::string hint = o.config.empty() ? " (no --config, so no key is trusted: only sources "
                                        "without signatures.json load)"
                                      : "";
  cedar::Result<loading::LoadedPolicyBundle> bundle =
      loading::load_policy_bundle(o.bundle, trust, now);
  if (!bundle.ok()) return cedar::Error{"the candidate bundle: " + bundle.message() + hint};
  cedar::Result<loading::LoadedRegistry> loaded_registry =
      loading::load_owner_registry(registry, trust, now);
  if (!loaded_registry.ok()) {
    return cedar::Error{"the owner registry: " + loaded_registry.message() + hint};
  }
  for (const auto* v : {&bundle->version, &loaded_registry->version}) {
    if (v->signer_key_ids.empty()) {
      std::cerr << "crossgate replay: WARNING: " << v->name << " revision " << v->revision
                << " is UNSIGNED (loaded without verification)\n";
    }
  }
  cedar::Result<std::shared_ptr<const decision::DecisionEngine>> engine =
      loading::make_engine(*bundle, *loaded_registry);
  if (!engine.ok()) return cedar::Error{"the candidate: " + engine.message()};
  return engine;
}

// ---- the text report ------------------------------------------------------------------

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string outcome_text(const server::ReplayOutcome& o) {
  if (o.decision == "REFUSED") return "REFUSED";
  return o.reasons.empty() ? o.decision : o.decision + " [" + join(o.reasons) + "]";
}

std::string policies_text(const std::vector<decision::PolicyRef>& policies) {
  if (policies.empty()) return "none";
  std::string out;
  for (const decision::PolicyRef& p : policies) {
    if (!out.empty()) out += ", ";
    out += p.name.empty() ? p.id : p.name + " (" + p.id + ")";
  }
  return out;
}

void print_version(std::ostream& out, const char* label, const decision::VersionInfo& v) {
  out << "  " << label << v.name << " revision " << v.revision << " digest " << v.digest
      << (v.signer_key_ids.empty() ? " (UNSIGNED)" : "") << "\n";
}

void print_changes(std::ostream& out, server::ChangeKind kind,
                   const std::vector<server::ReplayChange>& listed, std::uint64_t count,
                   std::size_t max_listed) {
  if (count == 0) return;
  out << "\n" << server::change_kind_title(kind) << ": " << count << "\n";
  for (const server::ReplayChange& c : listed) {
    out << "  " << (c.decision_id.empty() ? "(no decision id)" : c.decision_id) << "  request "
        << c.request_id << "  " << c.time << "  (" << c.file << ":" << c.line << ")\n";
    out << "    " << (c.workload.empty() ? "(unattributed)" : c.workload) << ": "
        << (c.action.empty() ? c.api : c.action) << " on " << c.resource << "\n";
    out << "    " << outcome_text(c.before) << " -> " << outcome_text(c.after) << "\n";
    if (c.after.decision == "REFUSED") {
      out << "    refused: " << c.after.error << "\n";
    } else {
      out << "    determining policies: " << policies_text(c.before.determining) << " -> "
          << policies_text(c.after.determining) << "\n";
    }
  }
  if (count > listed.size()) {
    out << "  ... and " << count - listed.size() << " more (--max-listed " << max_listed << ")\n";
  }
}

void print_text(std::ostream& out, const server::ReplayReport& r) {
  const server::ReplayCounts& c = r.counts;
  out << "crossgate replay of " << r.files.size() << (r.files.size() == 1 ? " log" : " logs")
      << " against the candidate\n";
  print_version(out, "bundle    ", r.bundle);
  print_version(out, "registry  ", r.registry);
  auto row = [&out](const char* label, std::uint64_t n, const std::string& note = "") {
    out << label << std::string(24 - std::string_view(label).size(), ' ') << n
        << (note.empty() ? "" : "  " + note) << "\n";
  };
  out << "\n";
  row("records replayed", c.replayed);
  row("  unchanged", c.unchanged);
  row("  ALLOW -> DENY", c.allow_to_deny);
  row("  DENY -> ALLOW", c.deny_to_allow);
  row("  reasons changed", c.reasons_changed);
  row("  now refused", c.now_refused,
      c.now_refused > 0 ? "(" + std::to_string(c.allow_now_refused) + " recorded ALLOW)" : "");
  row("unreadable", c.unreadable);
  row("not decisions, skipped", c.skipped);

  print_changes(out, server::ChangeKind::kAllowToDeny, r.allow_to_deny, c.allow_to_deny,
                r.max_listed);
  print_changes(out, server::ChangeKind::kDenyToAllow, r.deny_to_allow, c.deny_to_allow,
                r.max_listed);
  print_changes(out, server::ChangeKind::kReasonsChanged, r.reasons_changed, c.reasons_changed,
                r.max_listed);
  print_changes(out, server::ChangeKind::kNowRefused, r.now_refused, c.now_refused, r.max_listed);
  if (c.unreadable > 0) {
    out << "\nunreadable: " << c.unreadable << "\n";
    for (const server::UnreadableRecord& u : r.unreadable)
      out << "  " << u.file << ":" << u.line << ": " << u.error << "\n";
    if (c.unreadable > r.unreadable.size()) {
      out << "  ... and " << c.unreadable - r.unreadable.size() << " more\n";
    }
  }
  out << "\n";
  if (r.has_flips()) {
    out << "result: FAIL: " << c.allow_to_deny + c.deny_to_allow + c.allow_now_refused
        << " decisions would flip between ALLOW and DENY (or lose an ALLOW to a refusal)\n";
  } else {
    out << "result: PASS: no decision flips between ALLOW and DENY\n";
  }
}

}  // namespace

int replay_command(std::span<const std::string_view> args) {
  int status = 2;
  std::optional<Options> options = parse_args(args, status);
  if (!options) return status;
  const Options& o = *options;

  // Every log must be there before the (slower) load, and before any output.
  for (const std::string& log : o.logs) {
    if (log == "-") continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(log, ec)) {
      return fail(log + ": " +
                  (std::filesystem::exists(log, ec) ? "not a regular file" : "no such file"));
    }
  }
  cedar::Result<std::shared_ptr<const decision::DecisionEngine>> engine = load_candidate(o);
  if (!engine.ok()) return fail("cannot load " + engine.message());

  server::ReplayOptions replay_options;
  replay_options.max_listed = o.max_listed;
  server::Replayer replayer(*engine, replay_options);
  for (const std::string& log : o.logs) {
    cedar::Status read =
        log == "-" ? replayer.replay_stream(std::cin, "<stdin>") : replayer.replay_file(log);
    if (!read.ok()) return fail(read.message());
  }
  const server::ReplayReport& report = replayer.report();
  if (o.json) {
    std::cout << report_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    print_text(std::cout, report);
  }
  std::cout.flush();
  if (report.counts.replayed == 0 && report.counts.unreadable > 0) {
    // Nothing but unreadable lines is the wrong file (compressed, truncated, not a log),
    // never a candidate that passes.
    return fail("no decision record could be read from the logs given");
  }
  return report.has_flips() ? 1 : 0;
}

}  // namespace crossgate::cli
