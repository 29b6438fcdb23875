// Checks a request against the schema (request_validator.h).
#include "policy/cedar/validator/request_validator.h"

#include <algorithm>

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::validator {

namespace {

std::optional<RequestValidationError> fail(RequestErrorKind kind, std::string message) {
  return RequestValidationError{kind, std::move(message)};
}

bool valid_enum_id(const EntityTypeDecl& decl, std::string_view id) {
  if (!decl.enum_ids) return true;
  return std::find(decl.enum_ids->begin(), decl.enum_ids->end(), id) != decl.enum_ids->end();
}

std::string enum_message(const EntityUid& uid) {
  return "entity `" + to_string(uid) + "` is of an enumerated entity type, but `" + quote(uid.id) +
         "` is not declared as a valid eid";
}

// The principal or resource: its type is declared, and for an enum type so is its id.
std::optional<RequestValidationError> check_scope_entity(const Schema& schema, const EntityUid& uid,
                                                         RequestErrorKind undeclared,
                                                         std::string_view role) {
  const EntityTypeDecl* decl = schema.find_entity_type(uid.type);
  if (decl == nullptr) {
    return fail(undeclared, std::string(role) + " type `" + std::string(uid.type) +
                                "` is not declared in the schema");
  }
  if (!valid_enum_id(*decl, uid.id))
    return fail(RequestErrorKind::kInvalidEnumEntity, enum_message(uid));
  return std::nullopt;
}

std::string type_list(const std::vector<std::string>& types) {
  std::string out;
  for (const std::string& t : types) {
    if (!out.empty()) out += ", ";
    out += "`" + t + "`";
  }
  return out.empty() ? "none" : out;
}

// Entity references inside the context: enum values and actions must be declared.
std::optional<RequestValidationError> check_references(const Schema& schema, const Value& value) {
  switch (value.kind()) {
    case ValueKind::kEntity: {
      const EntityUid& uid = value.as_entity();
      if (is_action_entity_type(uid.type)) {
        if (schema.find_action(uid.type, uid.id) == nullptr) {
          return fail(RequestErrorKind::kUndeclaredAction,
                      "request's action `" + to_string(uid) + "` is not declared in the schema");
        }
      } else if (const EntityTypeDecl* decl = schema.find_entity_type(uid.type)) {
        if (!valid_enum_id(*decl, uid.id))
          return fail(RequestErrorKind::kInvalidEnumEntity, enum_message(uid));
      }
      return std::nullopt;
    }
    case ValueKind::kSet:
      for (const Value& element : value.as_set()) {
        if (auto error = check_references(schema, element)) return error;
      }
      return std::nullopt;
    case ValueKind::kRecord:
      for (const RecordField& field : value.as_record()) {
        if (auto error = check_references(schema, field.value)) return error;
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

bool has_type(const Value& value, const SchemaType& type) {
  switch (type.kind) {
    case SchemaType::Kind::kBool: return value.is(ValueKind::kBool);
    case SchemaType::Kind::kLong: return value.is(ValueKind::kLong);
    case SchemaType::Kind::kString: return value.is(ValueKind::kString);
    case SchemaType::Kind::kEntity:
      return value.is(ValueKind::kEntity) && value.as_entity().type == type.name;
    case SchemaType::Kind::kExtension:
      if (type.name == "ipaddr") return value.is(ValueKind::kIpAddr);
      if (type.name == "decimal") return value.is(ValueKind::kDecimal);
      if (type.name == "datetime") return value.is(ValueKind::kDatetime);
      if (type.name == "duration") return value.is(ValueKind::kDuration);
      return false;
    case SchemaType::Kind::kSet:
      if (!value.is(ValueKind::kSet)) return false;
      if (!type.element) return true;
      return std::all_of(value.as_set().begin(), value.as_set().end(),
                         [&](const Value& element) { return has_type(element, *type.element); });
    case SchemaType::Kind::kRecord: {
      if (!value.is(ValueKind::kRecord)) return false;
      // Records are closed: every attribute must be declared, with its type...
      for (const RecordField& field : value.as_record()) {
        auto it = type.attributes.find(std::string(field.name));
        if (it == type.attributes.end()) return false;
        if (it->second.type && !has_type(field.value, *it->second.type)) return false;
      }
      // ...and every required one present.
      for (const auto& [name, attribute] : type.attributes) {
        if (attribute.required && value.find_field(name) == nullptr) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view kind_name(RequestErrorKind kind) {
  switch (kind) {
    case RequestErrorKind::kUndeclaredPrincipalType: return "UndeclaredPrincipalType";
    case RequestErrorKind::kUndeclaredResourceType: return "UndeclaredResourceType";
    case RequestErrorKind::kUndeclaredAction: return "UndeclaredAction";
    case RequestErrorKind::kInvalidPrincipalType: return "InvalidPrincipalType";
    case RequestErrorKind::kInvalidResourceType: return "InvalidResourceType";
    case RequestErrorKind::kInvalidEnumEntity: return "InvalidEnumEntity";
    case RequestErrorKind::kInvalidContext: return "InvalidContext";
  }
  return "RequestValidationError";
}

std::optional<RequestValidationError> validate_request(const Schema& schema,
                                                       const Request& request) {
  if (auto error = check_scope_entity(schema, request.principal,
                                      RequestErrorKind::kUndeclaredPrincipalType, "principal")) {
    return error;
  }
  if (auto error = check_scope_entity(schema, request.resource,
                                      RequestErrorKind::kUndeclaredResourceType, "resource")) {
    return error;
  }
  const ActionDecl* action = schema.find_action(request.action.type, request.action.id);
  if (action == nullptr) {
    return fail(
        RequestErrorKind::kUndeclaredAction,
        "request's action `" + to_string(request.action) + "` is not declared in the schema");
  }
  const std::vector<std::string>& principals = action->principal_types;
  if (std::find(principals.begin(), principals.end(), request.principal.type) == principals.end()) {
    return fail(RequestErrorKind::kInvalidPrincipalType,
                "principal type `" + std::string(request.principal.type) + "` is not valid for `" +
                    to_string(request.action) +
                    "`; valid principal types: " + type_list(principals));
  }
  const std::vector<std::string>& resources = action->resource_types;
  if (std::find(resources.begin(), resources.end(), request.resource.type) == resources.end()) {
    return fail(RequestErrorKind::kInvalidResourceType,
                "resource type `" + std::string(request.resource.type) + "` is not valid for `" +
                    to_string(request.action) + "`; valid resource types: " + type_list(resources));
  }
  if (auto error = check_references(schema, request.context)) return error;
  if (action->context && !has_type(request.context, *action->context)) {
    return fail(RequestErrorKind::kInvalidContext,
                "context `" + to_string(request.context) + "` is not valid for `" +
                    to_string(request.action) + "`: expected " + to_string(*action->context));
  }
  return std::nullopt;
}

}  // namespace crossgate::cedar::validator
