#include "policy/cedar/entities/json_value.h"

#include <algorithm>
#include <vector>

#include "policy/cedar/common/json.h"
#include "policy/cedar/evaluator/eval_error.h"
#include "policy/cedar/extensions/extension_functions.h"

namespace crossgate::cedar {
namespace {

constexpr int kMaxDepth = kMaxJsonDepth;

bool refuse(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

// Prefixes a nested error with where it happened, e.g. `attribute "a": ...`.
bool within(std::string& error, const std::string& where) {
  error = where + ": " + error;
  return false;
}

bool is_single_key(const nlohmann::json& json, const char* key) {
  return json.is_object() && json.size() == 1 && json.contains(key);
}

std::string_view constructor_of(std::string_view extension_type) {
  if (extension_type == "ipaddr") return "ip";
  return extension_type;  // decimal, datetime, duration
}

ValueKind kind_of_extension(std::string_view extension_type) {
  if (extension_type == "ipaddr") return ValueKind::kIpAddr;
  if (extension_type == "decimal") return ValueKind::kDecimal;
  if (extension_type == "datetime") return ValueKind::kDatetime;
  return ValueKind::kDuration;
}

std::string describe(const nlohmann::json& json) {
  std::string text = json.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return std::string(json_type_name(json)) + " " + text;
}

}  // namespace

bool JsonValueReader::read(const nlohmann::json& json, const SchemaType* expected, Value& out,
                           std::string& error) {
  return expected != nullptr ? read_typed(json, *expected, out, error, 0)
                             : read_untyped(json, out, error, 0);
}

bool JsonValueReader::read_uid(const nlohmann::json& json, const EntityUid*& out,
                               std::string& error) {
  const nlohmann::json* body = &json;
  if (is_single_key(json, "__entity")) body = &json["__entity"];
  if (!body->is_object() || body->size() != 2 || !body->contains("type") || !body->contains("id")) {
    return refuse(
        error, "expected an entity reference {\"type\": ..., \"id\": ...}, got " + describe(json));
  }
  const nlohmann::json& type = (*body)["type"];
  const nlohmann::json& id = (*body)["id"];
  if (!type.is_string()) return refuse(error, "entity \"type\" must be a string");
  if (!id.is_string()) return refuse(error, "entity \"id\" must be a string");
  const std::string& type_text = type.get_ref<const std::string&>();
  if (type_text.empty()) return refuse(error, "entity \"type\" must not be empty");
  out = EntityUid::make(arena_, type_text, id.get_ref<const std::string&>());
  return true;
}

bool JsonValueReader::check_uid_declared(const EntityUid& uid, std::string& error) const {
  if (schema_ == nullptr) return true;
  if (schema_->is_action_type(uid.type)) {
    if (schema_->find_action(uid.type, uid.id) == nullptr) {
      return refuse(error, "undeclared action " + to_string(uid));
    }
    return true;
  }
  const EntityTypeDecl* decl = schema_->find_entity_type(uid.type);
  if (decl == nullptr) {
    return refuse(error, "entity type `" + std::string(uid.type) + "` of " + to_string(uid) +
                             " is not declared in the schema");
  }
  if (decl->enum_ids) {
    const std::vector<std::string>& ids = *decl->enum_ids;
    if (std::find(ids.begin(), ids.end(), uid.id) == ids.end()) {
      return refuse(error, to_string(uid) + " is not one of the values of the enumerated type `" +
                               decl->name + "`");
    }
  }
  return true;
}

bool JsonValueReader::read_extension_call(const nlohmann::json& call, Value& out,
                                          std::string& error, int depth) {
  if (!call.is_object() || !call.contains("fn") || !call["fn"].is_string() || call.size() != 2 ||
      (!call.contains("arg") && !call.contains("args"))) {
    return refuse(error,
                  "an extension value must be {\"fn\": name, \"arg\": value} or "
                  "{\"fn\": name, \"args\": [values]}, got " +
                      describe(call));
  }
  const std::string& name = call["fn"].get_ref<const std::string&>();
  const ExtensionFunction* function = find_extension_function(name);
  if (function == nullptr) return refuse(error, "unknown extension function `" + name + "`");
  std::vector<Value> args;
  if (call.contains("arg")) {
    args.resize(1);
    if (!read_untyped(call["arg"], args[0], error, depth + 1)) return false;
  } else {
    const nlohmann::json& list = call["args"];
    if (!list.is_array()) return refuse(error, "\"args\" must be an array");
    args.resize(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!read_untyped(list[i], args[i], error, depth + 1)) return false;
    }
  }
  if (args.size() != function->arity) {
    return refuse(error, "extension function `" + name + "` takes " +
                             std::to_string(function->arity) + " argument(s), got " +
                             std::to_string(args.size()));
  }
  EvalError failure;
  if (!function->call(args, arena_, out, failure)) {
    return refuse(error, "`" + name + "`: " + failure.message());
  }
  return true;
}

bool JsonValueReader::read_untyped(const nlohmann::json& json, Value& out, std::string& error,
                                   int depth) {
  if (depth > kMaxDepth) return refuse(error, "value nests too deeply");
  switch (json.type()) {
    case nlohmann::json::value_t::boolean: out = Value::boolean(json.get<bool>()); return true;
    case nlohmann::json::value_t::number_integer:
      out = Value::integer(json.get<std::int64_t>());
      return true;
    case nlohmann::json::value_t::number_unsigned:
      if (json.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        return refuse(error, "integer " + json.dump() + " is out of the range of a Cedar long");
      }
      out = Value::integer(json.get<std::int64_t>());
      return true;
    case nlohmann::json::value_t::number_float:
      return refuse(error, "floating-point numbers are not Cedar values: " + json.dump());
    case nlohmann::json::value_t::string:
      out = Value::make_string(arena_, json.get_ref<const std::string&>());
      return true;
    case nlohmann::json::value_t::array: {
      std::vector<Value> elements(json.size());
      for (std::size_t i = 0; i < json.size(); ++i) {
        if (!read_untyped(json[i], elements[i], error, depth + 1)) {
          return within(error, "[" + std::to_string(i) + "]");
        }
      }
      out = Value::make_set(arena_, elements);
      return true;
    }
    case nlohmann::json::value_t::object: {
      if (is_single_key(json, "__entity")) {
        const EntityUid* uid;
        if (!read_uid(json, uid, error)) return false;
        out = Value::entity(uid);
        return true;
      }
      if (is_single_key(json, "__extn"))
        return read_extension_call(json["__extn"], out, error, depth);
      if (json.contains("__expr")) {
        return refuse(error,
                      "the `__expr` escape is no longer supported; use `__entity` or `__extn`");
      }
      return read_record(json, nullptr, out, error, depth);
    }
    default: return refuse(error, "expected a Cedar value, got " + describe(json));
  }
}

bool JsonValueReader::read_record(const nlohmann::json& json, const SchemaType* expected,
                                  Value& out, std::string& error, int depth) {
  std::vector<RecordField> fields;
  fields.reserve(json.size());
  for (auto it = json.begin(); it != json.end(); ++it) {
    const SchemaType* attribute_type = nullptr;
    if (expected != nullptr) {
      auto declared = expected->attributes.find(it.key());
      if (declared == expected->attributes.end()) {
        return refuse(error, "attribute \"" + it.key() + "\" is not declared in the schema");
      }
      attribute_type = declared->second.type.get();
    }
    Value value;
    bool ok = attribute_type != nullptr
                  ? read_typed(it.value(), *attribute_type, value, error, depth + 1)
                  : read_untyped(it.value(), value, error, depth + 1);
    if (!ok) return within(error, "attribute \"" + it.key() + "\"");
    fields.push_back(RecordField{arena_.copy(it.key()), value});
  }
  if (expected != nullptr) {
    for (const auto& [name, attribute] : expected->attributes) {
      if (attribute.required && !json.contains(name)) {
        return refuse(error, "required attribute \"" + name + "\" is missing");
      }
    }
  }
  out = Value::make_record(arena_, fields);
  return true;
}

bool JsonValueReader::read_typed(const nlohmann::json& json, const SchemaType& expected, Value& out,
                                 std::string& error, int depth) {
  if (depth > kMaxDepth) return refuse(error, "value nests too deeply");
  auto mismatch = [&] {
    return refuse(error, "expected " + to_string(expected) + ", got " + describe(json));
  };
  switch (expected.kind) {
    case SchemaType::Kind::kBool:
      if (!json.is_boolean()) return mismatch();
      out = Value::boolean(json.get<bool>());
      return true;
    case SchemaType::Kind::kLong:
      if (!json.is_number_integer()) return mismatch();
      return read_untyped(json, out, error, depth);
    case SchemaType::Kind::kString:
      if (!json.is_string()) return mismatch();
      out = Value::make_string(arena_, json.get_ref<const std::string&>());
      return true;
    case SchemaType::Kind::kEntity: {
      const EntityUid* uid;
      if (!read_uid(json, uid, error)) return mismatch();
      if (uid->type != expected.name) {
        return refuse(error,
                      "expected an entity of type `" + expected.name + "`, got " + to_string(*uid));
      }
      if (!check_uid_declared(*uid, error)) return false;
      out = Value::entity(uid);
      return true;
    }
    case SchemaType::Kind::kSet: {
      if (!json.is_array()) return mismatch();
      std::vector<Value> elements(json.size());
      for (std::size_t i = 0; i < json.size(); ++i) {
        if (!read_typed(json[i], *expected.element, elements[i], error, depth + 1)) {
          return within(error, "[" + std::to_string(i) + "]");
        }
      }
      out = Value::make_set(arena_, elements);
      return true;
    }
    case SchemaType::Kind::kRecord:
      if (!json.is_object() || is_single_key(json, "__entity") || is_single_key(json, "__extn")) {
        return mismatch();
      }
      return read_record(json, &expected, out, error, depth);
    case SchemaType::Kind::kExtension: {
      bool ok;
      if (is_single_key(json, "__extn")) {
        ok = read_extension_call(json["__extn"], out, error, depth);
      } else if (json.is_object() && json.contains("fn")) {
        ok = read_extension_call(json, out, error, depth);
      } else {
        // The implicit constructor: the argument alone, e.g. "10.0.0.1" for an ipaddr.
        Value argument;
        if (!read_untyped(json, argument, error, depth + 1)) return false;
        const ExtensionFunction* constructor =
            find_extension_function(constructor_of(expected.name));
        EvalError failure;
        ok = constructor != nullptr &&
             constructor->call(std::span<const Value>(&argument, 1), arena_, out, failure);
        if (!ok) {
          return refuse(error, "expected " + to_string(expected) + ", got " + describe(json) +
                                   (constructor != nullptr ? " (" + failure.message() + ")" : ""));
        }
      }
      if (!ok) return false;
      if (!out.is(kind_of_extension(expected.name))) return mismatch();
      return true;
    }
  }
  return mismatch();
}

nlohmann::json to_json(const EntityUid& uid) {
  return nlohmann::json{{"type", std::string(uid.type)}, {"id", std::string(uid.id)}};
}

nlohmann::json to_json(const Value& value) {
  auto extension = [](std::string_view fn, std::string arg) {
    return nlohmann::json{{"__extn", {{"fn", std::string(fn)}, {"arg", std::move(arg)}}}};
  };
  switch (value.kind()) {
    case ValueKind::kBool: return value.as_bool();
    case ValueKind::kLong: return value.as_long();
    case ValueKind::kString: return std::string(value.as_string());
    case ValueKind::kEntity: return nlohmann::json{{"__entity", to_json(value.as_entity())}};
    case ValueKind::kSet: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& e : value.as_set())
        out.push_back(to_json(e));
      return out;
    }
    case ValueKind::kRecord: {
      nlohmann::json out = nlohmann::json::object();
      for (const RecordField& f : value.as_record())
        out[std::string(f.name)] = to_json(f.value);
      return out;
    }
    case ValueKind::kDecimal: return extension("decimal", ext::to_string(value.as_decimal()));
    case ValueKind::kIpAddr: return extension("ip", ext::to_string(value.as_ipaddr()));
    case ValueKind::kDatetime: return extension("datetime", ext::to_string(value.as_datetime()));
    case ValueKind::kDuration: return extension("duration", ext::to_string(value.as_duration()));
  }
  return nullptr;
}

}  // namespace crossgate::cedar
