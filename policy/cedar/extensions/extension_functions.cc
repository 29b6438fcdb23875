#include "policy/cedar/extensions/extension_functions.h"

#include <array>

#include "policy/cedar/extensions/datetime.h"
#include "policy/cedar/extensions/decimal.h"
#include "policy/cedar/extensions/ipaddr.h"

namespace crossgate::cedar {
namespace {

bool type_error(EvalError& error, const Value& got, std::string_view expected) {
  error.kind = EvalErrorKind::kTypeError;
  error.subject = got;
  error.detail = expected;
  return false;
}

bool extension_error(EvalError& error, const Value& argument, std::string_view what) {
  error.kind = EvalErrorKind::kExtensionError;
  error.subject = argument;
  error.detail = what;
  return false;
}

bool make_ip(std::span<const Value> a, Arena& arena, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kString)) return type_error(error, a[0], "string");
  std::optional<ext::IpAddr> ip = ext::parse_ipaddr(a[0].as_string());
  if (!ip) return extension_error(error, a[0], "invalid IP address");
  out = Value::ipaddr(arena.make<ext::IpAddr>(*ip));
  return true;
}

bool make_decimal(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kString)) return type_error(error, a[0], "string");
  std::optional<ext::Decimal> d = ext::parse_decimal(a[0].as_string());
  if (!d) return extension_error(error, a[0], "invalid decimal value");
  out = Value::decimal(*d);
  return true;
}

bool make_datetime(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kString)) return type_error(error, a[0], "string");
  std::optional<ext::Datetime> d = ext::parse_datetime(a[0].as_string());
  if (!d) return extension_error(error, a[0], "invalid datetime value");
  out = Value::datetime(*d);
  return true;
}

bool make_duration(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kString)) return type_error(error, a[0], "string");
  std::optional<ext::Duration> d = ext::parse_duration(a[0].as_string());
  if (!d) return extension_error(error, a[0], "invalid duration value");
  out = Value::duration(*d);
  return true;
}

template <class Compare>
bool decimal_compare(std::span<const Value> a, Value& out, EvalError& error, Compare compare) {
  if (!a[0].is(ValueKind::kDecimal)) return type_error(error, a[0], "decimal");
  if (!a[1].is(ValueKind::kDecimal)) return type_error(error, a[1], "decimal");
  out = Value::boolean(compare(a[0].as_decimal(), a[1].as_decimal()));
  return true;
}

bool less_than(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return decimal_compare(a, out, error, [](ext::Decimal x, ext::Decimal y) { return x < y; });
}
bool less_than_or_equal(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return decimal_compare(a, out, error, [](ext::Decimal x, ext::Decimal y) { return x <= y; });
}
bool greater_than(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return decimal_compare(a, out, error, [](ext::Decimal x, ext::Decimal y) { return x > y; });
}
bool greater_than_or_equal(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return decimal_compare(a, out, error, [](ext::Decimal x, ext::Decimal y) { return x >= y; });
}

template <class Predicate>
bool ip_predicate(std::span<const Value> a, Value& out, EvalError& error, Predicate predicate) {
  if (!a[0].is(ValueKind::kIpAddr)) return type_error(error, a[0], "ipaddr");
  out = Value::boolean(predicate(a[0].as_ipaddr()));
  return true;
}

bool is_ipv4(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return ip_predicate(a, out, error, [](const ext::IpAddr& ip) { return !ip.is_v6; });
}
bool is_ipv6(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return ip_predicate(a, out, error, [](const ext::IpAddr& ip) { return ip.is_v6; });
}
bool is_loopback(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return ip_predicate(a, out, error, [](const ext::IpAddr& ip) { return ip.is_loopback(); });
}
bool is_multicast(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  return ip_predicate(a, out, error, [](const ext::IpAddr& ip) { return ip.is_multicast(); });
}
bool is_in_range(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kIpAddr)) return type_error(error, a[0], "ipaddr");
  if (!a[1].is(ValueKind::kIpAddr)) return type_error(error, a[1], "ipaddr");
  out = Value::boolean(a[0].as_ipaddr().is_in_range(a[1].as_ipaddr()));
  return true;
}

bool offset(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kDatetime)) return type_error(error, a[0], "datetime");
  if (!a[1].is(ValueKind::kDuration)) return type_error(error, a[1], "duration");
  std::optional<ext::Datetime> result = ext::offset(a[0].as_datetime(), a[1].as_duration());
  if (!result) return extension_error(error, a[0], "overflow while applying the offset");
  out = Value::datetime(*result);
  return true;
}

bool duration_since(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kDatetime)) return type_error(error, a[0], "datetime");
  if (!a[1].is(ValueKind::kDatetime)) return type_error(error, a[1], "datetime");
  std::optional<ext::Duration> result = ext::duration_since(a[0].as_datetime(), a[1].as_datetime());
  if (!result) return extension_error(error, a[0], "overflow while computing the duration");
  out = Value::duration(*result);
  return true;
}

bool to_date(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kDatetime)) return type_error(error, a[0], "datetime");
  std::optional<ext::Datetime> result = ext::to_date(a[0].as_datetime());
  if (!result) return extension_error(error, a[0], "overflow while computing the date");
  out = Value::datetime(*result);
  return true;
}

bool to_time(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kDatetime)) return type_error(error, a[0], "datetime");
  out = Value::duration(ext::to_time(a[0].as_datetime()));
  return true;
}

template <std::int64_t (*Convert)(ext::Duration)>
bool duration_to(std::span<const Value> a, Arena&, Value& out, EvalError& error) {
  if (!a[0].is(ValueKind::kDuration)) return type_error(error, a[0], "duration");
  out = Value::integer(Convert(a[0].as_duration()));
  return true;
}

constexpr std::array<ExtensionFunction, 22> kFunctions = {{
    {"ip", 1, false, make_ip},
    {"decimal", 1, false, make_decimal},
    {"datetime", 1, false, make_datetime},
    {"duration", 1, false, make_duration},
    {"lessThan", 2, true, less_than},
    {"lessThanOrEqual", 2, true, less_than_or_equal},
    {"greaterThan", 2, true, greater_than},
    {"greaterThanOrEqual", 2, true, greater_than_or_equal},
    {"isIpv4", 1, true, is_ipv4},
    {"isIpv6", 1, true, is_ipv6},
    {"isLoopback", 1, true, is_loopback},
    {"isMulticast", 1, true, is_multicast},
    {"isInRange", 2, true, is_in_range},
    {"offset", 2, true, offset},
    {"durationSince", 2, true, duration_since},
    {"toDate", 1, true, to_date},
    {"toTime", 1, true, to_time},
    {"toMilliseconds", 1, true, duration_to<ext::to_milliseconds>},
    {"toSeconds", 1, true, duration_to<ext::to_seconds>},
    {"toMinutes", 1, true, duration_to<ext::to_minutes>},
    {"toHours", 1, true, duration_to<ext::to_hours>},
    {"toDays", 1, true, duration_to<ext::to_days>},
}};

}  // namespace

const ExtensionFunction* find_extension_function(std::string_view name) {
  for (const ExtensionFunction& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool construct_extension_value(std::string_view constructor, std::string_view argument,
                               Arena& arena, Value& out) {
  const ExtensionFunction* f = find_extension_function(constructor);
  if (f == nullptr || f->is_method || f->arity != 1) return false;
  Value arg = Value::string(argument);
  EvalError ignored;
  return f->call(std::span<const Value>(&arg, 1), arena, out, ignored);
}

}  // namespace crossgate::cedar
