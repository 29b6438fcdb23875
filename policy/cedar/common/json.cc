#include "policy/cedar/common/json.h"

#include <set>
#include <string>
#include <vector>

namespace crossgate::cedar {
namespace {

struct Refusal {
  std::string message;
};

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, std::string_view source, int max_depth) {
  std::vector<std::set<std::string>> keys_per_object;
  int depth = 0;
  auto check = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                   nlohmann::json& parsed) -> bool {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (++depth > max_depth) {
          throw Refusal{"nesting deeper than " + std::to_string(max_depth) + " levels"};
        }
        if (event == Event::object_start) keys_per_object.emplace_back();
        break;
      case Event::object_end:
      case Event::array_end:
        --depth;
        if (event == Event::object_end) keys_per_object.pop_back();
        break;
      case Event::key:
        if (!keys_per_object.back().insert(parsed.get<std::string>()).second) {
          throw Refusal{"duplicate key \"" + parsed.get<std::string>() + "\""};
        }
        break;
      case Event::value: break;
    }
    return true;
  };
  std::string name = source.empty() ? std::string("<json>") : std::string(source);
  try {
    return nlohmann::json::parse(text.begin(), text.end(), check);
  } catch (const Refusal& refusal) {
    return Error{name + ": " + refusal.message};
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message carries the line and column ("... at line 3, column 5: ...").
    std::string what = e.what();
    std::size_t at = what.find("] ");
    return Error{name +
                 ": invalid JSON: " + (at == std::string::npos ? what : what.substr(at + 2))};
  } catch (const nlohmann::json::exception& e) {
    return Error{name + ": invalid JSON: " + e.what()};
  }
}

std::string_view json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "object";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "integer";
    case nlohmann::json::value_t::number_float: return "floating-point number";
    case nlohmann::json::value_t::binary: return "binary";
    case nlohmann::json::value_t::discarded: return "discarded";
  }
  return "value";
}

}  // namespace crossgate::cedar
