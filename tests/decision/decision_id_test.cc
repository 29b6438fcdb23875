// Decision ids: ULIDs that sort by time, fit an STS session name, and never repeat, also
// when many threads decide at once (each draws its random bytes from its own block).
#include "policy/decision/decision_id.h"

#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using crossgate::decision::new_decision_id;

namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The 48-bit millisecond time in the first ten digits.
std::int64_t time_of(const std::string& id) {
  std::int64_t t = 0;
  for (std::size_t i = 0; i < 10; ++i)
    t = t * 32 + static_cast<std::int64_t>(kCrockford.find(id[i]));
  return t;
}

}  // namespace

TEST_CASE("decision ids are 26 Crockford base32 digits carrying the time") {
  const std::int64_t now = 1795818000123;
  const std::string id = new_decision_id(now);
  REQUIRE(id.size() == 26);
  CHECK(id.find_first_not_of(kCrockford) == std::string::npos);
  CHECK(time_of(id) == now);
  // Sorting by id sorts by time.
  CHECK(new_decision_id(now) < new_decision_id(now + 1));
}

TEST_CASE("decision ids never repeat, in one thread or across threads") {
  constexpr std::int64_t kNow = 1795818000123;  // one millisecond: only the random part differs
  std::set<std::string> ids;
  for (int i = 0; i < 20000; ++i)
    ids.insert(new_decision_id(kNow));
  CHECK(ids.size() == 20000);

  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread)
    threads.emplace_back([&out] {
      for (int i = 0; i < 5000; ++i)
        out.push_back(new_decision_id(kNow));
    });
  for (auto& t : threads)
    t.join();
  for (const auto& out : per_thread)
    ids.insert(out.begin(), out.end());
  CHECK(ids.size() == 40000);
}
