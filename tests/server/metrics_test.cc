// The metrics library and its exposition text. (The daemon's whole /metrics output is also
// checked by the real promtool in an end-to-end test.)
#include "server/metrics/metrics.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <thread>
#include <vector>

namespace crossgate::metrics {
namespace {

using Catch::Matchers::ContainsSubstring;

TEST_CASE("counters and gauges render with their labels", "[metrics]") {
  Registry registry;
  Family<Counter>& decisions =
      registry.counter("crossgate_decisions_total", "Decisions made.", {"decision", "reason"});
  decisions.with({"DENY", "UNATTRIBUTED"}).inc();
  decisions.with({"DENY", "UNATTRIBUTED"}).inc(2);
  decisions.with({"ALLOW", ""}).inc();
  registry.gauge("crossgate_up", "Always 1.").with({}).set(1);
  std::string text = registry.render();
  CHECK_THAT(text, ContainsSubstring("# HELP crossgate_decisions_total Decisions made.\n"
                                     "# TYPE crossgate_decisions_total counter\n"));
  CHECK_THAT(text, ContainsSubstring(
                       "crossgate_decisions_total{decision=\"DENY\",reason=\"UNATTRIBUTED\"} 3\n"));
  CHECK_THAT(text,
             ContainsSubstring("crossgate_decisions_total{decision=\"ALLOW\",reason=\"\"} 1\n"));
  CHECK_THAT(text, ContainsSubstring("# TYPE crossgate_up gauge\ncrossgate_up 1\n"));
}

TEST_CASE("histograms are cumulative, with +Inf, sum and count", "[metrics]") {
  Registry registry;
  Histogram& h = registry.histogram("latency_seconds", "Latency.", {0.001, 0.01, 0.1}).with({});
  h.observe(0.0005);
  h.observe(0.001);  // on a bound: counted in that bucket (le)
  h.observe(0.05);
  h.observe(3);
  std::string text = registry.render();
  CHECK_THAT(text, ContainsSubstring("latency_seconds_bucket{le=\"0.001\"} 2\n"));
  CHECK_THAT(text, ContainsSubstring("latency_seconds_bucket{le=\"0.01\"} 2\n"));
  CHECK_THAT(text, ContainsSubstring("latency_seconds_bucket{le=\"0.1\"} 3\n"));
  CHECK_THAT(text, ContainsSubstring("latency_seconds_bucket{le=\"+Inf\"} 4\n"));
  CHECK_THAT(text, ContainsSubstring("latency_seconds_count 4\n"));
  CHECK_THAT(text, ContainsSubstring("latency_seconds_sum 3.0515"));
}

TEST_CASE("label values are escaped", "[metrics]") {
  Registry registry;
  registry.counter("c_total", "Help with \\ and\nnewline.", {"v"}).with({"a\"b\\c\nd"}).inc();
  std::string text = registry.render();
  CHECK_THAT(text, ContainsSubstring("c_total{v=\"a\\\"b\\\\c\\nd\"} 1"));
  CHECK_THAT(text, ContainsSubstring("# HELP c_total Help with \\\\ and\\nnewline."));
}

TEST_CASE("collectors refresh computed gauges before rendering", "[metrics]") {
  Registry registry;
  Gauge& age = registry.gauge("age_seconds", "Age.").with({});
  int calls = 0;
  registry.on_collect([&] { age.set(++calls * 10); });
  CHECK_THAT(registry.render(), ContainsSubstring("age_seconds 10\n"));
  CHECK_THAT(registry.render(), ContainsSubstring("age_seconds 20\n"));
}

TEST_CASE("concurrent updates are all counted", "[metrics]") {
  Registry registry;
  Counter& c = registry.counter("n_total", "N.").with({});
  Histogram& h = registry.histogram("h", "H.", {1.0}).with({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.observe(0.5);
      }
    });
  }
  for (std::thread& t : threads)
    t.join();
  CHECK(c.value() == 40000);
  CHECK(h.cumulative_counts().back() == 40000);
  CHECK(h.sum() == 20000.0);
}

}  // namespace
}  // namespace crossgate::metrics
