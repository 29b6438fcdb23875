// Account ids, region names and partitions: the syntax checks every Bedrock ARN's location
// fields go through.
#include "policy/bedrock/location.h"

#include <array>
#include <cstddef>

#include "policy/bedrock/arn.h"

namespace crossgate::bedrock {
namespace {

bool all_lower(std::string_view text) {
  for (char c : text) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

// AWS region names only ever use these compass words (us-east-1, ap-northeast-3,
// eu-central-2, ...); knowing them refuses garbage such as "us-foo-1" or "useast-1" that a
// looser [a-z-]+-[0-9] shape would let through.
bool is_direction(std::string_view word) {
  static constexpr std::array<std::string_view, 9> kDirections = {
      "east",      "west",      "north",     "south",    "central",
      "northeast", "northwest", "southeast", "southwest"};
  for (std::string_view direction : kDirections) {
    if (word == direction) return true;
  }
  return false;
}

}  // namespace

bool is_valid_account_id(std::string_view account) {
  if (account.size() != 12) return false;
  for (char c : account) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A region is AREA[-SUBAREA]-DIRECTION-NUMBER: us-east-1, eu-central-2, us-gov-west-1,
// us-isob-east-1, eusc-de-east-1. The Bedrock API bounds regions at 20 characters
// ("bedrock:[a-z0-9-]{1,20}" in its ARN patterns).
bool is_valid_region(std::string_view region) {
  if (region.empty() || region.size() > 20) return false;
  std::array<std::string_view, 4> parts;
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t dash = region.find('-', start);
    if (count == parts.size()) return false;
    parts[count++] = region.substr(start, dash == std::string_view::npos ? dash : dash - start);
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (count < 3) return false;
  auto short_word = [](std::string_view word) {
    return word.size() >= 2 && word.size() <= 4 && all_lower(word);
  };
  if (!short_word(parts[0])) return false;
  if (count == 4 && !short_word(parts[1])) return false;
  if (!is_direction(parts[count - 2])) return false;
  std::string_view number = parts[count - 1];
  if (number.empty() || number.size() > 2 || number[0] < '1' || number[0] > '9') return false;
  return number.size() == 1 || (number[1] >= '0' && number[1] <= '9');
}

namespace internal {

bool is_supported_partition(std::string_view partition) {
  return partition == "aws" || partition == "aws-us-gov" || partition == "aws-cn";
}

std::string_view partition_of_region(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  // us-iso-*, us-isob-*, us-isof-*, eu-isoe-* (the isolated partitions) and eusc-* (the
  // European Sovereign Cloud) belong to partitions crossgate does not handle.
  std::size_t dash = region.find('-');
  if (dash != std::string_view::npos && region.substr(dash + 1).starts_with("iso")) return {};
  if (region.starts_with("eusc-")) return {};
  return "aws";
}

}  // namespace internal
}  // namespace crossgate::bedrock
