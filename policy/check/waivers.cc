// Waivers of lint findings (waivers.h).
#include "policy/check/waivers.h"

#include <algorithm>

#include "policy/check/registry_lint.h"

namespace crossgate::check {

std::optional<Waiver> parse_waiver(std::string_view text) {
  Waiver w;
  std::size_t equals = text.find('=');
  w.rule = std::string(text.substr(0, equals));
  if (equals != std::string_view::npos) w.record_id = std::string(text.substr(equals + 1));
  const std::vector<std::string>& ids = lint_rule_ids();
  if (std::find(ids.begin(), ids.end(), w.rule) == ids.end()) return std::nullopt;
  if (equals != std::string_view::npos && w.record_id.empty()) return std::nullopt;
  return w;
}

std::vector<Waiver> apply_waivers(std::vector<Finding>& findings,
                                  const std::vector<Waiver>& waivers) {
  std::vector<Waiver> unused;
  for (const Waiver& w : waivers) {
    bool used = false;
    for (Finding& f : findings) {
      if (f.rule == w.rule && (w.record_id.empty() || f.record_id == w.record_id)) {
        f.waived = true;
        used = true;
      }
    }
    if (!used) unused.push_back(w);
  }
  return unused;
}

}  // namespace crossgate::check
