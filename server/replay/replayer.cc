// Deciding recorded decisions again with a candidate engine: the streaming reader, the
// comparison with the record, and the report's JSON form.
#include "server/replay/replayer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

#include "policy/decision/decision_record.h"

namespace crossgate::server {
namespace {

using ordered = nlohmann::ordered_json;

std::string text(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The recorded reason codes; nullopt when the field is not a list of strings (then the
// line is not a record this version wrote, and comparing with it would mean nothing).
std::optional<std::vector<std::string>> recorded_reasons(const nlohmann::json& record) {
  auto it = record.find("reasons");
  if (it == record.end() || !it->is_array()) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(it->size());
  for (const nlohmann::json& code : *it) {
    if (!code.is_string()) return std::nullopt;
    out.push_back(code.get<std::string>());
  }
  return out;
}

std::vector<decision::PolicyRef> recorded_policies(const nlohmann::json& record) {
  std::vector<decision::PolicyRef> out;
  auto it = record.find("determining_policies");
  if (it == record.end() || !it->is_array()) return out;
  for (const nlohmann::json& p : *it) {
    if (p.is_object()) out.push_back({text(p, "id"), text(p, "name"), text(p, "error")});
  }
  return out;
}

// Reasons the service adds when it serves a decision, never decide(): the log could not be
// written, or the active versions were stale. They say nothing about the policy, so they
// are left out of the comparison, and a DENY for them alone was the engine's ALLOW.
bool serving_reason(std::string_view code) {
  return code == "LOG_UNAVAILABLE" || code == "STALE_POLICY";
}

// Reason codes come out in a fixed order today, but the same set in another order is the
// same answer: comparing as sets keeps an engine change from reporting every record.
bool same_reasons(std::vector<std::string> a, std::vector<std::string> b) {
  if (a.size() != b.size()) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

ordered version_json(const decision::VersionInfo& v) {
  return ordered{{"name", v.name},
                 {"revision", v.revision},
                 {"digest", v.digest},
                 {"signed", !v.signer_key_ids.empty()},
                 {"signer_key_ids", v.signer_key_ids}};
}

ordered outcome_json(const ReplayOutcome& o) {
  ordered out = ordered{{"decision", o.decision}};
  if (o.decision == "REFUSED") {
    out["error"] = o.error;
    return out;
  }
  out["reasons"] = o.reasons;
  ordered policies = ordered::array();
  for (const decision::PolicyRef& p : o.determining)
    policies.push_back({{"id", p.id}, {"name", p.name}});
  out["determining_policies"] = std::move(policies);
  return out;
}

ordered change_json(const ReplayChange& c) {
  return ordered{{"decision_id", c.decision_id},
                 {"request_id", c.request_id},
                 {"time", c.time},
                 {"workload", c.workload},
                 {"api", c.api},
                 {"action", c.action},
                 {"resource", c.resource},
                 {"file", c.file},
                 {"line", c.line},
                 {"before", outcome_json(c.before)},
                 {"after", outcome_json(c.after)}};
}

ordered changes_json(const std::vector<ReplayChange>& changes) {
  ordered out = ordered::array();
  for (const ReplayChange& c : changes)
    out.push_back(change_json(c));
  return out;
}

}  // namespace

std::string_view change_kind_title(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAllowToDeny: return "ALLOW -> DENY";
    case ChangeKind::kDenyToAllow: return "DENY -> ALLOW";
    case ChangeKind::kReasonsChanged: return "reasons changed";
    case ChangeKind::kNowRefused: return "now refused";
  }
  return "";
}

nlohmann::ordered_json report_json(const ReplayReport& r) {
  const ReplayCounts& c = r.counts;
  ordered out = ordered::object();
  out["candidate"] =
      ordered{{"bundle", version_json(r.bundle)}, {"registry", version_json(r.registry)}};
  out["logs"] = r.files;
  out["counts"] = ordered{{"replayed", c.replayed},
                          {"unchanged", c.unchanged},
                          {"allow_to_deny", c.allow_to_deny},
                          {"deny_to_allow", c.deny_to_allow},
                          {"reasons_changed", c.reasons_changed},
                          {"now_refused", c.now_refused},
                          {"allow_now_refused", c.allow_now_refused},
                          {"unreadable", c.unreadable},
                          {"skipped", c.skipped}};
  out["gate"] = r.has_flips() ? "fail" : "pass";
  out["max_listed"] = r.max_listed;
  out["changes"] = ordered{{"allow_to_deny", changes_json(r.allow_to_deny)},
                           {"deny_to_allow", changes_json(r.deny_to_allow)},
                           {"reasons_changed", changes_json(r.reasons_changed)},
                           {"now_refused", changes_json(r.now_refused)}};
  ordered unreadable = ordered::array();
  for (const UnreadableRecord& u : r.unreadable)
    unreadable.push_back({{"file", u.file}, {"line", u.line}, {"error", u.error}});
  out["unreadable"] = std::move(unreadable);
  return out;
}

Replayer::Replayer(std::shared_ptr<const decision::DecisionEngine> candidate, ReplayOptions options)
    : candidate_(std::move(candidate)), options_(options) {
  report_.bundle = candidate_->bundle_version();
  report_.registry = candidate_->registry_version();
  report_.max_listed = options_.max_listed;
}

cedar::Status Replayer::replay_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return cedar::Error{file.string() + ": is a directory, not a decision log"};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return cedar::Error{file.string() + ": cannot open: " + std::strerror(errno)};
  return replay_stream(in, file.string());
}

cedar::Status Replayer::replay_stream(std::istream& in, const std::string& name) {
  report_.files.push_back(name);
  std::string line;  // reused: one line in memory at a time
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    replay_line(line, name, ++number);
  }
  if (in.bad()) {
    return cedar::Error{name + ": read error after line " + std::to_string(number) + ": " +
                        std::strerror(errno)};
  }
  return cedar::Ok{};
}

void Replayer::unreadable(const std::string& file, std::uint64_t line_number, std::string error) {
  ++report_.counts.unreadable;
  if (report_.unreadable.size() < options_.max_unreadable_listed) {
    report_.unreadable.push_back({file, line_number, std::move(error)});
  }
}

void Replayer::replay_line(std::string_view line, const std::string& file,
                           std::uint64_t line_number) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    // The byte, not the parser's text: that quotes the line, which is the reader's to see.
    return unreadable(file, line_number, "not JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {
    return unreadable(file, line_number, "not JSON");
  }
  if (!record.is_object()) return unreadable(file, line_number, "not a JSON object");
  auto decision_field = record.find("decision");
  if (decision_field == record.end()) {
    ++report_.counts.skipped;  // "log-start" and anything else that is not a decision
    return;
  }
  std::string recorded = decision_field->is_string() ? decision_field->get<std::string>() : "";
  if (recorded != "ALLOW" && recorded != "DENY") {
    return unreadable(file, line_number, "\"decision\" is neither ALLOW nor DENY");
  }
  std::optional<std::vector<std::string>> reasons = recorded_reasons(record);
  if (!reasons) {
    return unreadable(file, line_number, "\"reasons\" is not a list of reason codes");
  }
  bool recorded_allow = recorded == "ALLOW";
  if (std::erase_if(*reasons, serving_reason) > 0 && reasons->empty()) recorded_allow = true;
  std::optional<cedar::Result<decision::DecisionInput>> input;
  try {
    input.emplace(decision::input_from_record(record));
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong JSON type (e.g. "verified": "yes").
    return unreadable(file, line_number, std::string("not a decision record: ") + e.what());
  }
  if (!input->ok()) {
    return unreadable(file, line_number, "not a decision record: " + input->message());
  }

  ReplayCounts& counts = report_.counts;
  ++counts.replayed;
  cedar::Result<decision::Decision> now = candidate_->decide(**input, scratch_);
  if (!now.ok()) {
    ++counts.now_refused;
    if (recorded_allow) ++counts.allow_now_refused;
    return record_change(ChangeKind::kNowRefused, record, **input, file, line_number,
                         recorded_allow, *reasons, ReplayOutcome{"REFUSED", {}, {}, now.message()});
  }
  ChangeKind kind;
  if (recorded_allow && !now->allow) {
    kind = ChangeKind::kAllowToDeny;
    ++counts.allow_to_deny;
  } else if (!recorded_allow && now->allow) {
    kind = ChangeKind::kDenyToAllow;
    ++counts.deny_to_allow;
  } else if (!same_reasons(*reasons, now->reasons)) {
    kind = ChangeKind::kReasonsChanged;
    ++counts.reasons_changed;
  } else {
    ++counts.unchanged;
    return;
  }
  record_change(
      kind, record, **input, file, line_number, recorded_allow, *reasons,
      ReplayOutcome{
          now->allow ? "ALLOW" : "DENY", std::move(now->reasons), std::move(now->determining), {}});
}

void Replayer::record_change(ChangeKind kind, const nlohmann::json& record,
                             const decision::DecisionInput& input, const std::string& file,
                             std::uint64_t line_number, bool recorded_allow,
                             std::vector<std::string>& before_reasons, ReplayOutcome after) {
  std::vector<ReplayChange>* list = nullptr;
  switch (kind) {
    case ChangeKind::kAllowToDeny: list = &report_.allow_to_deny; break;
    case ChangeKind::kDenyToAllow: list = &report_.deny_to_allow; break;
    case ChangeKind::kReasonsChanged: list = &report_.reasons_changed; break;
    case ChangeKind::kNowRefused: list = &report_.now_refused; break;
  }
  if (list->size() >= options_.max_listed) return;  // counted, not listed
  const nlohmann::json& request = record.at("request");
  ReplayChange c;
  c.kind = kind;
  c.file = file;
  c.line = line_number;
  c.decision_id = text(record, "decision_id");
  c.request_id = input.facts.request_id;
  c.time = text(record, "time");
  c.workload = text(record, "workload");
  c.api = input.facts.action;
  c.action = text(request, "action");
  c.resource = text(request, "resource_arn");
  if (c.resource.empty()) c.resource = input.facts.resource;
  // As the engine decided it (a denial for serving reasons alone was its ALLOW).
  c.before.decision = recorded_allow ? "ALLOW" : "DENY";
  c.before.reasons = std::move(before_reasons);
  c.before.determining = recorded_policies(record);
  c.after = std::move(after);
  list->push_back(std::move(c));
}

}  // namespace crossgate::server
