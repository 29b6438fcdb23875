// Cedar's JSON encoding of values, both ways.
//
// Reading: booleans, integers, strings, arrays (sets), objects (records), and the escapes
// `{"__entity": {"type": T, "id": I}}` and `{"__extn": {"fn": F, "arg": A}}` (or
// `"args": [...]` for functions of several arguments). With a schema type to guide it,
// the escapes may be left out, as the reference allows: `{"type": T, "id": I}` where an
// entity is expected, and a plain constructor argument (e.g. "10.0.0.1") or
// `{"fn": F, "arg": A}` where an extension value is expected; records are then checked
// against their declared attributes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "policy/cedar/schema/schema.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

class JsonValueReader {
 public:
  // Values are allocated in `arena`. `schema` (may be null) resolves entity types for
  // the conformance checks of schema-based reading.
  JsonValueReader(Arena& arena, const Schema* schema) : arena_(arena), schema_(schema) {}

  // `expected` may be null (no type information). On failure returns false and sets
  // `error` to a message that starts with the path inside `json` at fault, if any.
  bool read(const nlohmann::json& json, const SchemaType* expected, Value& out, std::string& error);

  // An entity uid written `{"type": T, "id": I}` or `{"__entity": {...}}`.
  bool read_uid(const nlohmann::json& json, const EntityUid*& out, std::string& error);

  // Checks an entity reference against the schema: its type is declared (or is an
  // action type declaring this action) and, for enum types, the id is one of the values.
  bool check_uid_declared(const EntityUid& uid, std::string& error) const;

 private:
  bool read_untyped(const nlohmann::json& json, Value& out, std::string& error, int depth);
  bool read_typed(const nlohmann::json& json, const SchemaType& expected, Value& out,
                  std::string& error, int depth);
  bool read_extension_call(const nlohmann::json& call, Value& out, std::string& error, int depth);
  bool read_record(const nlohmann::json& json, const SchemaType* expected, Value& out,
                   std::string& error, int depth);

  Arena& arena_;
  const Schema* schema_;
};

// The explicit JSON form of a value (`__entity` and `__extn` escapes), which reads back
// without a schema.
nlohmann::json to_json(const Value& value);
nlohmann::json to_json(const EntityUid& uid);

}  // namespace crossgate::cedar
