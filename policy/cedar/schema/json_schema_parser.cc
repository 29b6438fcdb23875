#include "policy/cedar/schema/json_schema_parser.h"

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "policy/cedar/schema/schema_names.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

namespace {

// Ordered, so that declarations keep the order they are written in.
using Json = nlohmann::ordered_json;
using schema_ast::Annotations;
using schema_ast::Name;
using schema_ast::Type;
using schema_ast::TypePtr;

std::string backticked(std::string_view text) {
  return "`" + std::string(text) + "`";
}

// "`a`, `b` or `c`"
std::string one_of(std::initializer_list<std::string_view> names) {
  std::string out;
  std::size_t i = 0;
  for (std::string_view name : names) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += backticked(name);
    ++i;
  }
  return out;
}

SourceLoc loc_of_offset(std::string_view text, std::size_t offset) {
  SourceLoc loc{1, 1};
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

// Reads the JSON text, refusing duplicate object keys (which the reference rejects and
// nlohmann would silently collapse).
Result<Json> read_json(std::string_view text, std::string_view source) {
  struct Frame {
    std::set<std::string, std::less<>> keys;
    std::string last_key;
  };
  std::vector<Frame> frames;
  std::optional<std::string> duplicate;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start: frames.emplace_back(); break;
      case Json::parse_event_t::object_end:
        if (!frames.empty()) frames.pop_back();
        break;
      case Json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!frames.empty()) {
          if (!frames.back().keys.insert(key).second && !duplicate) {
            duplicate = "duplicate key " + quote(key);
            if (frames.size() >= 2 && !frames[frames.size() - 2].last_key.empty()) {
              duplicate->append(" in " + quote(frames[frames.size() - 2].last_key));
            }
          }
          frames.back().last_key = key;
        }
        break;
      }
      default: break;
    }
    return true;
  };
  try {
    Json json = Json::parse(text.begin(), text.end(), callback);
    if (duplicate) return Error{format_at(source, {}, *duplicate)};
    return json;
  } catch (const Json::parse_error& e) {
    // nlohmann's message repeats the position; keep only what went wrong.
    std::string message = e.what();
    if (std::size_t at = message.find("syntax error"); at != std::string::npos) {
      message = message.substr(at);
    } else if (std::size_t colon = message.find(": "); colon != std::string::npos) {
      message = message.substr(colon + 2);
    }
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return Error{format_at(source, loc_of_offset(text, offset), message)};
  }
}

// Turns the JSON document into a fragment. Every read_* function returns false (or
// nullptr) after recording the first error; `where_` names the part being read.
class Converter {
 public:
  explicit Converter(std::string_view source) : source_(source) {}

  Result<schema_ast::Fragment> run(const Json& json) {
    schema_ast::Fragment fragment;
    fragment.source = std::string(source_);
    if (!json.is_object()) {
      fail("a schema must be a JSON object mapping namespace names to their definitions");
      return error();
    }
    for (const auto& [key, value] : json.items()) {
      schema_ast::Namespace ns;
      ns.name = key;
      if (!key.empty() && !schema_names::is_valid_path(key)) {
        fail("invalid namespace name " + quote(key));
        return error();
      }
      where_ = key.empty() ? "the empty namespace" : "namespace " + backticked(key);
      if (!read_namespace(value, ns)) return error();
      fragment.namespaces.push_back(std::move(ns));
    }
    return fragment;
  }

 private:
  Error error() const { return Error{error_}; }

  bool fail(std::string_view message) {
    error_ = format_at(
        source_, {}, where_.empty() ? std::string(message) : where_ + ": " + std::string(message));
    return false;
  }

  // Scoped addition to `where_`.
  class Where {
   public:
    Where(Converter& converter, std::string_view part)
        : converter_(converter), saved_(converter.where_) {
      if (!converter_.where_.empty()) converter_.where_ += ", ";
      converter_.where_ += part;
    }
    ~Where() { converter_.where_ = std::move(saved_); }
    Where(const Where&) = delete;
    Where& operator=(const Where&) = delete;

   private:
    Converter& converter_;
    std::string saved_;
  };

  bool check_object(const Json& json, std::string_view what) {
    if (json.is_object()) return true;
    return fail(std::string(what) + " must be a JSON object");
  }

  bool check_fields(const Json& json, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : json.items()) {
      bool known = false;
      for (std::string_view name : allowed)
        known = known || key == name;
      if (!known) {
        return fail("unknown field " + backticked(key) + ", expected " + one_of(allowed));
      }
    }
    return true;
  }

  const Json* field(const Json& json, std::string_view name) {
    auto it = json.find(name);
    return it == json.end() ? nullptr : &*it;
  }

  std::optional<std::string> read_string(const Json& json, std::string_view what) {
    if (!json.is_string()) {
      fail(std::string(what) + " must be a string");
      return std::nullopt;
    }
    return json.get<std::string>();
  }

  // A type or entity type name as written in a reference: `A`, `NS::A`, `__cedar::Long`.
  std::optional<Name> read_path(const Json& json, std::string_view what) {
    std::optional<std::string> text = read_string(json, what);
    if (!text) return std::nullopt;
    if (!schema_names::is_valid_path(*text)) {
      fail("invalid " + std::string(what) + " " + quote(*text));
      return std::nullopt;
    }
    return Name{std::move(*text), {}};
  }

  std::optional<std::vector<Name>> read_paths(const Json& json, std::string_view what) {
    if (!json.is_array()) {
      fail(std::string(what) + " must be an array of entity type names");
      return std::nullopt;
    }
    std::vector<Name> names;
    for (const Json& item : json) {
      std::optional<Name> name = read_path(item, "entity type name");
      if (!name) return std::nullopt;
      names.push_back(std::move(*name));
    }
    return names;
  }

  std::optional<Annotations> read_annotations(const Json& json) {
    Where where(*this, "annotations");
    if (!check_object(json, "`annotations`")) return std::nullopt;
    Annotations annotations;
    for (const auto& [key, value] : json.items()) {
      if (!schema_names::is_identifier(key)) {
        fail("invalid annotation name " + quote(key));
        return std::nullopt;
      }
      // `null` stands for an annotation without a value, like `@key` in the text syntax.
      if (value.is_null()) {
        annotations.emplace(key, "");
        continue;
      }
      std::optional<std::string> text = read_string(value, "an annotation value");
      if (!text) return std::nullopt;
      annotations.emplace(key, std::move(*text));
    }
    return annotations;
  }

  bool read_namespace(const Json& json, schema_ast::Namespace& ns) {
    if (!check_object(json, "a namespace definition")) return false;
    if (!check_fields(json, {"commonTypes", "entityTypes", "actions", "annotations"})) {
      return false;
    }
    if (const Json* annotations = field(json, "annotations")) {
      if (ns.name.empty()) return fail("annotations are not allowed on the empty namespace");
      std::optional<Annotations> read = read_annotations(*annotations);
      if (!read) return false;
      ns.annotations = std::move(*read);
    }
    if (const Json* common_types = field(json, "commonTypes")) {
      if (!check_object(*common_types, "`commonTypes`")) return false;
      for (const auto& [key, value] : common_types->items()) {
        if (!read_common_type(key, value, ns)) return false;
      }
    }
    const Json* entity_types = field(json, "entityTypes");
    if (!entity_types) return fail("missing field `entityTypes`");
    if (!check_object(*entity_types, "`entityTypes`")) return false;
    for (const auto& [key, value] : entity_types->items()) {
      if (!read_entity_type(key, value, ns)) return false;
    }
    const Json* actions = field(json, "actions");
    if (!actions) return fail("missing field `actions`");
    if (!check_object(*actions, "`actions`")) return false;
    for (const auto& [key, value] : actions->items()) {
      if (!read_action(key, value, ns)) return false;
    }
    return true;
  }

  bool check_declared_identifier(const std::string& name, std::string_view what) {
    if (schema_names::is_identifier(name) && !schema_names::is_reserved_word(name)) return true;
    return fail("invalid " + std::string(what) + " name " + quote(name));
  }

  bool read_common_type(const std::string& name, const Json& json, schema_ast::Namespace& ns) {
    if (!check_declared_identifier(name, "common type")) return false;
    Where where(*this, "common type " + backticked(schema_names::qualify(ns.name, name)));
    schema_ast::CommonType decl;
    decl.name = Name{name, {}};
    decl.type = read_type(json, 1, TypeContext::kCommonTypeDefinition);
    if (!decl.type) return false;
    if (const Json* annotations = field(json, "annotations")) {
      std::optional<Annotations> read = read_annotations(*annotations);
      if (!read) return false;
      decl.annotations = std::move(*read);
    }
    ns.common_types.push_back(std::move(decl));
    return true;
  }

  bool read_entity_type(const std::string& name, const Json& json, schema_ast::Namespace& ns) {
    if (!check_declared_identifier(name, "entity type")) return false;
    Where where(*this, "entity type " + backticked(schema_names::qualify(ns.name, name)));
    if (!check_object(json, "an entity type definition")) return false;
    if (!check_fields(json, {"memberOfTypes", "shape", "tags", "enum", "annotations"})) {
      return false;
    }
    // As in the reference, `null` does not stand for an absent field here.
    for (const auto& [key, value] : json.items()) {
      if (value.is_null()) return fail("field " + backticked(key) + " must not be null");
    }
    schema_ast::EntityType decl;
    decl.name = Name{name, {}};
    if (const Json* annotations = field(json, "annotations")) {
      std::optional<Annotations> read = read_annotations(*annotations);
      if (!read) return false;
      decl.annotations = std::move(*read);
    }
    if (const Json* ids = field(json, "enum")) {
      for (std::string_view other : {"memberOfTypes", "shape", "tags"}) {
        if (field(json, other)) {
          return fail("an enumerated entity type cannot have " + backticked(other));
        }
      }
      if (!ids->is_array() || ids->empty()) {
        return fail("`enum` must be a non-empty array of strings");
      }
      std::vector<std::string> values;
      for (const Json& id : *ids) {
        std::optional<std::string> text = read_string(id, "an `enum` entry");
        if (!text) return false;
        values.push_back(std::move(*text));
      }
      decl.enum_ids = std::move(values);
    } else {
      if (const Json* parents = field(json, "memberOfTypes")) {
        std::optional<std::vector<Name>> names = read_paths(*parents, "`memberOfTypes`");
        if (!names) return false;
        decl.parents = std::move(*names);
      }
      if (const Json* shape = field(json, "shape")) {
        Where shape_where(*this, "shape");
        decl.shape = read_type(*shape, 1, TypeContext::kPlain);
        if (!decl.shape) return false;
      }
      if (const Json* tags = field(json, "tags")) {
        Where tags_where(*this, "tags");
        decl.tags = read_type(*tags, 1, TypeContext::kPlain);
        if (!decl.tags) return false;
      }
    }
    ns.entity_types.push_back(std::move(decl));
    return true;
  }

  bool read_action(const std::string& id, const Json& json, schema_ast::Namespace& ns) {
    Where where(*this, "action " + schema_names::action_type_of(ns.name) + "::" + quote(id));
    if (!check_object(json, "an action definition")) return false;
    if (!check_fields(json, {"attributes", "appliesTo", "memberOf", "annotations"})) {
      return false;
    }
    schema_ast::Action decl;
    decl.name = Name{id, {}};
    if (const Json* attributes = field(json, "attributes"); attributes && !attributes->is_null()) {
      return fail("action attributes are not supported");
    }
    if (const Json* annotations = field(json, "annotations")) {
      std::optional<Annotations> read = read_annotations(*annotations);
      if (!read) return false;
      decl.annotations = std::move(*read);
    }
    if (const Json* parents = field(json, "memberOf"); parents && !parents->is_null()) {
      Where parents_where(*this, "memberOf");
      if (!parents->is_array()) return fail("`memberOf` must be an array");
      for (const Json& parent : *parents) {
        if (!check_object(parent, "an action reference")) return false;
        if (!check_fields(parent, {"id", "type"})) return false;
        schema_ast::ActionRef ref;
        const Json* parent_id = field(parent, "id");
        if (!parent_id) return fail("missing field `id`");
        std::optional<std::string> text = read_string(*parent_id, "`id`");
        if (!text) return false;
        ref.id = std::move(*text);
        if (const Json* type = field(parent, "type"); type && !type->is_null()) {
          ref.type = read_path(*type, "action entity type");
          if (!ref.type) return false;
        }
        decl.parents.push_back(std::move(ref));
      }
    }
    if (const Json* applies_to = field(json, "appliesTo"); applies_to && !applies_to->is_null()) {
      Where applies_where(*this, "appliesTo");
      if (!check_object(*applies_to, "`appliesTo`")) return false;
      if (!check_fields(*applies_to, {"resourceTypes", "principalTypes", "context"})) {
        return false;
      }
      decl.has_applies_to = true;
      for (auto [key, out] : {std::pair{"principalTypes", &decl.principal_types},
                              std::pair{"resourceTypes", &decl.resource_types}}) {
        const Json* types = field(*applies_to, key);
        if (!types) return fail("missing field " + backticked(key));
        std::optional<std::vector<Name>> names = read_paths(*types, backticked(key));
        if (!names) return false;
        *out = std::move(*names);
      }
      if (const Json* context = field(*applies_to, "context")) {
        Where context_where(*this, "context");
        decl.context = read_type(*context, 1, TypeContext::kPlain);
        if (!decl.context) return false;
      }
    }
    ns.actions.push_back(std::move(decl));
    return true;
  }

  // Which fields besides the type's own may appear next to "type".
  enum class TypeContext { kPlain, kAttribute, kCommonTypeDefinition };

  TypePtr read_type(const Json& json, int depth, TypeContext context) {
    if (depth > schema_ast::kMaxTypeDepth) {
      fail("types nest more than " + std::to_string(schema_ast::kMaxTypeDepth) + " levels deep");
      return nullptr;
    }
    if (!check_object(json, "a type")) return nullptr;
    switch (context) {
      case TypeContext::kPlain:
        if (!check_fields(json, {"type", "element", "attributes", "additionalAttributes", "name"}))
          return nullptr;
        break;
      case TypeContext::kAttribute:
        if (!check_fields(json, {"type", "element", "attributes", "additionalAttributes", "name",
                                 "required", "annotations"}))
          return nullptr;
        break;
      case TypeContext::kCommonTypeDefinition:
        if (!check_fields(json, {"type", "element", "attributes", "additionalAttributes", "name",
                                 "annotations"}))
          return nullptr;
        break;
    }
    const Json* type_field = field(json, "type");
    if (!type_field) {
      fail("missing field `type`");
      return nullptr;
    }
    std::optional<std::string> type_name = read_string(*type_field, "`type`");
    if (!type_name) return nullptr;

    // Fields other than `type` that this kind of type takes.
    auto only = [&](std::initializer_list<std::string_view> allowed) {
      for (std::string_view name : {"element", "attributes", "additionalAttributes", "name"}) {
        bool ok = false;
        for (std::string_view a : allowed)
          ok = ok || a == name;
        if (!ok && field(json, name)) {
          return fail("field " + backticked(name) + " does not belong in a " +
                      backticked(*type_name) + " type");
        }
      }
      return true;
    };

    auto type = std::make_shared<Type>();
    if (*type_name == "String" || *type_name == "Long" || *type_name == "Boolean") {
      if (!only({})) return nullptr;
      type->kind = *type_name == "String" ? Type::Kind::kString
                   : *type_name == "Long" ? Type::Kind::kLong
                                          : Type::Kind::kBool;
    } else if (*type_name == "Set") {
      if (!only({"element"})) return nullptr;
      const Json* element = field(json, "element");
      if (!element) {
        fail("a `Set` type needs an `element` type");
        return nullptr;
      }
      type->kind = Type::Kind::kSet;
      type->element = read_type(*element, depth + 1, TypeContext::kPlain);
      if (!type->element) return nullptr;
    } else if (*type_name == "Record") {
      if (!only({"attributes", "additionalAttributes"})) return nullptr;
      if (!read_record(json, depth, *type)) return nullptr;
    } else if (*type_name == "Entity" || *type_name == "EntityOrCommon" ||
               *type_name == "Extension") {
      if (!only({"name"})) return nullptr;
      const Json* name = field(json, "name");
      if (!name) {
        fail("a " + backticked(*type_name) + " type needs a `name`");
        return nullptr;
      }
      std::optional<Name> path = read_path(*name, "type name");
      if (!path) return nullptr;
      if (*type_name == "Extension" && !schema_names::is_unqualified(path->text)) {
        fail("invalid extension type name " + quote(path->text));
        return nullptr;
      }
      type->kind = *type_name == "Entity"           ? Type::Kind::kEntity
                   : *type_name == "EntityOrCommon" ? Type::Kind::kEntityOrCommon
                                                    : Type::Kind::kExtension;
      type->name = std::move(*path);
    } else {
      // Any other name refers to a common type.
      if (!only({})) return nullptr;
      if (!schema_names::is_valid_path(*type_name)) {
        fail("invalid common type name " + quote(*type_name));
        return nullptr;
      }
      type->kind = Type::Kind::kCommon;
      type->name = Name{*type_name, {}};
    }
    return type;
  }

  bool read_record(const Json& json, int depth, Type& type) {
    type.kind = Type::Kind::kRecord;
    if (const Json* additional = field(json, "additionalAttributes")) {
      if (!additional->is_boolean()) return fail("`additionalAttributes` must be a boolean");
      if (additional->get<bool>()) {
        return fail("records with `additionalAttributes: true` are not supported");
      }
    }
    const Json* attributes = field(json, "attributes");
    if (!attributes) return fail("a `Record` type needs `attributes`");
    if (!check_object(*attributes, "`attributes`")) return false;
    for (const auto& [name, value] : attributes->items()) {
      Where where(*this, "attribute " + quote(name));
      schema_ast::Attribute attribute;
      attribute.name = name;
      attribute.type = read_type(value, depth + 1, TypeContext::kAttribute);
      if (!attribute.type) return false;
      if (const Json* required = field(value, "required")) {
        if (!required->is_boolean()) return fail("`required` must be a boolean");
        attribute.required = required->get<bool>();
      }
      if (const Json* annotations = field(value, "annotations")) {
        std::optional<Annotations> read = read_annotations(*annotations);
        if (!read) return false;
        attribute.annotations = std::move(*read);
      }
      type.attributes.push_back(std::move(attribute));
    }
    return true;
  }

  std::string_view source_;
  std::string where_;
  std::string error_;
};

}  // namespace

Result<schema_ast::Fragment> parse_json_schema_fragment(std::string_view text,
                                                        std::string_view source_name) {
  Result<Json> json = read_json(text, source_name);
  if (!json) return json.error();
  return Converter(source_name).run(*json);
}

}  // namespace crossgate::cedar
