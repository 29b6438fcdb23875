// Syntax of foundation model ids and system inference profile ids.
//
// The foundation model id grammar is the one the Bedrock API reference gives for
// foundation-model ARNs (InferenceProfileModel.modelArn, PromptRouterTargetModel.modelArn):
//   [a-z0-9-]{1,63} . ([a-z0-9-]{1,63} .){0,2} [a-z0-9-]{1,63} (: [a-z0-9-]{1,63}){0,2}
// i.e. a provider, one to three more dot-separated name parts, and up to two ':' suffixes
// (a version and a context size: "anthropic.claude-v2:1:200k", "amazon.titan-embed-text-v2:0",
// "amazon.titan-text-express-v1"). System profile ids put a geography before it
// ("us.anthropic.claude-3-5-sonnet-20240620-v1:0"); the API reference bounds that prefix as
// [a-z-]{2,8} (EvaluationModelIdentifier's inference-profile branch).
#include "policy/bedrock/model_id.h"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace crossgate::bedrock::internal {
namespace {

constexpr std::size_t kMaxPartLength = 63;
constexpr std::size_t kMaxNameParts = 4;    // provider + up to three name parts
constexpr std::size_t kMaxSuffixParts = 2;  // ":<version>" and ":<context>"

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

cedar::Error error(std::string_view what, std::string_view id, std::string_view problem) {
  return cedar::Error{std::string(what) + " `" + std::string(id) + "` " + std::string(problem)};
}

// Checks one dot- or colon-separated part against [a-z0-9-]{1,63}.
std::optional<cedar::Error> check_part(std::string_view what, std::string_view id,
                                       std::string_view part) {
  if (part.empty()) return error(what, id, "has an empty part");
  if (part.size() > kMaxPartLength) {
    return error(what, id, "has a part longer than 63 characters");
  }
  for (char c : part) {
    if (!is_id_char(c)) {
      return error(what, id,
                   std::string("has the character '") + c +
                       "'; model ids use lowercase letters, digits, '-', '.' and ':'");
    }
  }
  return std::nullopt;
}

// Parses PROVIDER.MODEL[:SUFFIX[:SUFFIX]]; `what` names the id in messages.
cedar::Result<ModelIdParts> parse_model(std::string_view what, std::string_view whole,
                                        std::string_view id) {
  if (id.empty()) return error(what, whole, "names no model");
  std::size_t colon = id.find(':');
  std::string_view name = id.substr(0, colon);
  std::vector<std::string_view> name_parts = split(name, '.');
  for (std::string_view part : name_parts) {
    if (auto problem = check_part(what, whole, part)) return *problem;
  }
  if (name_parts.size() < 2) {
    return error(what, whole, "has no provider: expected <provider>.<model>");
  }
  if (name_parts.size() > kMaxNameParts) {
    return error(what, whole, "has more than four '.'-separated parts");
  }
  if (colon != std::string_view::npos) {
    std::vector<std::string_view> suffixes = split(id.substr(colon + 1), ':');
    for (std::string_view part : suffixes) {
      if (auto problem = check_part(what, whole, part)) return *problem;
    }
    if (suffixes.size() > kMaxSuffixParts) {
      return error(what, whole, "has more than two ':' suffixes");
    }
  }
  std::size_t dot = id.find('.');
  return ModelIdParts{{}, std::string(id.substr(0, dot)), std::string(id.substr(dot + 1))};
}

}  // namespace

// The geographies of the system-defined cross-Region inference profiles, as listed by the
// AWS CDK's CrossRegionInferenceProfileRegion (GLOBAL, EU, US, US_GOV, APAC, JP, AU) and the
// Bedrock user guide's "Supported cross-Region inference profiles".
bool is_known_profile_geography(std::string_view geography) {
  static constexpr std::array<std::string_view, 7> kGeographies = {"us",     "eu", "apac", "us-gov",
                                                                   "global", "jp", "au"};
  for (std::string_view known : kGeographies) {
    if (geography == known) return true;
  }
  return false;
}

bool has_known_geography_prefix(std::string_view id) {
  std::size_t dot = id.find('.');
  return dot != std::string_view::npos && is_known_profile_geography(id.substr(0, dot));
}

cedar::Result<ModelIdParts> parse_foundation_model_id(std::string_view id) {
  return parse_model("foundation model id", id, id);
}

cedar::Result<ModelIdParts> parse_system_profile_id(std::string_view id,
                                                    bool require_known_geography) {
  constexpr std::string_view kWhat = "inference profile id";
  std::size_t dot = id.find('.');
  if (dot == std::string_view::npos) {
    return error(kWhat, id, "has no geography: expected <geography>.<provider>.<model>");
  }
  std::string_view geography = id.substr(0, dot);
  if (require_known_geography) {
    if (!is_known_profile_geography(geography)) {
      return error(kWhat, id,
                   "has the unknown geography `" + std::string(geography) +
                       "` (known: us, eu, apac, us-gov, global, jp, au)");
    }
  } else {
    bool shaped = geography.size() >= 2 && geography.size() <= 8 && geography.front() != '-' &&
                  geography.back() != '-';
    for (char c : geography)
      shaped = shaped && ((c >= 'a' && c <= 'z') || c == '-');
    if (!shaped) {
      return error(kWhat, id,
                   "does not start with a geography such as `us.` or `eu.` (expected "
                   "<geography>.<provider>.<model>)");
    }
  }
  std::string_view rest = id.substr(dot + 1);
  if (rest.find('.') == std::string_view::npos) {
    return error(kWhat, id, "is not <geography>.<provider>.<model>");
  }
  cedar::Result<ModelIdParts> model = parse_model(kWhat, id, rest);
  if (!model) return model;
  model->geography = std::string(geography);
  return model;
}

}  // namespace crossgate::bedrock::internal
