// Tests of the location checks: account ids, region syntax and which partition a region is in.
#include "policy/bedrock/location.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

#include "policy/bedrock/arn.h"

namespace crossgate::bedrock {
namespace {

TEST_CASE("account ids are exactly twelve digits", "[bedrock]") {
  CHECK(is_valid_account_id("123456789012"));
  CHECK(is_valid_account_id("000000000000"));
  CHECK_FALSE(is_valid_account_id(""));
  CHECK_FALSE(is_valid_account_id("12345678901"));
  CHECK_FALSE(is_valid_account_id("1234567890123"));
  CHECK_FALSE(is_valid_account_id("12345678901a"));
  CHECK_FALSE(is_valid_account_id("1234-5678-9012"));
  CHECK_FALSE(is_valid_account_id(" 23456789012"));
  CHECK_FALSE(is_valid_account_id("*"));
}

TEST_CASE("region names of every AWS shape are valid", "[bedrock]") {
  for (const char* region :
       {"us-east-1",      "us-east-2",      "us-west-2",      "eu-central-2",   "eu-west-3",
        "eu-north-1",     "eu-south-2",     "ap-northeast-1", "ap-northeast-3", "ap-southeast-5",
        "ap-south-2",     "ap-east-2",      "ca-central-1",   "ca-west-1",      "sa-east-1",
        "me-central-1",   "il-central-1",   "mx-central-1",   "af-south-1",     "us-gov-west-1",
        "us-gov-east-1",  "cn-north-1",     "cn-northwest-1", "us-iso-east-1",  "us-isob-east-1",
        "eusc-de-east-1", "ap-southeast-10"}) {
    INFO(region);
    CHECK(is_valid_region(region));
  }
}

TEST_CASE("malformed region names are refused", "[bedrock]") {
  for (const char* region : {"",
                             "us",
                             "us-east",
                             "useast-1",
                             "us-east-0",
                             "us-east-01",
                             "us-east-100",
                             "US-EAST-1",
                             "us-foo-1",
                             "us-east-1-",
                             "-us-east-1",
                             "us--east-1",
                             "u-east-1",
                             "usaaa-east-1",
                             "us-gov-west",
                             "us-a-b-east-1",
                             "us-gov-east-1a",
                             "us-east-1 ",
                             "*",
                             "us-east-*",
                             "abcd-abcd-southeast-99x"}) {
    INFO(region);
    CHECK_FALSE(is_valid_region(region));
  }
}

TEST_CASE("regions belong to their partitions", "[bedrock]") {
  using internal::partition_of_region;
  CHECK(partition_of_region("us-east-1") == "aws");
  CHECK(partition_of_region("eu-central-2") == "aws");
  CHECK(partition_of_region("us-gov-west-1") == "aws-us-gov");
  CHECK(partition_of_region("cn-north-1") == "aws-cn");
  CHECK(partition_of_region("us-iso-east-1").empty());
  CHECK(partition_of_region("us-isob-east-1").empty());
  CHECK(partition_of_region("eu-isoe-west-1").empty());
  CHECK(partition_of_region("eusc-de-east-1").empty());
}

TEST_CASE("only the aws, aws-us-gov and aws-cn partitions are supported", "[bedrock]") {
  using internal::is_supported_partition;
  CHECK(is_supported_partition("aws"));
  CHECK(is_supported_partition("aws-us-gov"));
  CHECK(is_supported_partition("aws-cn"));
  CHECK_FALSE(is_supported_partition("aws-iso"));
  CHECK_FALSE(is_supported_partition("aws-iso-b"));
  CHECK_FALSE(is_supported_partition("AWS"));
  CHECK_FALSE(is_supported_partition(""));
}

}  // namespace
}  // namespace crossgate::bedrock
