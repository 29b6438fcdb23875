// The validator's type lattice (see types.h). The rules follow Cedar's reference
// validator: strict mode has no width subtyping for records, no subtyping between entity
// types, and requires optionality of corresponding attributes to agree.
#include "policy/cedar/validator/types.h"

#include <algorithm>
#include <utility>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

bool same_names(const Type& a, const Type& b) {
  return a.entity_types() == b.entity_types();
}

bool attribute_is_subtype(const AttributeType& sub, const AttributeType& super, Mode mode) {
  // An optional attribute may be missing, so it can only stand for a required one when
  // permissive; strict mode wants the qualifiers to agree exactly.
  bool qualifier_ok =
      mode == Mode::kStrict ? sub.required == super.required : sub.required || !super.required;
  return qualifier_ok && is_subtype(*sub.type, *super.type, mode);
}

// Every attribute of `super` is in `sub` with a subtype (width subtyping allowed).
bool attributes_are_subtype(const Attributes& sub, const Attributes& super, Mode mode) {
  for (const auto& [name, super_attr] : super) {
    auto it = sub.find(name);
    if (it == sub.end() || !attribute_is_subtype(it->second, super_attr, mode)) return false;
  }
  return true;
}

bool same_attribute_names(const Attributes& a, const Attributes& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first) return false;
  }
  return true;
}

std::optional<AttributeType> attribute_lub(const AttributeType& a, const AttributeType& b,
                                           Mode mode, LubFailure* why) {
  std::optional<Type> lub = least_upper_bound(*a.type, *b.type, mode, why);
  if (!lub) return std::nullopt;
  if (mode == Mode::kStrict && a.required != b.required) {
    if (why != nullptr) *why = LubFailure::kAttributeQualifier;
    return std::nullopt;
  }
  return AttributeType{std::make_shared<const Type>(std::move(*lub)), a.required && b.required};
}

std::optional<Attributes> attributes_lub(const Attributes& a, const Attributes& b, Mode mode,
                                         LubFailure* why) {
  if (mode == Mode::kStrict && !same_attribute_names(a, b)) {
    if (why != nullptr) *why = LubFailure::kRecordWidth;
    return std::nullopt;
  }
  Attributes out;
  for (const auto& [name, attr] : a) {
    auto it = b.find(name);
    if (it == b.end()) continue;  // permissive: only the common attributes remain
    std::optional<AttributeType> lub = attribute_lub(attr, it->second, mode, why);
    if (!lub) {
      if (mode == Mode::kStrict) return std::nullopt;
      continue;
    }
    out.emplace(name, std::move(*lub));
  }
  return out;
}

void append_type(std::string& out, const Type& type);

void append_type(std::string& out, const Type& type) {
  switch (type.kind()) {
    case Type::Kind::kNever: out += "__cedar::internal::Never"; return;
    case Type::Kind::kBool:
      switch (type.bool_type()) {
        case BoolType::kAnyBool: out += "Bool"; return;
        case BoolType::kTrue: out += "__cedar::internal::True"; return;
        case BoolType::kFalse: out += "__cedar::internal::False"; return;
      }
      return;
    case Type::Kind::kLong: out += "Long"; return;
    case Type::Kind::kString: out += "String"; return;
    case Type::Kind::kAnyEntity: out += "__cedar::internal::AnyEntity"; return;
    case Type::Kind::kEntity:
      if (const std::string* single = type.single_entity()) {
        out += *single;
      } else {
        out += "__cedar::internal::Union<";
        bool first = true;
        for (const std::string& name : type.entity_types()) {
          if (!first) out += ", ";
          first = false;
          out += name;
        }
        out += '>';
      }
      return;
    case Type::Kind::kSet:
      out += "Set<";
      if (type.element() != nullptr) {
        append_type(out, *type.element());
      } else {
        out += "__cedar::internal::Any";
      }
      out += '>';
      return;
    case Type::Kind::kRecord: {
      // Exactly as the reference prints it: names unquoted, each entry followed by `,`.
      if (type.open()) out += "__cedar::internal::OpenRecord";
      out += '{';
      for (const auto& [name, attr] : type.attributes()) {
        out += name;
        out += attr.required ? ": " : "?: ";
        append_type(out, *attr.type);
        out += ',';
      }
      out += '}';
      return;
    }
    case Type::Kind::kExtension: out += type.extension_name(); return;
  }
}

}  // namespace

Type Type::boolean(BoolType b) {
  Type t;
  t.kind_ = Kind::kBool;
  t.bool_ = b;
  return t;
}

Type Type::long_type() {
  Type t;
  t.kind_ = Kind::kLong;
  return t;
}

Type Type::string_type() {
  Type t;
  t.kind_ = Kind::kString;
  return t;
}

Type Type::entity(std::string name) {
  Type t;
  t.kind_ = Kind::kEntity;
  t.names_ = std::make_shared<const std::vector<std::string>>(1, std::move(name));
  return t;
}

Type Type::entity_union(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  Type t;
  t.kind_ = Kind::kEntity;
  t.names_ = std::make_shared<const std::vector<std::string>>(std::move(names));
  return t;
}

Type Type::any_entity() {
  Type t;
  t.kind_ = Kind::kAnyEntity;
  return t;
}

Type Type::set(Type element) {
  Type t;
  t.kind_ = Kind::kSet;
  t.element_ = std::make_shared<const Type>(std::move(element));
  return t;
}

Type Type::any_set() {
  Type t;
  t.kind_ = Kind::kSet;
  return t;
}

Type Type::record(Attributes attributes, bool open) {
  Type t;
  t.kind_ = Kind::kRecord;
  t.open_ = open;
  t.attributes_ = std::make_shared<const Attributes>(std::move(attributes));
  return t;
}

Type Type::any_record() {
  return record({}, /*open=*/true);
}

Type Type::extension(std::string name) {
  Type t;
  t.kind_ = Kind::kExtension;
  t.names_ = std::make_shared<const std::vector<std::string>>(1, std::move(name));
  return t;
}

const std::string* Type::single_entity() const {
  if (kind_ != Kind::kEntity || names_->size() != 1) return nullptr;
  return &names_->front();
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Type::Kind::kNever:
    case Type::Kind::kLong:
    case Type::Kind::kString:
    case Type::Kind::kAnyEntity: return true;
    case Type::Kind::kBool: return a.bool_ == b.bool_;
    case Type::Kind::kEntity:
    case Type::Kind::kExtension: return *a.names_ == *b.names_;
    case Type::Kind::kSet:
      if (a.element_ == nullptr || b.element_ == nullptr) return a.element_ == b.element_;
      return *a.element_ == *b.element_;
    case Type::Kind::kRecord: {
      if (a.open_ != b.open_ || a.attributes_->size() != b.attributes_->size()) return false;
      for (auto ia = a.attributes_->begin(), ib = b.attributes_->begin();
           ia != a.attributes_->end(); ++ia, ++ib) {
        if (ia->first != ib->first || ia->second.required != ib->second.required ||
            !(*ia->second.type == *ib->second.type)) {
          return false;
        }
      }
      return true;
    }
  }
  return false;
}

bool is_subtype(const Type& sub, const Type& super, Mode mode) {
  using Kind = Type::Kind;
  if (sub.is(Kind::kNever)) return true;
  switch (sub.kind()) {
    case Kind::kBool:
      return super.is(Kind::kBool) &&
             (super.bool_type() == BoolType::kAnyBool || super.bool_type() == sub.bool_type());
    case Kind::kLong:
    case Kind::kString: return super.kind() == sub.kind();
    case Kind::kSet:
      if (!super.is(Kind::kSet)) return false;
      if (super.element() == nullptr) return true;
      if (sub.element() == nullptr) return false;
      return is_subtype(*sub.element(), *super.element(), mode);
    case Kind::kRecord:
      if (!super.is(Kind::kRecord)) return false;
      // An open record may hold attributes a closed one may not.
      if (sub.open() && !super.open()) return false;
      // Width subtyping only towards an open record and only when permissive; otherwise
      // the attribute names must match exactly (depth subtyping).
      if (super.open() && mode == Mode::kPermissive &&
          attributes_are_subtype(sub.attributes(), super.attributes(), mode)) {
        return true;
      }
      return same_attribute_names(sub.attributes(), super.attributes()) &&
             attributes_are_subtype(sub.attributes(), super.attributes(), mode);
    case Kind::kEntity:
      if (super.is(Kind::kAnyEntity)) return mode == Mode::kPermissive;
      if (!super.is(Kind::kEntity)) return false;
      if (mode == Mode::kStrict) return same_names(sub, super);
      return std::includes(super.entity_types().begin(), super.entity_types().end(),
                           sub.entity_types().begin(), sub.entity_types().end());
    case Kind::kAnyEntity: return super.is(Kind::kAnyEntity);
    case Kind::kExtension:
      return super.is(Kind::kExtension) && super.extension_name() == sub.extension_name();
    case Kind::kNever: return true;
  }
  return false;
}

std::optional<Type> least_upper_bound(const Type& a, const Type& b, Mode mode, LubFailure* why) {
  using Kind = Type::Kind;
  if (why != nullptr) *why = LubFailure::kNone;
  if (is_subtype(a, b, mode)) return b;
  if (is_subtype(b, a, mode)) return a;
  if (a.is(Kind::kBool) && b.is(Kind::kBool)) return Type::boolean();
  if (a.is(Kind::kSet) && b.is(Kind::kSet)) {
    if (a.element() == nullptr || b.element() == nullptr) return Type::any_set();
    std::optional<Type> element = least_upper_bound(*a.element(), *b.element(), mode, why);
    if (!element) return std::nullopt;
    return Type::set(std::move(*element));
  }
  if (a.is(Kind::kRecord) && b.is(Kind::kRecord)) {
    std::optional<Attributes> attrs = attributes_lub(a.attributes(), b.attributes(), mode, why);
    if (!attrs) return std::nullopt;
    // The bound is closed only when it kept every attribute of both sides.
    bool kept_all = attrs->size() == a.attributes().size() &&
                    attrs->size() == b.attributes().size() &&
                    same_attribute_names(*attrs, a.attributes());
    bool open = a.open() || b.open() || !kept_all;
    return Type::record(std::move(*attrs), open);
  }
  bool a_entity = a.is(Kind::kEntity) || a.is(Kind::kAnyEntity);
  bool b_entity = b.is(Kind::kEntity) || b.is(Kind::kAnyEntity);
  if (a_entity && b_entity) {
    if (mode == Mode::kStrict) {
      if (why != nullptr) *why = LubFailure::kEntityType;
      return std::nullopt;
    }
    if (a.is(Kind::kEntity) && b.is(Kind::kEntity)) {
      std::vector<std::string> names = a.entity_types();
      names.insert(names.end(), b.entity_types().begin(), b.entity_types().end());
      return Type::entity_union(std::move(names));
    }
    return Type::any_entity();
  }
  if ((a_entity && b.is(Kind::kRecord)) || (a.is(Kind::kRecord) && b_entity)) {
    if (why != nullptr) *why = LubFailure::kEntityRecord;
    return std::nullopt;
  }
  return std::nullopt;
}

bool are_disjoint(const Type& a, const Type& b) {
  if (!a.is(Type::Kind::kEntity) || !b.is(Type::Kind::kEntity)) return false;
  for (const std::string& name : a.entity_types()) {
    if (std::binary_search(b.entity_types().begin(), b.entity_types().end(), name)) return false;
  }
  return true;
}

std::string to_string(const Type& type) {
  std::string out;
  append_type(out, type);
  return out;
}

int compare(const Type& a, const Type& b) {
  auto rank = [](const Type& t) {
    switch (t.kind()) {
      case Type::Kind::kNever: return 0;
      case Type::Kind::kBool: return 1;
      case Type::Kind::kLong: return 2;
      case Type::Kind::kString: return 3;
      case Type::Kind::kAnyEntity: return 4;
      case Type::Kind::kEntity: return 5;
      case Type::Kind::kSet: return 6;
      case Type::Kind::kRecord: return 7;
      case Type::Kind::kExtension: return 8;
    }
    return 9;
  };
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (int by_kind = three_way(rank(a), rank(b)); by_kind != 0) return by_kind;
  switch (a.kind()) {
    case Type::Kind::kBool:
      return three_way(static_cast<int>(a.bool_type()), static_cast<int>(b.bool_type()));
    case Type::Kind::kEntity: return three_way(a.entity_types(), b.entity_types());
    case Type::Kind::kExtension: return three_way(a.extension_name(), b.extension_name());
    case Type::Kind::kSet:
      if (a.element() == nullptr || b.element() == nullptr) {
        return three_way(a.element() != nullptr, b.element() != nullptr);
      }
      return compare(*a.element(), *b.element());
    case Type::Kind::kRecord: {
      auto ia = a.attributes().begin();
      auto ib = b.attributes().begin();
      for (; ia != a.attributes().end() && ib != b.attributes().end(); ++ia, ++ib) {
        if (int c = three_way(ia->first, ib->first); c != 0) return c;
        if (int c = compare(*ia->second.type, *ib->second.type); c != 0) return c;
        if (int c = three_way(ia->second.required, ib->second.required); c != 0) return c;
      }
      if (int c = three_way(ia != a.attributes().end(), ib != b.attributes().end()); c != 0) {
        return c;
      }
      // Open records come first, as in the reference.
      return three_way(!a.open(), !b.open());
    }
    default: return 0;
  }
}

std::string_view to_string(LubFailure why) {
  switch (why) {
    case LubFailure::kAttributeQualifier:
      return "Corresponding attributes of compatible record types must have the same "
             "optionality, either both being required or both being optional";
    case LubFailure::kRecordWidth:
      return "Compatible record types must have exactly the same attributes";
    case LubFailure::kEntityType:
      return "Different entity types are never compatible even when their attributes would be "
             "compatible";
    case LubFailure::kEntityRecord:
      return "Entity and record types are never compatible even when their attributes would be "
             "compatible";
    case LubFailure::kNone: return "Types must be exactly equal to be compatible";
  }
  return "";
}

Type from_schema_type(const SchemaType& type) {
  switch (type.kind) {
    case SchemaType::Kind::kBool: return Type::boolean();
    case SchemaType::Kind::kLong: return Type::long_type();
    case SchemaType::Kind::kString: return Type::string_type();
    case SchemaType::Kind::kEntity: return Type::entity(type.name);
    case SchemaType::Kind::kExtension: return Type::extension(type.name);
    case SchemaType::Kind::kSet:
      return type.element ? Type::set(from_schema_type(*type.element)) : Type::any_set();
    case SchemaType::Kind::kRecord: {
      Attributes attributes;
      for (const auto& [name, attr] : type.attributes) {
        Type attr_type = attr.type ? from_schema_type(*attr.type) : Type::never();
        attributes.emplace(
            name, AttributeType{std::make_shared<const Type>(std::move(attr_type)), attr.required});
      }
      return Type::record(std::move(attributes));
    }
  }
  return Type::never();
}

}  // namespace crossgate::cedar::validator
