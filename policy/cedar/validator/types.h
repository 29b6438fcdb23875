// The validator's types and their lattice: subtyping, least upper bounds, disjointness.
//
// Besides the types a schema can write, the lattice has the singleton booleans True and
// False (so that `false && e` or `principal is Other` can be known to be false and cut
// typechecking short), Never (the bottom, the element type of `[]`), AnyEntity (the type
// of an unlinked template slot) and open records (the top of records, used as an expected
// type). A Type is a cheap-to-copy value: nested parts are shared and immutable.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/schema/schema.h"

namespace crossgate::cedar::validator {

enum class BoolType : std::uint8_t { kAnyBool, kTrue, kFalse };

// Strict mode is what the validator checks; permissive subtyping is still needed where
// the reference uses it, e.g. to ask "is this some record?" of a non-empty record.
enum class Mode : std::uint8_t { kStrict, kPermissive };

// Why two types have no least upper bound, for the IncompatibleTypes message.
enum class LubFailure : std::uint8_t {
  kNone,                // not a case below: the types just differ
  kAttributeQualifier,  // an attribute required on one side and optional on the other
  kRecordWidth,         // records with different attribute names
  kEntityType,          // different entity types
  kEntityRecord,        // an entity and a record
};

class Type;

struct AttributeType {
  std::shared_ptr<const Type> type;
  bool required = true;
};

using Attributes = std::map<std::string, AttributeType, std::less<>>;

class Type {
 public:
  enum class Kind : std::uint8_t {
    kNever,
    kBool,
    kLong,
    kString,
    kEntity,     // one or more named entity types (more than one only outside strict mode)
    kAnyEntity,  // an entity of any type
    kSet,
    kRecord,
    kExtension,
  };

  Type() = default;  // Never

  static Type never() { return Type(); }
  static Type boolean(BoolType b = BoolType::kAnyBool);
  static Type singleton(bool value) { return boolean(value ? BoolType::kTrue : BoolType::kFalse); }
  static Type long_type();
  static Type string_type();
  static Type entity(std::string name);
  static Type entity_union(std::vector<std::string> names);  // sorted and deduplicated here
  static Type any_entity();
  static Type set(Type element);
  static Type any_set();  // a set of anything: only an expected type
  static Type record(Attributes attributes, bool open = false);
  static Type any_record();  // an open record without attributes: the top of records
  static Type extension(std::string name);

  Kind kind() const { return kind_; }
  bool is(Kind kind) const { return kind_ == kind; }
  BoolType bool_type() const { return bool_; }
  bool is_singleton(bool value) const {
    return kind_ == Kind::kBool && bool_ == (value ? BoolType::kTrue : BoolType::kFalse);
  }
  // kEntity: the entity types, sorted.
  const std::vector<std::string>& entity_types() const { return *names_; }
  // kEntity with exactly one entity type: its name; otherwise nullptr.
  const std::string* single_entity() const;
  // kSet: the element type, or nullptr for any_set().
  const Type* element() const { return element_.get(); }
  // kRecord
  const Attributes& attributes() const { return *attributes_; }
  bool open() const { return open_; }
  // kExtension: "ipaddr", "decimal", "datetime" or "duration".
  const std::string& extension_name() const { return names_->front(); }

  friend bool operator==(const Type& a, const Type& b);

 private:
  Kind kind_ = Kind::kNever;
  BoolType bool_ = BoolType::kAnyBool;
  bool open_ = false;
  std::shared_ptr<const std::vector<std::string>> names_;
  std::shared_ptr<const Type> element_;
  std::shared_ptr<const Attributes> attributes_;
};

bool is_subtype(const Type& sub, const Type& super, Mode mode);

// The least type both are subtypes of, if there is one; otherwise nullopt with the reason
// in `why` (when given).
std::optional<Type> least_upper_bound(const Type& a, const Type& b, Mode mode,
                                      LubFailure* why = nullptr);

// True when no value has both types. Conservative: only entity types are ever disjoint
// (two set types, for instance, share the empty set).
bool are_disjoint(const Type& a, const Type& b);

// The reference's spelling: "Bool", "Long", "Set<String>", "User", "{a: Long,b?: String,}",
// "__cedar::internal::True", ...
std::string to_string(const Type& type);

// A total order on types, the reference's (by kind: Never, Bool, Long, String, entities,
// sets, records, extensions; then by content), so that types are listed as it lists them.
int compare(const Type& a, const Type& b);
std::string_view to_string(LubFailure why);

// The validator type of a schema type: records are closed, booleans are Bool.
Type from_schema_type(const SchemaType& type);

}  // namespace crossgate::cedar::validator
