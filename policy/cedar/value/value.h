// Cedar values: booleans, longs, strings, entity references, sets, records and the four
// extension types.
//
// A Value is a 16-byte handle that is cheap to copy. Scalars are held inline; strings,
// entity uids, sets, records and IP addresses point into an Arena (arena.h) that the
// producer of the value owns and keeps alive for as long as the value is used. Sets are
// kept canonical (sorted by `compare`, without duplicates) and records sorted by key, so
// equality is a linear walk and lookups are binary searches.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "policy/cedar/extensions/datetime.h"
#include "policy/cedar/extensions/decimal.h"
#include "policy/cedar/extensions/ipaddr.h"
#include "policy/cedar/value/arena.h"

namespace crossgate::cedar {

// An entity reference such as `Bedrock::Account::"123456789012"`. Non-owning: both views
// point into an arena. The hash is computed once, when the uid is made.
struct EntityUid {
  std::string_view type;  // fully qualified entity type name, e.g. "Bedrock::Account"
  std::string_view id;
  std::uint64_t hash = 0;

  static std::uint64_t hash_of(std::string_view type, std::string_view id);
  // A uid whose views refer to `type` and `id` as given (the caller keeps them alive).
  static EntityUid view(std::string_view type, std::string_view id) {
    return EntityUid{type, id, hash_of(type, id)};
  }
  // A uid with its own copies of the strings in `arena`.
  static const EntityUid* make(Arena& arena, std::string_view type, std::string_view id);

  friend bool operator==(const EntityUid& a, const EntityUid& b) {
    return a.hash == b.hash && a.id == b.id && a.type == b.type;
  }
};

// Cedar's textual form, e.g. `User::"alice"` with the id escaped.
std::string to_string(const EntityUid& uid);

// Whether entities of this type are actions: `Action` or `Namespace::Action`.
inline bool is_action_entity_type(std::string_view type) {
  return type == "Action" || (type.size() > 8 && type.ends_with("::Action"));
}

enum class ValueKind : std::uint8_t {
  kBool,
  kLong,
  kString,
  kEntity,
  kSet,
  kRecord,
  kDecimal,
  kIpAddr,
  kDatetime,
  kDuration,
};

// "bool", "long", "string", "entity", "set", "record", "decimal", ...
std::string_view kind_name(ValueKind kind);

struct RecordField;

class Value {
 public:
  Value() : kind_(ValueKind::kBool), size_(0), long_(0) {}

  static Value boolean(bool b) {
    Value v(ValueKind::kBool);
    v.long_ = b ? 1 : 0;
    return v;
  }
  static Value integer(std::int64_t i) {
    Value v(ValueKind::kLong);
    v.long_ = i;
    return v;
  }
  // `text` must outlive the value (arena-owned or a static string).
  static Value string(std::string_view text) {
    Value v(ValueKind::kString);
    v.size_ = static_cast<std::uint32_t>(text.size());
    v.chars_ = text.data();
    return v;
  }
  static Value entity(const EntityUid* uid) {
    Value v(ValueKind::kEntity);
    v.uid_ = uid;
    return v;
  }
  static Value decimal(ext::Decimal d) {
    Value v(ValueKind::kDecimal);
    v.long_ = d.scaled;
    return v;
  }
  static Value datetime(ext::Datetime d) {
    Value v(ValueKind::kDatetime);
    v.long_ = d.millis_since_epoch;
    return v;
  }
  static Value duration(ext::Duration d) {
    Value v(ValueKind::kDuration);
    v.long_ = d.millis;
    return v;
  }
  static Value ipaddr(const ext::IpAddr* ip) {
    Value v(ValueKind::kIpAddr);
    v.ip_ = ip;
    return v;
  }
  // Copies `elements` into `arena`, sorted and without duplicates. Reorders `elements`.
  static Value make_set(Arena& arena, std::span<Value> elements);
  // Copies `fields` into `arena`, sorted by key. Keys must be unique; when they are not,
  // the last field with a key wins (as in a JSON object).
  static Value make_record(Arena& arena, std::span<RecordField> fields);
  static Value empty_record() { return Value(ValueKind::kRecord); }
  // Copies `text` into `arena`.
  static Value make_string(Arena& arena, std::string_view text) { return string(arena.copy(text)); }

  ValueKind kind() const { return kind_; }
  bool is(ValueKind kind) const { return kind_ == kind; }

  bool as_bool() const { return long_ != 0; }
  std::int64_t as_long() const { return long_; }
  std::string_view as_string() const { return {chars_, size_}; }
  const EntityUid& as_entity() const { return *uid_; }
  std::span<const Value> as_set() const { return {elements_, size_}; }
  std::span<const RecordField> as_record() const;
  ext::Decimal as_decimal() const { return {long_}; }
  ext::Datetime as_datetime() const { return {long_}; }
  ext::Duration as_duration() const { return {long_}; }
  const ext::IpAddr& as_ipaddr() const { return *ip_; }

  // Record field lookup; nullptr when absent or when this is not a record.
  const Value* find_field(std::string_view name) const;
  // Set membership (binary search over the canonical order).
  bool set_contains(const Value& element) const;

 private:
  explicit Value(ValueKind kind) : kind_(kind), size_(0), long_(0) {}

  ValueKind kind_;
  std::uint32_t size_;  // string length, or the element or field count
  union {
    std::int64_t long_;  // bool, long, decimal, datetime, duration
    const char* chars_;
    const EntityUid* uid_;
    const Value* elements_;
    const RecordField* fields_;
    const ext::IpAddr* ip_;
  };
};

struct RecordField {
  std::string_view name;
  Value value;
};

inline std::span<const RecordField> Value::as_record() const {
  return {fields_, size_};
}

// Structural equality, as Cedar's `==`: values of different kinds are unequal.
bool operator==(const Value& a, const Value& b);

// A total order over all values (kind first, then content), used for canonical sets.
int compare(const Value& a, const Value& b);

// Cedar's textual form: `true`, `-3`, `"a\"b"`, `User::"alice"`, `[1, 2]`, `{"a": 1}`,
// `decimal("1.5000")`, `ip("10.0.0.0/8")`, ...
std::string to_string(const Value& value);

// Writes `text` as a Cedar string literal body with the reference implementation's
// escaping (quotes, backslashes and control characters escaped).
void append_escaped(std::string& out, std::string_view text);

// `text` as a Cedar string literal, quotes included: "a\"b".
std::string quote(std::string_view text);

}  // namespace crossgate::cedar
