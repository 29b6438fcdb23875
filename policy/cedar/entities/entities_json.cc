#include "policy/cedar/entities/entities_json.h"

#include <set>
#include <vector>

#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/json_value.h"

namespace crossgate::cedar {
namespace {

// Every type an entity of `decl`'s type may have among its ancestors: the declared parent
// types, transitively.
std::set<std::string, std::less<>> allowed_ancestor_types(const Schema& schema,
                                                          const EntityTypeDecl& decl) {
  std::set<std::string, std::less<>> out;
  std::vector<const EntityTypeDecl*> pending{&decl};
  while (!pending.empty()) {
    const EntityTypeDecl* d = pending.back();
    pending.pop_back();
    for (const std::string& parent : d->parent_types) {
      if (!out.insert(parent).second) continue;
      if (const EntityTypeDecl* p = schema.find_entity_type(parent)) pending.push_back(p);
    }
  }
  return out;
}

class EntityReader {
 public:
  EntityReader(EntitiesBuilder& builder, const Schema* schema, std::string_view source)
      : builder_(builder), schema_(schema), source_(source), values_(builder.arena(), schema) {}

  Status read(const nlohmann::json& entity, std::size_t index) {
    std::string where = std::string(source_) + ": entity #" + std::to_string(index);
    if (!entity.is_object())
      return Error{where + ": expected an object, got " + std::string(json_type_name(entity))};
    for (auto it = entity.begin(); it != entity.end(); ++it) {
      if (it.key() != "uid" && it.key() != "attrs" && it.key() != "parents" && it.key() != "tags") {
        return Error{where + ": unexpected field \"" + it.key() + "\""};
      }
    }
    if (!entity.contains("uid")) return Error{where + ": missing \"uid\""};
    std::string error;
    const EntityUid* uid;
    if (!values_.read_uid(entity["uid"], uid, error)) return Error{where + ": \"uid\": " + error};
    where = std::string(source_) + ": entity " + to_string(*uid);

    bool is_action = is_action_entity_type(uid->type);
    const EntityTypeDecl* decl = nullptr;
    if (schema_ != nullptr && !is_action) {
      decl = schema_->find_entity_type(uid->type);
      if (decl == nullptr) {
        return Error{where + ": entity type `" + std::string(uid->type) +
                     "` is not declared in the schema"};
      }
      if (!values_.check_uid_declared(*uid, error)) return Error{where + ": " + error};
    }
    if (schema_ != nullptr && is_action) {
      // The schema defines the actions; one listed here must be one it declares.
      if (schema_->find_action(uid->type, uid->id) == nullptr) {
        return Error{where + ": action is not declared in the schema"};
      }
      return Ok{};
    }

    Value attrs = Value::empty_record();
    if (entity.contains("attrs")) {
      const nlohmann::json& json = entity["attrs"];
      if (!json.is_object()) return Error{where + ": \"attrs\" must be an object"};
      if (!values_.read(json, decl != nullptr ? decl->shape.get() : nullptr, attrs, error)) {
        return Error{where + ": " + error};
      }
    } else if (decl != nullptr) {
      for (const auto& [name, attribute] : decl->shape->attributes) {
        if (attribute.required) {
          return Error{where + ": required attribute \"" + name + "\" is missing"};
        }
      }
    }

    std::vector<EntityUid> parents;
    if (entity.contains("parents")) {
      const nlohmann::json& json = entity["parents"];
      if (!json.is_array()) return Error{where + ": \"parents\" must be an array"};
      std::set<std::string, std::less<>> allowed;
      if (decl != nullptr) allowed = allowed_ancestor_types(*schema_, *decl);
      for (std::size_t i = 0; i < json.size(); ++i) {
        const EntityUid* parent;
        if (!values_.read_uid(json[i], parent, error)) {
          return Error{where + ": parent #" + std::to_string(i) + ": " + error};
        }
        if (is_action && !is_action_entity_type(parent->type)) {
          return Error{where + ": the parent " + to_string(*parent) +
                       " of an action must be an action"};
        }
        if (decl != nullptr) {
          if (!values_.check_uid_declared(*parent, error))
            return Error{where + ": parent: " + error};
          if (!allowed.contains(parent->type)) {
            return Error{where + ": " + to_string(*parent) +
                         " cannot be a parent: the schema does not allow `" +
                         std::string(parent->type) + "` as an ancestor of `" + decl->name + "`"};
          }
        }
        parents.push_back(*parent);
      }
    }

    Value tags = Value::empty_record();
    if (entity.contains("tags")) {
      const nlohmann::json& json = entity["tags"];
      if (!json.is_object()) return Error{where + ": \"tags\" must be an object"};
      if (decl != nullptr && decl->tags == nullptr && !json.empty()) {
        return Error{where + ": tags are not allowed: `" + decl->name + "` declares no tags"};
      }
      std::vector<RecordField> fields;
      for (auto it = json.begin(); it != json.end(); ++it) {
        Value value;
        if (!values_.read(it.value(), decl != nullptr ? decl->tags.get() : nullptr, value, error)) {
          return Error{where + ": tag \"" + it.key() + "\": " + error};
        }
        fields.push_back(RecordField{builder_.arena().copy(it.key()), value});
      }
      tags = Value::make_record(builder_.arena(), fields);
    }
    if (Status s = builder_.add(*uid, attrs, parents, tags); !s.ok()) {
      return Error{std::string(source_) + ": " + s.message()};
    }
    return Ok{};
  }

 private:
  EntitiesBuilder& builder_;
  const Schema* schema_;
  std::string_view source_;
  JsonValueReader values_;
};

}  // namespace

Status add_entities_json(EntitiesBuilder& builder, const nlohmann::json& json, const Schema* schema,
                         std::string_view source) {
  if (!json.is_array()) {
    return Error{std::string(source) + ": expected a JSON array of entities, got " +
                 std::string(json_type_name(json))};
  }
  EntityReader reader(builder, schema, source);
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (Status s = reader.read(json[i], i); !s.ok()) return s;
  }
  return Ok{};
}

Status add_schema_actions(EntitiesBuilder& builder, const Schema& schema) {
  for (const ActionDecl& action : schema.actions()) {
    EntityUid uid = EntityUid::view(action.uid.type, action.uid.id);
    std::vector<EntityUid> parents;
    for (const ActionRef& parent : action.parents) {
      parents.push_back(EntityUid::view(parent.type, parent.id));
    }
    if (Status s = builder.add(uid, Value::empty_record(), parents); !s.ok()) return s;
  }
  return Ok{};
}

Result<Entities> parse_entities_json(std::string_view text, const Schema* schema,
                                     std::string_view source) {
  Result<nlohmann::json> json = parse_json(text, source);
  if (!json.ok()) return json.error();
  EntitiesBuilder builder;
  if (Status s = add_entities_json(builder, *json, schema, source); !s.ok()) return s.error();
  if (schema != nullptr) {
    if (Status s = add_schema_actions(builder, *schema); !s.ok()) return s.error();
  }
  return std::move(builder).build();
}

Result<Value> parse_context_json(const nlohmann::json& json, Arena& arena, const Schema* schema,
                                 const EntityUid* action, std::string_view source) {
  std::string where = std::string(source.empty() ? "context" : source);
  if (!json.is_object()) {
    return Error{where + ": the context must be a JSON object, got " +
                 std::string(json_type_name(json))};
  }
  const SchemaType* expected = nullptr;
  if (schema != nullptr && action != nullptr) {
    const ActionDecl* decl = schema->find_action(action->type, action->id);
    if (decl == nullptr)
      return Error{where + ": action " + to_string(*action) + " is not declared in the schema"};
    expected = decl->context.get();
  }
  JsonValueReader reader(arena, schema);
  Value out;
  std::string error;
  if (!reader.read(json, expected, out, error)) return Error{where + ": " + error};
  return out;
}

}  // namespace crossgate::cedar
