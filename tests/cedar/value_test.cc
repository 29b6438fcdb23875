#include "policy/cedar/value/value.h"

#include <catch2/catch_test_macros.hpp>
#include <vector>

namespace crossgate::cedar {
namespace {

TEST_CASE("sets are canonical: sorted and without duplicates", "[value]") {
  Arena arena;
  std::vector<Value> a{Value::integer(3), Value::integer(1), Value::integer(3),
                       Value::make_string(arena, "x")};
  std::vector<Value> b{Value::make_string(arena, "x"), Value::integer(1), Value::integer(3)};
  Value set_a = Value::make_set(arena, a);
  Value set_b = Value::make_set(arena, b);
  CHECK(set_a.as_set().size() == 3);
  CHECK(set_a == set_b);
  CHECK(set_a.set_contains(Value::integer(1)));
  CHECK_FALSE(set_a.set_contains(Value::integer(2)));
}

TEST_CASE("values of different kinds are never equal", "[value]") {
  Arena arena;
  CHECK_FALSE(Value::integer(1) == Value::boolean(true));
  CHECK_FALSE(Value::make_string(arena, "1") == Value::integer(1));
  CHECK(Value::integer(-7) == Value::integer(-7));
}

TEST_CASE("records keep the last of duplicate keys and look fields up", "[value]") {
  Arena arena;
  std::vector<RecordField> fields{
      {"b", Value::integer(1)}, {"a", Value::integer(2)}, {"b", Value::integer(3)}};
  Value record = Value::make_record(arena, fields);
  REQUIRE(record.as_record().size() == 2);
  REQUIRE(record.find_field("b") != nullptr);
  CHECK(record.find_field("b")->as_long() == 3);
  CHECK(record.find_field("c") == nullptr);
  CHECK(to_string(record) == "{\"a\": 2, \"b\": 3}");
}

TEST_CASE("entity uids compare by type and id and print escaped", "[value]") {
  Arena arena;
  const EntityUid* a = EntityUid::make(arena, "User", "al\"ice");
  const EntityUid* b = EntityUid::make(arena, "User", "al\"ice");
  const EntityUid* c = EntityUid::make(arena, "Group", "al\"ice");
  CHECK(*a == *b);
  CHECK_FALSE(*a == *c);
  CHECK(to_string(*a) == "User::\"al\\\"ice\"");
}

TEST_CASE("the arena reuses its block after reset", "[value]") {
  Arena arena(64);
  for (int i = 0; i < 100; ++i)
    arena.copy("0123456789abcdef");
  std::size_t reserved = arena.bytes_reserved();
  arena.reset();
  for (int i = 0; i < 10; ++i)
    arena.copy("0123456789abcdef");
  CHECK(arena.bytes_reserved() <= reserved);
}

}  // namespace
}  // namespace crossgate::cedar
