#include "policy/cedar/schema/schema.h"

#include <utility>

#include "policy/cedar/schema/cedarschema_parser.h"
#include "policy/cedar/schema/json_schema_parser.h"
#include "policy/cedar/schema/schema_ast.h"
#include "policy/cedar/schema/schema_names.h"
#include "policy/cedar/schema/schema_resolver.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

namespace {

std::string action_key(std::string_view type, std::string_view id) {
  std::string key(type);
  key += '\x1f';
  key += id;
  return key;
}

void append_type(std::string& out, const SchemaType& type) {
  switch (type.kind) {
    case SchemaType::Kind::kBool: out += "Bool"; return;
    case SchemaType::Kind::kLong: out += "Long"; return;
    case SchemaType::Kind::kString: out += "String"; return;
    case SchemaType::Kind::kExtension: out += type.name; return;
    case SchemaType::Kind::kEntity: out += "Entity<" + type.name + ">"; return;
    case SchemaType::Kind::kSet:
      out += "Set<";
      if (type.element) append_type(out, *type.element);
      out += '>';
      return;
    case SchemaType::Kind::kRecord: {
      out += '{';
      bool first = true;
      for (const auto& [name, attribute] : type.attributes) {
        if (!first) out += ", ";
        first = false;
        // Names that could not be written bare in a `.cedarschema` record are quoted.
        if (schema_names::is_identifier(name) && !schema_names::is_reserved_word(name)) {
          out += name;
        } else {
          out += '"';
          append_escaped(out, name);
          out += '"';
        }
        out += attribute.required ? ": " : "?: ";
        if (attribute.type) append_type(out, *attribute.type);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string to_string(const SchemaType& type) {
  std::string out;
  append_type(out, type);
  return out;
}

const EntityTypeDecl* Schema::find_entity_type(std::string_view name) const {
  auto it = entity_types_.find(name);
  return it == entity_types_.end() ? nullptr : &it->second;
}

const ActionDecl* Schema::find_action(std::string_view type, std::string_view id) const {
  auto it = action_index_.find(action_key(type, id));
  return it == action_index_.end() ? nullptr : &actions_[it->second];
}

bool Schema::is_action_type(std::string_view type) const {
  if (type == "Action") return true;
  if (schema_names::basename_of(type) != "Action") return false;
  // Keys are "type\x1fid": the first key at or after "type\x1f" tells whether any action
  // has this type.
  const std::string prefix = action_key(type, "");
  auto it = action_index_.lower_bound(prefix);
  return it != action_index_.end() && it->first.starts_with(prefix);
}

struct SchemaBuilder::Fragments {
  std::vector<schema_ast::Fragment> list;
};

SchemaBuilder::SchemaBuilder() : fragments_(std::make_unique<Fragments>()) {}
SchemaBuilder::~SchemaBuilder() = default;
SchemaBuilder::SchemaBuilder(SchemaBuilder&&) noexcept = default;
SchemaBuilder& SchemaBuilder::operator=(SchemaBuilder&&) noexcept = default;

bool SchemaBuilder::declares_common_type(std::string_view name) const {
  if (!fragments_) return false;
  for (const schema_ast::Fragment& fragment : fragments_->list) {
    for (const schema_ast::Namespace& ns : fragment.namespaces) {
      for (const schema_ast::CommonType& type : ns.common_types) {
        std::string qualified = ns.name.empty() ? type.name.text : ns.name + "::" + type.name.text;
        if (qualified == name) return true;
      }
    }
  }
  return false;
}

Status SchemaBuilder::add_cedarschema(std::string_view text, std::string_view source_name) {
  Result<schema_ast::Fragment> fragment = parse_cedarschema_fragment(text, source_name);
  if (!fragment) return fragment.error();
  if (!fragments_) fragments_ = std::make_unique<Fragments>();  // reused after a move
  fragments_->list.push_back(std::move(fragment).value());
  return Ok{};
}

Status SchemaBuilder::add_json(std::string_view text, std::string_view source_name) {
  Result<schema_ast::Fragment> fragment = parse_json_schema_fragment(text, source_name);
  if (!fragment) return fragment.error();
  if (!fragments_) fragments_ = std::make_unique<Fragments>();  // reused after a move
  fragments_->list.push_back(std::move(fragment).value());
  return Ok{};
}

Result<Schema> SchemaBuilder::build() const {
  Result<ResolvedSchema> resolved =
      resolve_schema(fragments_ ? fragments_->list : std::vector<schema_ast::Fragment>{});
  if (!resolved) return resolved.error();
  Schema schema;
  schema.entity_types_ = std::move(resolved->entity_types);
  schema.actions_ = std::move(resolved->actions);
  for (std::size_t i = 0; i < schema.actions_.size(); ++i) {
    const ActionRef& uid = schema.actions_[i].uid;
    schema.action_index_.emplace(action_key(uid.type, uid.id), i);
  }
  return schema;
}

Result<Schema> parse_cedarschema(std::string_view text, std::string_view source_name) {
  SchemaBuilder builder;
  if (Status status = builder.add_cedarschema(text, source_name); !status) return status.error();
  return builder.build();
}

Result<Schema> parse_json_schema(std::string_view text, std::string_view source_name) {
  SchemaBuilder builder;
  if (Status status = builder.add_json(text, source_name); !status) return status.error();
  return builder.build();
}

}  // namespace crossgate::cedar
