// The Cedar schema, resolved: every type reference is fully qualified and every common
// type is inlined, so that readers (entity and context parsing, the validator) never
// resolve names themselves.
//
// Schemas are written in the human-readable `.cedarschema` syntax or the JSON schema
// format; both are read through SchemaBuilder, which accepts several fragments (e.g. the
// built-in crossgate schema and a bundle's own) and resolves names across all of them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/cedar/common/source_location.h"

namespace crossgate::cedar {

struct SchemaType;
using SchemaTypePtr = std::shared_ptr<const SchemaType>;

struct SchemaAttribute {
  SchemaTypePtr type;
  bool required = true;
  std::map<std::string, std::string> annotations;
};

struct SchemaType {
  enum class Kind : unsigned char { kBool, kLong, kString, kEntity, kSet, kRecord, kExtension };
  Kind kind = Kind::kBool;
  // kEntity: the fully qualified entity type ("NS::User");
  // kExtension: "ipaddr", "decimal", "datetime" or "duration".
  std::string name;
  SchemaTypePtr element;                              // kSet
  std::map<std::string, SchemaAttribute> attributes;  // kRecord, sorted by name
};

// "Bool", "Long", "String", "Entity<NS::User>", "Set<Long>", "{a: Long, b?: String}", ...
std::string to_string(const SchemaType& type);

struct EntityTypeDecl {
  std::string name;                                  // fully qualified
  std::vector<std::string> parent_types;             // `in [...]` / memberOfTypes, fully qualified
  SchemaTypePtr shape;                               // always a record, possibly without attributes
  SchemaTypePtr tags;                                // nullptr when the type declares no tags
  std::optional<std::vector<std::string>> enum_ids;  // set for `enum [...]` types
  std::map<std::string, std::string> annotations;
  std::string source;  // the fragment it was declared in, for messages
  SourceLoc loc;
};

struct ActionRef {
  std::string type;  // fully qualified action entity type, e.g. "NS::Action"
  std::string id;
  friend bool operator==(const ActionRef&, const ActionRef&) = default;
};

struct ActionDecl {
  ActionRef uid;
  std::vector<ActionRef> parents;  // `in [...]` / memberOf
  // False when the action has no `appliesTo`: it applies to no principal or resource.
  bool has_applies_to = false;
  std::vector<std::string> principal_types;  // fully qualified
  std::vector<std::string> resource_types;   // fully qualified
  SchemaTypePtr context;                     // always a record, possibly empty
  std::map<std::string, std::string> annotations;
  std::string source;
  SourceLoc loc;
};

class Schema {
 public:
  const EntityTypeDecl* find_entity_type(std::string_view name) const;
  const ActionDecl* find_action(std::string_view type, std::string_view id) const;
  // True for "Action" and every "NS::Action" that declares at least one action.
  bool is_action_type(std::string_view type) const;

  const std::map<std::string, EntityTypeDecl, std::less<>>& entity_types() const {
    return entity_types_;
  }
  const std::vector<ActionDecl>& actions() const { return actions_; }

 private:
  friend class SchemaBuilder;
  std::map<std::string, EntityTypeDecl, std::less<>> entity_types_;
  std::vector<ActionDecl> actions_;
  std::map<std::string, std::size_t, std::less<>> action_index_;  // "type\x1fid" -> index
};

// Collects schema fragments and resolves them together. Each add_* call parses its
// fragment and reports syntax errors as "source:line:column: message"; build() reports
// resolution errors (unknown or ambiguous type names, duplicate declarations, cycles in
// common types, undeclared action parents) naming the declaration at fault.
class SchemaBuilder {
 public:
  SchemaBuilder();
  ~SchemaBuilder();
  SchemaBuilder(SchemaBuilder&&) noexcept;
  SchemaBuilder& operator=(SchemaBuilder&&) noexcept;

  Status add_cedarschema(std::string_view text, std::string_view source_name);
  Status add_json(std::string_view text, std::string_view source_name);
  Result<Schema> build() const;

  // Whether any fragment added so far declares the common type `name` (qualified, e.g.
  // "Extra" in the empty namespace or "NS::Extra"), so that a caller can supply a default
  // declaration only where none was written.
  bool declares_common_type(std::string_view name) const;

 private:
  struct Fragments;
  std::unique_ptr<Fragments> fragments_;
};

// Conveniences for a schema that is a single fragment.
Result<Schema> parse_cedarschema(std::string_view text, std::string_view source_name);
Result<Schema> parse_json_schema(std::string_view text, std::string_view source_name);

}  // namespace crossgate::cedar
