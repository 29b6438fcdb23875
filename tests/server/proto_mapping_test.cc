// from_proto, from the wire to a decision request: the bounds it puts on a request before
// any work is done on it (every one refuses with a message naming the field, and a request
// just within them is accepted), and how context numbers come back from protobuf's doubles.
#include "server/service/proto_mapping.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <cstdint>
#include <string>

namespace crossgate::server {
namespace {

using Catch::Matchers::ContainsSubstring;

v1::AuthorizeRequest base_request() {
  v1::AuthorizeRequest r;
  r.set_request_id("limits");
  r.set_action("Converse");
  r.set_resource("us.anthropic.claude-3-5-sonnet-20240620-v1:0");
  r.set_source_account("111122223333");
  r.set_target_account("444455556666");
  r.mutable_identity()->mutable_x509_svid();
  return r;
}

// A context value nested `levels` lists deep around a number.
google::protobuf::Value nested_lists(int levels) {
  google::protobuf::Value v;
  v.set_number_value(1);
  for (int i = 0; i < levels; ++i) {
    google::protobuf::Value outer;
    *outer.mutable_list_value()->add_values() = v;
    v = outer;
  }
  return v;
}

TEST_CASE("context values nested deeper than 8 levels are refused", "[proto][limits]") {
  v1::AuthorizeRequest r = base_request();
  (*r.mutable_context())["ok"] = nested_lists(8);
  CHECK(from_proto(r).ok());
  (*r.mutable_context())["deep"] = nested_lists(9);
  auto refused = from_proto(r);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), ContainsSubstring("context.deep: nests more than 8"));

  // A struct counts as a level as lists do.
  v1::AuthorizeRequest s = base_request();
  google::protobuf::Value v;
  v.set_string_value("x");
  for (int i = 0; i < 9; ++i) {
    google::protobuf::Value outer;
    (*outer.mutable_struct_value()->mutable_fields())["k"] = v;
    v = outer;
  }
  (*s.mutable_context())["record"] = v;
  CHECK_THAT(from_proto(s).message(), ContainsSubstring("context.record: nests more than 8"));
}

TEST_CASE("a context larger than 64 KiB as JSON is refused", "[proto][limits]") {
  v1::AuthorizeRequest r = base_request();
  for (int i = 0; i < 40; ++i)
    (*r.mutable_context())["k" + std::to_string(i)].set_string_value(std::string(2000, 'a'));
  auto refused = from_proto(r);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), ContainsSubstring("context: larger than 65536 bytes"));
}

TEST_CASE("oversized call-chain hops and AWS session fields are refused", "[proto][limits]") {
  v1::AuthorizeRequest r = base_request();
  r.add_call_chain()->set_workload(std::string(2049, 'w'));
  CHECK_THAT(from_proto(r).message(), ContainsSubstring("call_chain: a hop is longer than 2048"));

  v1::AuthorizeRequest s = base_request();
  v1::AwsSessionEvidence* session = s.mutable_identity()->mutable_aws_session();
  session->set_role_arn("arn:aws:iam::111122223333:role/r");
  for (int i = 0; i < 65; ++i)
    (*session->mutable_tags())["t" + std::to_string(i)] = "v";
  CHECK_THAT(from_proto(s).message(), ContainsSubstring("aws_session.tags: more than 64 tags"));

  session->clear_tags();
  (*session->mutable_tags())["t"] = std::string(2049, 'v');
  CHECK_THAT(from_proto(s).message(), ContainsSubstring("aws_session: a field or tag is longer"));
  (*session->mutable_tags())["t"] = "v";
  CHECK(from_proto(s).ok());
}

TEST_CASE("context numbers: whole ones in Long's range become integers, others stay doubles",
          "[proto][fuzz-regression]") {
  // authorize_request_fuzzer: 4.5e279 was converted to int64 (undefined behaviour).
  v1::AuthorizeRequest r = base_request();
  (*r.mutable_context())["two"].set_number_value(2.0);
  (*r.mutable_context())["half"].set_number_value(0.5);
  (*r.mutable_context())["huge"].set_number_value(4.53802e+279);
  (*r.mutable_context())["edge"].set_number_value(9223372036854775808.0);  // 2^63
  (*r.mutable_context())["lowest"].set_number_value(-9223372036854775808.0);
  auto mapped = from_proto(r);
  REQUIRE(mapped.ok());
  const nlohmann::json& extra = mapped->facts.extra;
  CHECK(extra["two"].is_number_integer());
  CHECK(extra["two"] == 2);
  CHECK(extra["half"].is_number_float());
  CHECK(extra["huge"].is_number_float());
  CHECK(extra["edge"].is_number_float());
  CHECK(extra["lowest"].is_number_integer());
  CHECK(extra["lowest"].get<std::int64_t>() == INT64_MIN);
}

TEST_CASE("AWS session timestamps outside years 1..9999 are refused", "[proto][limits]") {
  v1::AuthorizeRequest r = base_request();
  v1::AwsSessionEvidence* session = r.mutable_identity()->mutable_aws_session();
  session->set_role_arn("arn:aws:iam::111122223333:role/r");
  session->mutable_issued_at()->set_seconds(1795780800);
  CHECK(from_proto(r).ok());
  session->mutable_expires_at()->set_seconds(INT64_MAX / 10);  // overflowed as milliseconds
  CHECK_THAT(from_proto(r).message(), ContainsSubstring("not a valid timestamp"));
  session->mutable_expires_at()->set_seconds(1795784400);
  session->mutable_issued_at()->set_nanos(-1);
  CHECK_THAT(from_proto(r).message(), ContainsSubstring("not a valid timestamp"));
}

}  // namespace
}  // namespace crossgate::server
