// Cedar's `datetime` and `duration` extension types, both counted in milliseconds.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crossgate::cedar::ext {

struct Datetime {
  std::int64_t millis_since_epoch = 0;  // UTC
  friend auto operator<=>(const Datetime&, const Datetime&) = default;
};

struct Duration {
  std::int64_t millis = 0;
  friend auto operator<=>(const Duration&, const Duration&) = default;
};

// "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ", "YYYY-MM-DDThh:mm:ss.SSSZ",
// "YYYY-MM-DDThh:mm:ss(+|-)hhmm", "YYYY-MM-DDThh:mm:ss.SSS(+|-)hhmm"; the offset is
// normalised to UTC. Invalid calendar dates, leap seconds and overflow are refused.
std::optional<Datetime> parse_datetime(std::string_view text);

// A sequence of quantity-unit pairs in the order d, h, m, s, ms, each unit at most once,
// with an optional leading '-', e.g. "1d2h", "-30m", "500ms". Overflow is refused.
std::optional<Duration> parse_duration(std::string_view text);

std::optional<Datetime> offset(Datetime at, Duration by);             // none on overflow
std::optional<Duration> duration_since(Datetime at, Datetime since);  // none on overflow
std::optional<Datetime> to_date(Datetime at);  // midnight UTC of that day; none on overflow
Duration to_time(Datetime at);                 // time since that midnight, always >= 0

// Truncating divisions, as Cedar defines them.
std::int64_t to_milliseconds(Duration d);
std::int64_t to_seconds(Duration d);
std::int64_t to_minutes(Duration d);
std::int64_t to_hours(Duration d);
std::int64_t to_days(Duration d);

// Canonical texts: "2024-10-15T11:35:00.000Z" and e.g. "1d2h3m4s5ms" ("0ms" for zero).
std::string to_string(Datetime value);
std::string to_string(Duration value);

}  // namespace crossgate::cedar::ext
