// Where an AWS resource lives: which partitions crossgate supports and which partition a
// region belongs to. Private to policy/bedrock (is_valid_region and is_valid_account_id,
// declared in arn.h, are defined beside these in location.cc).
#pragma once

#include <string_view>

namespace crossgate::bedrock::internal {

// "aws", "aws-us-gov" and "aws-cn": the partitions Bedrock runs in that crossgate handles.
bool is_supported_partition(std::string_view partition);

// The partition a syntactically valid region belongs to: "aws-cn" for cn-*, "aws-us-gov"
// for us-gov-*, "aws" for the commercial regions, and an empty view for regions of
// partitions crossgate does not handle (the isolated us-iso*, eu-isoe* regions and the
// European Sovereign Cloud's eusc-*).
std::string_view partition_of_region(std::string_view region);

}  // namespace crossgate::bedrock::internal
