// The parsed but unresolved form of a schema fragment: what the `.cedarschema` parser and
// the JSON schema parser both produce, and what the resolver turns into a Schema. Type
// and entity names are kept as written; each parser has already checked the syntax of
// its own format, the resolver checks everything that needs all fragments.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/cedar/common/source_location.h"

namespace crossgate::cedar::schema_ast {

// Types may nest (Set<...>, records) at most this deep, in either schema format and after
// common types are inlined, so that hostile input cannot exhaust the stack of the parsers,
// the resolver or the code that later walks the types.
inline constexpr int kMaxTypeDepth = 64;

using Annotations = std::map<std::string, std::string>;

// A name as written in the schema ("User", "NS::User", "__cedar::Long"), with the
// position of its first character (line 0 in JSON fragments, which carry no positions).
struct Name {
  std::string text;
  SourceLoc loc;
};

struct Type;
// Shared because one declaration may name several entity types or actions, which then
// share their shape or context.
using TypePtr = std::shared_ptr<const Type>;

struct Attribute {
  std::string name;
  TypePtr type;
  bool required = true;
  Annotations annotations;
  SourceLoc loc;
};

struct Type {
  enum class Kind : unsigned char {
    kBool,
    kLong,
    kString,
    kSet,
    kRecord,
    kEntity,          // JSON {"type": "Entity"}: must name an entity type
    kExtension,       // JSON {"type": "Extension"}: must name an extension type
    kEntityOrCommon,  // a bare name in `.cedarschema`, or JSON "EntityOrCommon"
    kCommon,          // JSON {"type": "X"} and `context: X`: must name a common type
  };
  Kind kind = Kind::kBool;
  Name name;                          // kEntity, kExtension, kEntityOrCommon, kCommon
  TypePtr element;                    // kSet
  std::vector<Attribute> attributes;  // kRecord; names are unique
  SourceLoc loc;
};

struct EntityType {
  Name name;  // the basename, declared in the enclosing namespace
  std::vector<Name> parents;
  TypePtr shape;  // nullptr: no attributes
  TypePtr tags;   // nullptr: no tags
  std::optional<std::vector<std::string>> enum_ids;
  Annotations annotations;
};

struct ActionRef {
  std::optional<Name> type;  // absent: `Action` of the enclosing namespace, or the empty one
  std::string id;
  SourceLoc loc;
};

struct Action {
  Name name;  // the action id, declared in the enclosing namespace's `Action` type
  std::vector<ActionRef> parents;
  bool has_applies_to = false;
  std::vector<Name> principal_types;
  std::vector<Name> resource_types;
  TypePtr context;  // nullptr: empty context
  Annotations annotations;
};

struct CommonType {
  Name name;  // the basename, declared in the enclosing namespace
  TypePtr type;
  Annotations annotations;
};

struct Namespace {
  std::string name;  // empty for the empty namespace
  SourceLoc loc;
  Annotations annotations;
  std::vector<EntityType> entity_types;
  std::vector<Action> actions;
  std::vector<CommonType> common_types;
};

struct Fragment {
  std::string source;  // file name or other label, for messages
  std::vector<Namespace> namespaces;
};

}  // namespace crossgate::cedar::schema_ast
