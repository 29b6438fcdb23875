// Cedar `datetime` and `duration`: parsing, arithmetic, conversions and printing.
//
// Reference: cedar-policy-core/src/extensions/datetime.rs (`parse_datetime`, `parse_duration`,
// `DateTime::{offset, duration_since, to_date, to_time}`, `Duration::to_*`), with
// cedar-lean/Cedar/Spec/Ext/Datetime.lean for `toDate`/`toTime` on negative values. Where the
// two could differ on a parsing edge, this file follows the Rust.
//
// Datetime texts (all digits ASCII, every field fixed width):
//   YYYY-MM-DD
//   YYYY-MM-DDThh:mm:ssZ            YYYY-MM-DDThh:mm:ss.SSSZ
//   YYYY-MM-DDThh:mm:ss(+|-)hhmm    YYYY-MM-DDThh:mm:ss.SSS(+|-)hhmm
// The date must exist in the proleptic Gregorian calendar (year 0000 is a leap year), hours
// are below 24, minutes and seconds below 60 (so no leap second "60"), and an offset's hours
// below 24 and minutes below 60. Years 0000-9999 with an offset of under a day always fit
// in an i64 of milliseconds, so parsing a datetime cannot overflow.
#include "policy/cedar/extensions/datetime.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace crossgate::cedar::ext {
namespace {

constexpr std::int64_t kMillisPerSecond = 1000;
constexpr std::int64_t kMillisPerMinute = 60 * kMillisPerSecond;
constexpr std::int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr std::int64_t kMillisPerDay = 24 * kMillisPerHour;

// Days in a 400-year Gregorian cycle, and from 0000-03-01 to 1970-01-01.
constexpr std::int64_t kDaysPerEra = 146'097;
constexpr std::int64_t kEpochShift = 719'468;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Consumes exactly `count` ASCII digits from the front of `text`.
std::optional<unsigned> take_digits(std::string_view& text, std::size_t count) {
  if (text.size() < count) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  text.remove_prefix(count);
  return value;
}

// Consumes `c` from the front of `text` if it is there.
bool take_char(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

bool is_leap_year(std::int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Floor division and the matching non-negative remainder (C++ division truncates).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  const std::int64_t r = a % b;
  return r < 0 ? r + b : r;
}

// Days since 1970-01-01 of a valid proleptic Gregorian date. Counting years from March
// puts the leap day last, so the day of the year no longer depends on the year.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  const std::int64_t march_year = month <= 2 ? year - 1 : year;
  const std::int64_t era = floor_div(march_year, 400);
  const std::int64_t year_of_era = march_year - era * 400;                 // [0, 399]
  const unsigned march_month = month > 2 ? month - 3 : month + 9;          // March is 0
  const std::int64_t day_of_year = (153 * march_month + 2) / 5 + day - 1;  // [0, 365]
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * kDaysPerEra + day_of_era - kEpochShift;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// The inverse of days_from_civil, for any day count an i64 of milliseconds can produce.
CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t shifted = days + kEpochShift;
  const std::int64_t era = floor_div(shifted, kDaysPerEra);
  const std::int64_t day_of_era = shifted - era * kDaysPerEra;  // [0, 146096]
  // Discounting the era's leap days first makes every year of it exactly 365 days long.
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t march_month = (5 * day_of_year + 2) / 153;
  const auto day = static_cast<unsigned>(day_of_year - (153 * march_month + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(march_month < 10 ? march_month + 3 : march_month - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Appends `value` with at least `width` digits, zero padded.
void append_padded(std::string& out, std::uint64_t value, std::size_t width) {
  const std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

// Duration units in the only order Cedar allows them, largest first.
struct DurationUnit {
  std::string_view suffix;
  std::uint64_t millis;
};
constexpr DurationUnit kDurationUnits[] = {
    {"d", kMillisPerDay},
    {"h", kMillisPerHour},
    {"m", kMillisPerMinute},
    {"s", kMillisPerSecond},
    {"ms", 1},
};
constexpr std::size_t kUnitCount = sizeof kDurationUnits / sizeof kDurationUnits[0];
constexpr std::size_t kMillisecondUnit = kUnitCount - 1;

// Consumes a unit suffix and returns its index in kDurationUnits. "m" is a prefix of "ms",
// so an 'm' followed by 's' is milliseconds (a minute count can't be followed by 's').
std::optional<std::size_t> take_unit(std::string_view& text) {
  if (text.starts_with(kDurationUnits[kMillisecondUnit].suffix)) {
    text.remove_prefix(kDurationUnits[kMillisecondUnit].suffix.size());
    return kMillisecondUnit;
  }
  for (std::size_t index = 0; index < kMillisecondUnit; ++index) {
    if (text.starts_with(kDurationUnits[index].suffix)) {
      text.remove_prefix(1);
      return index;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Datetime> parse_datetime(std::string_view text) {
  const std::optional<unsigned> year = take_digits(text, 4);
  if (!year || !take_char(text, '-')) return std::nullopt;
  const std::optional<unsigned> month = take_digits(text, 2);
  if (!month || !take_char(text, '-')) return std::nullopt;
  const std::optional<unsigned> day = take_digits(text, 2);
  if (!day) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) {
    return std::nullopt;
  }
  std::int64_t millis = days_from_civil(*year, *month, *day) * kMillisPerDay;
  if (text.empty()) return Datetime{millis};

  if (!take_char(text, 'T')) return std::nullopt;
  const std::optional<unsigned> hour = take_digits(text, 2);
  if (!hour || !take_char(text, ':')) return std::nullopt;
  const std::optional<unsigned> minute = take_digits(text, 2);
  if (!minute || !take_char(text, ':')) return std::nullopt;
  const std::optional<unsigned> second = take_digits(text, 2);
  if (!second) return std::nullopt;
  if (*hour >= 24 || *minute >= 60 || *second >= 60) return std::nullopt;
  millis += *hour * kMillisPerHour + *minute * kMillisPerMinute + *second * kMillisPerSecond;

  if (take_char(text, '.')) {
    const std::optional<unsigned> fraction = take_digits(text, 3);
    if (!fraction) return std::nullopt;
    millis += *fraction;
  }

  if (take_char(text, 'Z')) {
    if (!text.empty()) return std::nullopt;
    return Datetime{millis};
  }
  const bool ahead_of_utc = take_char(text, '+');
  if (!ahead_of_utc && !take_char(text, '-')) return std::nullopt;
  const std::optional<unsigned> offset_hours = take_digits(text, 2);
  const std::optional<unsigned> offset_minutes = take_digits(text, 2);
  if (!offset_hours || !offset_minutes || !text.empty()) return std::nullopt;
  if (*offset_hours >= 24 || *offset_minutes >= 60) return std::nullopt;
  // Local time = UTC + offset, so UTC = local time - offset.
  const std::int64_t offset = *offset_hours * kMillisPerHour + *offset_minutes * kMillisPerMinute;
  millis += ahead_of_utc ? -offset : offset;
  return Datetime{millis};
}

std::optional<Duration> parse_duration(std::string_view text) {
  const bool negative = take_char(text, '-');
  if (text.empty()) return std::nullopt;  // "" and "-"

  // Sum the magnitude; every part has the same sign, so the total fits iff the magnitude
  // does, which is what the Rust's step-by-step checked arithmetic amounts to.
  std::uint64_t magnitude = 0;
  std::size_t next_unit = 0;  // units must come in kDurationUnits order, each at most once
  while (!text.empty()) {
    std::uint64_t quantity = 0;
    std::size_t digit_count = 0;
    for (; digit_count < text.size() && is_digit(text[digit_count]); ++digit_count) {
      if (__builtin_mul_overflow(quantity, 10u, &quantity) ||
          __builtin_add_overflow(quantity, static_cast<unsigned>(text[digit_count] - '0'),
                                 &quantity)) {
        return std::nullopt;
      }
    }
    if (digit_count == 0) return std::nullopt;
    text.remove_prefix(digit_count);

    const std::optional<std::size_t> unit = take_unit(text);
    if (!unit || *unit < next_unit) return std::nullopt;
    next_unit = *unit + 1;
    std::uint64_t part = 0;
    if (__builtin_mul_overflow(quantity, kDurationUnits[*unit].millis, &part) ||
        __builtin_add_overflow(magnitude, part, &magnitude)) {
      return std::nullopt;
    }
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > (negative ? kMax + 1 : kMax)) return std::nullopt;
  // Unsigned negation then conversion is well defined (modular) and yields INT64_MIN for 2^63.
  return Duration{static_cast<std::int64_t>(negative ? 0 - magnitude : magnitude)};
}

std::optional<Datetime> offset(Datetime at, Duration by) {
  Datetime result;
  if (__builtin_add_overflow(at.millis_since_epoch, by.millis, &result.millis_since_epoch)) {
    return std::nullopt;
  }
  return result;
}

std::optional<Duration> duration_since(Datetime at, Datetime since) {
  Duration result;
  if (__builtin_sub_overflow(at.millis_since_epoch, since.millis_since_epoch, &result.millis)) {
    return std::nullopt;
  }
  return result;
}

// Lean: for a negative value not on a day boundary, (val / day - 1) * day with truncating
// division, i.e. the floor; it can fall below INT64_MIN, which is then refused.
std::optional<Datetime> to_date(Datetime at) {
  Datetime midnight;
  if (__builtin_sub_overflow(at.millis_since_epoch, floor_mod(at.millis_since_epoch, kMillisPerDay),
                             &midnight.millis_since_epoch)) {
    return std::nullopt;
  }
  return midnight;
}

// Lean: the truncating remainder, plus a day when it is negative.
Duration to_time(Datetime at) {
  return Duration{floor_mod(at.millis_since_epoch, kMillisPerDay)};
}

std::int64_t to_milliseconds(Duration d) {
  return d.millis;
}
std::int64_t to_seconds(Duration d) {
  return to_milliseconds(d) / 1000;
}
std::int64_t to_minutes(Duration d) {
  return to_seconds(d) / 60;
}
std::int64_t to_hours(Duration d) {
  return to_minutes(d) / 60;
}
std::int64_t to_days(Duration d) {
  return to_hours(d) / 24;
}

std::string to_string(Datetime value) {
  const std::int64_t days = floor_div(value.millis_since_epoch, kMillisPerDay);
  const auto time_of_day =
      static_cast<std::uint64_t>(floor_mod(value.millis_since_epoch, kMillisPerDay));
  const CivilDate date = civil_from_days(days);
  std::string out;
  // Years outside 0000-9999 only arise from arithmetic; they get a sign (if negative) and as
  // many digits as they need.
  if (date.year < 0) out += '-';
  append_padded(out, static_cast<std::uint64_t>(date.year < 0 ? -date.year : date.year), 4);
  out += '-';
  append_padded(out, date.month, 2);
  out += '-';
  append_padded(out, date.day, 2);
  out += 'T';
  append_padded(out, time_of_day / kMillisPerHour, 2);
  out += ':';
  append_padded(out, time_of_day / kMillisPerMinute % 60, 2);
  out += ':';
  append_padded(out, time_of_day / kMillisPerSecond % 60, 2);
  out += '.';
  append_padded(out, time_of_day % kMillisPerSecond, 3);
  out += 'Z';
  return out;
}

std::string to_string(Duration value) {
  if (value.millis == 0) return "0ms";
  const auto raw = static_cast<std::uint64_t>(value.millis);
  std::uint64_t remaining = value.millis < 0 ? 0 - raw : raw;  // INT64_MIN-safe magnitude
  std::string out;
  if (value.millis < 0) out += '-';
  for (std::size_t i = 0; i < kUnitCount; ++i) {
    const std::uint64_t count = remaining / kDurationUnits[i].millis;
    remaining %= kDurationUnits[i].millis;
    if (count == 0) continue;
    out += std::to_string(count);
    out += kDurationUnits[i].suffix;
  }
  return out;
}

}  // namespace crossgate::cedar::ext
