// Reading entity stores and request contexts from Cedar's JSON formats.
//
// Entities: a JSON array of `{"uid": ..., "attrs": {...}, "parents": [...], "tags": {...}}`
// (uids as `{"type", "id"}` or `{"__entity": {...}}`). With a schema the attributes,
// parents and tags are checked against the entity type's declaration, values may use the
// schema-based implicit forms (json_value.h), and the schema's action entities (with
// their hierarchy) are added to the store.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "policy/cedar/common/result.h"
#include "policy/cedar/entities/entities.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

// Parses and adds every entity of `json` to `builder`. Errors name `source`, the entity
// and the attribute at fault.
Status add_entities_json(EntitiesBuilder& builder, const nlohmann::json& json, const Schema* schema,
                         std::string_view source);

// Adds the action entities a schema declares, with their parents.
Status add_schema_actions(EntitiesBuilder& builder, const Schema& schema);

// The whole entities file, with the schema's actions added when a schema is given.
Result<Entities> parse_entities_json(std::string_view text, const Schema* schema,
                                     std::string_view source);

// A request context (a JSON object). With a schema, typed by the context the schema
// declares for `action`.
Result<Value> parse_context_json(const nlohmann::json& json, Arena& arena, const Schema* schema,
                                 const EntityUid* action, std::string_view source);

}  // namespace crossgate::cedar
