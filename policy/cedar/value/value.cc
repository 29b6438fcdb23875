#include "policy/cedar/value/value.h"

#include <algorithm>
#include <cstdio>

namespace crossgate::cedar {
namespace {

std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

std::uint64_t hash_bytes(std::string_view text, std::uint64_t seed) {
  std::uint64_t h = seed ^ 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix(h);
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_entities(const EntityUid& a, const EntityUid& b) {
  if (int c = a.type.compare(b.type); c != 0) return c < 0 ? -1 : 1;
  int c = a.id.compare(b.id);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::uint64_t EntityUid::hash_of(std::string_view type, std::string_view id) {
  return hash_bytes(id, hash_bytes(type, 0x9e3779b97f4a7c15ULL));
}

const EntityUid* EntityUid::make(Arena& arena, std::string_view type, std::string_view id) {
  std::string_view owned_type = arena.copy(type);
  std::string_view owned_id = arena.copy(id);
  return arena.make<EntityUid>(EntityUid{owned_type, owned_id, hash_of(type, id)});
}

void append_escaped(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buffer[12];
          std::snprintf(buffer, sizeof buffer, "\\u{%x}", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  append_escaped(out, text);
  out += '"';
  return out;
}

std::string to_string(const EntityUid& uid) {
  std::string out(uid.type);
  out += "::\"";
  append_escaped(out, uid.id);
  out += '"';
  return out;
}

std::string_view kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool: return "bool";
    case ValueKind::kLong: return "long";
    case ValueKind::kString: return "string";
    case ValueKind::kEntity: return "entity";
    case ValueKind::kSet: return "set";
    case ValueKind::kRecord: return "record";
    case ValueKind::kDecimal: return "decimal";
    case ValueKind::kIpAddr: return "ipaddr";
    case ValueKind::kDatetime: return "datetime";
    case ValueKind::kDuration: return "duration";
  }
  return "unknown";
}

Value Value::make_set(Arena& arena, std::span<Value> elements) {
  std::sort(elements.begin(), elements.end(),
            [](const Value& a, const Value& b) { return compare(a, b) < 0; });
  auto end = std::unique(elements.begin(), elements.end());
  std::size_t count = static_cast<std::size_t>(end - elements.begin());
  std::span<Value> stored = arena.make_array<Value>(count);
  std::copy(elements.begin(), end, stored.begin());
  Value v(ValueKind::kSet);
  v.size_ = static_cast<std::uint32_t>(count);
  v.elements_ = stored.data();
  return v;
}

Value Value::make_record(Arena& arena, std::span<RecordField> fields) {
  // Stable, so that among equal keys the last one stays last and wins below. Records built
  // per request are small: an insertion sort (stable too) spares stable_sort's buffer.
  auto by_name = [](const RecordField& a, const RecordField& b) { return a.name < b.name; };
  if (fields.size() <= 32) {
    for (std::size_t i = 1; i < fields.size(); ++i) {
      RecordField moving = fields[i];
      std::size_t j = i;
      for (; j > 0 && by_name(moving, fields[j - 1]); --j)
        fields[j] = fields[j - 1];
      fields[j] = moving;
    }
  } else {
    std::stable_sort(fields.begin(), fields.end(), by_name);
  }
  std::size_t count = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i + 1 < fields.size() && fields[i + 1].name == fields[i].name) continue;
    fields[count++] = fields[i];
  }
  std::span<RecordField> stored = arena.make_array<RecordField>(count);
  std::copy(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(count), stored.begin());
  Value v(ValueKind::kRecord);
  v.size_ = static_cast<std::uint32_t>(count);
  v.fields_ = stored.data();
  return v;
}

const Value* Value::find_field(std::string_view name) const {
  if (kind_ != ValueKind::kRecord) return nullptr;
  const RecordField* first = fields_;
  const RecordField* last = fields_ + size_;
  if (size_ <= 8) {
    for (const RecordField* f = first; f != last; ++f) {
      if (f->name == name) return &f->value;
    }
    return nullptr;
  }
  const RecordField* it = std::lower_bound(
      first, last, name, [](const RecordField& f, std::string_view n) { return f.name < n; });
  return (it != last && it->name == name) ? &it->value : nullptr;
}

bool Value::set_contains(const Value& element) const {
  if (kind_ != ValueKind::kSet) return false;
  std::span<const Value> elements = as_set();
  if (elements.size() <= 8) {
    for (const Value& e : elements) {
      if (e == element) return true;
    }
    return false;
  }
  auto it = std::lower_bound(elements.begin(), elements.end(), element,
                             [](const Value& a, const Value& b) { return compare(a, b) < 0; });
  return it != elements.end() && *it == element;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::kBool:
    case ValueKind::kLong:
    case ValueKind::kDecimal:
    case ValueKind::kDatetime:
    case ValueKind::kDuration: return a.as_long() == b.as_long();
    case ValueKind::kString: return a.as_string() == b.as_string();
    case ValueKind::kEntity: return a.as_entity() == b.as_entity();
    case ValueKind::kIpAddr: return a.as_ipaddr() == b.as_ipaddr();
    case ValueKind::kSet: {
      std::span<const Value> x = a.as_set(), y = b.as_set();
      return std::equal(x.begin(), x.end(), y.begin(), y.end());
    }
    case ValueKind::kRecord: {
      std::span<const RecordField> x = a.as_record(), y = b.as_record();
      return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                        [](const RecordField& f, const RecordField& g) {
                          return f.name == g.name && f.value == g.value;
                        });
    }
  }
  return false;
}

int compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return three_way(a.kind(), b.kind());
  switch (a.kind()) {
    case ValueKind::kBool:
    case ValueKind::kLong:
    case ValueKind::kDecimal:
    case ValueKind::kDatetime:
    case ValueKind::kDuration: return three_way(a.as_long(), b.as_long());
    case ValueKind::kString: {
      int c = a.as_string().compare(b.as_string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueKind::kEntity: return compare_entities(a.as_entity(), b.as_entity());
    case ValueKind::kIpAddr: return ext::compare(a.as_ipaddr(), b.as_ipaddr());
    case ValueKind::kSet: {
      std::span<const Value> x = a.as_set(), y = b.as_set();
      for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int c = compare(x[i], y[i]); c != 0) return c;
      }
      return three_way(x.size(), y.size());
    }
    case ValueKind::kRecord: {
      std::span<const RecordField> x = a.as_record(), y = b.as_record();
      for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int c = x[i].name.compare(y[i].name); c != 0) return c < 0 ? -1 : 1;
        if (int c = compare(x[i].value, y[i].value); c != 0) return c;
      }
      return three_way(x.size(), y.size());
    }
  }
  return 0;
}

std::string to_string(const Value& value) {
  std::string out;
  switch (value.kind()) {
    case ValueKind::kBool: return value.as_bool() ? "true" : "false";
    case ValueKind::kLong: return std::to_string(value.as_long());
    case ValueKind::kString:
      out = "\"";
      append_escaped(out, value.as_string());
      out += '"';
      return out;
    case ValueKind::kEntity: return to_string(value.as_entity());
    case ValueKind::kSet: {
      out = "[";
      bool first = true;
      for (const Value& e : value.as_set()) {
        if (!first) out += ", ";
        first = false;
        out += to_string(e);
      }
      return out + "]";
    }
    case ValueKind::kRecord: {
      out = "{";
      bool first = true;
      for (const RecordField& f : value.as_record()) {
        if (!first) out += ", ";
        first = false;
        out += '"';
        append_escaped(out, f.name);
        out += "\": " + to_string(f.value);
      }
      return out + "}";
    }
    case ValueKind::kDecimal: return "decimal(\"" + ext::to_string(value.as_decimal()) + "\")";
    case ValueKind::kIpAddr: return "ip(\"" + ext::to_string(value.as_ipaddr()) + "\")";
    case ValueKind::kDatetime: return "datetime(\"" + ext::to_string(value.as_datetime()) + "\")";
    case ValueKind::kDuration: return "duration(\"" + ext::to_string(value.as_duration()) + "\")";
  }
  return out;
}

}  // namespace crossgate::cedar
