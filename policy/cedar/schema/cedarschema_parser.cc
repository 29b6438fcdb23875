#include "policy/cedar/schema/cedarschema_parser.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "policy/cedar/schema/cedarschema_lexer.h"
#include "policy/cedar/schema/schema_names.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

namespace {

using cedarschema::Token;
using schema_ast::Annotations;
using schema_ast::Name;
using schema_ast::Type;
using schema_ast::TypePtr;

// Recursive descent over the token list. Every parse_* function returns false (or an
// empty optional) after recording the first error; callers stop at once.
class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view source)
      : tokens_(std::move(tokens)), source_(source) {}

  Result<schema_ast::Fragment> run() {
    schema_ast::Fragment fragment;
    fragment.source = std::string(source_);
    std::map<std::string, SourceLoc> namespaces_seen;
    while (peek().kind != Token::Kind::kEnd) {
      std::optional<Annotations> annotations = parse_annotations();
      if (!annotations) return error();
      if (peek().is_word("namespace")) {
        const SourceLoc keyword_loc = peek().loc;
        schema_ast::Namespace ns;
        if (!parse_namespace(ns)) return error();
        ns.annotations = std::move(*annotations);
        auto [it, inserted] = namespaces_seen.emplace(ns.name, keyword_loc);
        if (!inserted) {
          return Error{format_at(source_, keyword_loc,
                                 "duplicate namespace `" + ns.name + "` (first declared at " +
                                     location(it->second) + ")")};
        }
        fragment.namespaces.push_back(std::move(ns));
        continue;
      }
      // A declaration outside any namespace belongs to the empty namespace. Consecutive
      // ones share an entry so that declaration order is kept without many entries.
      if (fragment.namespaces.empty() || !fragment.namespaces.back().name.empty()) {
        fragment.namespaces.emplace_back();
      }
      if (!parse_declaration(fragment.namespaces.back(), std::move(*annotations),
                             /*top_level=*/true)) {
        return error();
      }
    }
    return fragment;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t index = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[index];
  }
  const Token& take() {
    const Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return token;
  }

  Error error() const { return Error{error_}; }

  bool fail_at(SourceLoc loc, std::string_view message) {
    error_ = format_at(source_, loc, message);
    return false;
  }

  // "unexpected `}`, expected `;`"; a lexical error is reported as itself.
  bool unexpected(std::string_view expected) {
    const Token& token = peek();
    if (token.kind == Token::Kind::kError) return fail_at(token.loc, token.text);
    return fail_at(token.loc, "unexpected " + cedarschema::describe(token) + ", expected " +
                                  std::string(expected));
  }

  bool expect_punct(std::string_view spelling) {
    if (peek().is_punct(spelling)) {
      take();
      return true;
    }
    return unexpected("`" + std::string(spelling) + "`");
  }

  std::string location(SourceLoc loc) const {
    return std::to_string(loc.line) + ":" + std::to_string(loc.column);
  }

  // `@key` or `@key("value")`; any identifier (reserved words included) may be a key.
  std::optional<Annotations> parse_annotations() {
    Annotations annotations;
    std::map<std::string, SourceLoc> seen;
    while (peek().is_punct("@")) {
      take();
      if (peek().kind != Token::Kind::kIdentifier) {
        unexpected("an annotation name");
        return std::nullopt;
      }
      const Token& key = take();
      std::string value;
      if (peek().is_punct("(")) {
        take();
        if (peek().kind != Token::Kind::kString) {
          unexpected("a string");
          return std::nullopt;
        }
        value = take().text;
        if (!expect_punct(")")) return std::nullopt;
      }
      if (!seen.emplace(key.text, key.loc).second) {
        fail_at(key.loc, "duplicate annotation `@" + key.text + "`");
        return std::nullopt;
      }
      annotations.emplace(key.text, std::move(value));
    }
    return annotations;
  }

  // An identifier that is not one of the policy language's reserved words.
  std::optional<Name> parse_ident(std::string_view expected) {
    const Token& token = peek();
    if (token.kind != Token::Kind::kIdentifier) {
      unexpected(expected);
      return std::nullopt;
    }
    if (schema_names::is_reserved_word(token.text)) {
      fail_at(token.loc, "`" + token.text + "` is a reserved identifier");
      return std::nullopt;
    }
    take();
    return Name{token.text, token.loc};
  }

  // Ident {`::` Ident}
  std::optional<Name> parse_path(std::string_view expected) {
    std::optional<Name> path = parse_ident(expected);
    if (!path) return std::nullopt;
    while (peek().is_punct("::")) {
      take();
      std::optional<Name> part = parse_ident("an identifier");
      if (!part) return std::nullopt;
      path->text += "::";
      path->text += part->text;
    }
    return path;
  }

  // An identifier or a string: the names of actions and attributes.
  std::optional<Name> parse_name(std::string_view expected) {
    if (peek().kind == Token::Kind::kString) {
      const Token& token = take();
      return Name{token.text, token.loc};
    }
    return parse_ident(expected);
  }

  bool parse_namespace(schema_ast::Namespace& ns) {
    take();  // `namespace`
    std::optional<Name> name = parse_path("a namespace name");
    if (!name) return false;
    ns.name = std::move(name->text);
    ns.loc = name->loc;
    if (!expect_punct("{")) return false;
    while (!peek().is_punct("}")) {
      std::optional<Annotations> annotations = parse_annotations();
      if (!annotations) return false;
      if (!parse_declaration(ns, std::move(*annotations), /*top_level=*/false)) return false;
    }
    take();  // `}`
    return true;
  }

  bool parse_declaration(schema_ast::Namespace& ns, Annotations annotations, bool top_level) {
    if (peek().is_word("entity")) return parse_entity(ns, std::move(annotations));
    if (peek().is_word("action")) return parse_action(ns, std::move(annotations));
    if (peek().is_word("type")) return parse_common_type(ns, std::move(annotations));
    return unexpected(top_level ? "`namespace`, `entity`, `action` or `type`"
                                : "`entity`, `action`, `type` or `}`");
  }

  // Path | `[` [Path {`,` Path}] `]`
  std::optional<std::vector<Name>> parse_entity_types() {
    std::vector<Name> types;
    if (!peek().is_punct("[")) {
      std::optional<Name> path = parse_path("an entity type or `[`");
      if (!path) return std::nullopt;
      types.push_back(std::move(*path));
      return types;
    }
    take();
    if (!peek().is_punct("]")) {
      while (true) {
        std::optional<Name> path = parse_path("an entity type");
        if (!path) return std::nullopt;
        types.push_back(std::move(*path));
        if (!peek().is_punct(",")) break;
        take();
      }
    }
    if (!expect_punct("]")) return std::nullopt;
    return types;
  }

  // `entity` Idents [`in` EntTypes] [[`=`] RecType] [`tags` Type] `;`
  // | `entity` Idents `enum` `[` STR {`,` STR} `]` `;`
  bool parse_entity(schema_ast::Namespace& ns, Annotations annotations) {
    take();  // `entity`
    std::vector<Name> names;
    do {
      if (!names.empty()) take();  // `,`
      std::optional<Name> name = parse_ident("an entity type name");
      if (!name) return false;
      names.push_back(std::move(*name));
    } while (peek().is_punct(","));

    schema_ast::EntityType decl;
    decl.annotations = std::move(annotations);
    // What may still follow, for the message when something else does.
    std::string expected = "`in`, `=`, `{`, `tags`, `enum` or `;`";
    if (peek().is_word("enum")) {
      expected = "`;`";
      take();
      if (!expect_punct("[")) return false;
      std::vector<std::string> ids;
      do {
        if (!ids.empty()) take();  // `,`
        if (peek().kind != Token::Kind::kString) return unexpected("a string");
        ids.push_back(take().text);
      } while (peek().is_punct(","));
      if (!expect_punct("]")) return false;
      decl.enum_ids = std::move(ids);
    } else {
      if (peek().is_word("in")) {
        take();
        std::optional<std::vector<Name>> parents = parse_entity_types();
        if (!parents) return false;
        decl.parents = std::move(*parents);
        expected = "`=`, `{`, `tags` or `;`";
      }
      if (peek().is_punct("=") || peek().is_punct("{")) {
        if (peek().is_punct("=")) take();
        if (!peek().is_punct("{")) return unexpected("`{`");
        decl.shape = parse_record(1);
        if (!decl.shape) return false;
        expected = "`tags` or `;`";
      }
      if (peek().is_word("tags")) {
        take();
        decl.tags = parse_type(1);
        if (!decl.tags) return false;
        expected = "`;`";
      }
    }
    if (!peek().is_punct(";")) return unexpected(expected);
    take();
    for (Name& name : names) {
      schema_ast::EntityType copy = decl;
      copy.name = std::move(name);
      ns.entity_types.push_back(std::move(copy));
    }
    return true;
  }

  // Name | Path `::` STR: an action, by id alone or with its action entity type.
  std::optional<schema_ast::ActionRef> parse_action_ref() {
    schema_ast::ActionRef ref;
    ref.loc = peek().loc;
    if (peek().kind == Token::Kind::kString) {
      ref.id = take().text;
      return ref;
    }
    std::optional<Name> path = parse_ident("an action name");
    if (!path) return std::nullopt;
    while (peek().is_punct("::")) {
      take();
      if (peek().kind == Token::Kind::kString) {
        ref.type = std::move(path);
        ref.id = take().text;
        return ref;
      }
      std::optional<Name> part = parse_ident("an identifier or a string");
      if (!part) return std::nullopt;
      path->text += "::";
      path->text += part->text;
    }
    if (!schema_names::is_unqualified(path->text)) {
      fail_at(path->loc, "an action reference needs a quoted id, as in `" +
                             std::string(schema_names::namespace_of(path->text)) + "::\"" +
                             std::string(schema_names::basename_of(path->text)) + "\"`");
      return std::nullopt;
    }
    ref.id = std::move(path->text);
    return ref;
  }

  // `action` Names [`in` QualName | `[` QualNames `]`]
  //   [`appliesTo` `{` AppDecls `}`] [`attributes` `{` `}`] `;`
  bool parse_action(schema_ast::Namespace& ns, Annotations annotations) {
    take();  // `action`
    std::vector<Name> names;
    do {
      if (!names.empty()) take();  // `,`
      std::optional<Name> name = parse_name("an action name");
      if (!name) return false;
      names.push_back(std::move(*name));
    } while (peek().is_punct(","));

    schema_ast::Action decl;
    decl.annotations = std::move(annotations);
    std::string expected = "`in`, `appliesTo`, `attributes` or `;`";
    if (peek().is_word("in")) {
      take();
      const bool list = peek().is_punct("[");
      if (list) take();
      do {
        if (!decl.parents.empty()) take();  // `,`
        std::optional<schema_ast::ActionRef> parent = parse_action_ref();
        if (!parent) return false;
        decl.parents.push_back(std::move(*parent));
      } while (list && peek().is_punct(","));
      if (list && !expect_punct("]")) return false;
      expected = "`appliesTo`, `attributes` or `;`";
    }
    if (peek().is_word("appliesTo")) {
      take();
      if (!parse_applies_to(decl, names.front())) return false;
      expected = "`attributes` or `;`";
    }
    // The grammar still accepts an empty `attributes {}` from older schemas.
    if (peek().is_word("attributes")) {
      take();
      if (!expect_punct("{") || !expect_punct("}")) return false;
      expected = "`;`";
    }
    if (!peek().is_punct(";")) return unexpected(expected);
    take();
    for (Name& name : names) {
      schema_ast::Action copy = decl;
      copy.name = std::move(name);
      ns.actions.push_back(std::move(copy));
    }
    return true;
  }

  // `{` (`principal` | `resource`) `:` EntTypes | `context` `:` (Path | RecType),
  // separated by commas with an optional trailing one, `}`.
  bool parse_applies_to(schema_ast::Action& decl, const Name& action) {
    if (!expect_punct("{")) return false;
    decl.has_applies_to = true;
    const std::string action_name = quote(action.text);
    std::optional<SourceLoc> principal_at, resource_at, context_at;
    while (true) {
      const Token& keyword = peek();
      const SourceLoc at = keyword.loc;
      const bool principal = keyword.is_word("principal");
      if (principal || keyword.is_word("resource")) {
        const std::string kind = keyword.text;
        std::optional<SourceLoc>& seen = principal ? principal_at : resource_at;
        if (seen) {
          return fail_at(at, "duplicate `" + kind + "` declaration in action " + action_name +
                                 " (first at " + location(*seen) + ")");
        }
        seen = at;
        take();
        if (!expect_punct(":")) return false;
        std::optional<std::vector<Name>> types = parse_entity_types();
        if (!types) return false;
        if (types->empty()) {
          return fail_at(at, "the `" + kind + "` of action " + action_name +
                                 " is `[]`; it must name at least one entity type");
        }
        (principal ? decl.principal_types : decl.resource_types) = std::move(*types);
      } else if (keyword.is_word("context")) {
        if (context_at) {
          return fail_at(at, "duplicate `context` declaration in action " + action_name +
                                 " (first at " + location(*context_at) + ")");
        }
        context_at = at;
        take();
        if (!expect_punct(":")) return false;
        if (peek().is_punct("{")) {
          decl.context = parse_record(1);
          if (!decl.context) return false;
        } else {
          std::optional<Name> name = parse_path("a record type or a common type name");
          if (!name) return false;
          auto type = std::make_shared<Type>();
          type->kind = Type::Kind::kCommon;
          type->loc = name->loc;
          type->name = std::move(*name);
          decl.context = std::move(type);
        }
      } else {
        return unexpected("`principal`, `resource` or `context`");
      }
      if (!peek().is_punct(",")) break;
      take();
      if (peek().is_punct("}")) break;
    }
    if (!expect_punct("}")) return false;
    if (!principal_at) {
      return fail_at(action.loc,
                     "action " + action_name + " has no `principal` declaration in `appliesTo`");
    }
    if (!resource_at) {
      return fail_at(action.loc,
                     "action " + action_name + " has no `resource` declaration in `appliesTo`");
    }
    return true;
  }

  // `type` Ident `=` Type `;`
  bool parse_common_type(schema_ast::Namespace& ns, Annotations annotations) {
    take();  // `type`
    std::optional<Name> name = parse_ident("a common type name");
    if (!name) return false;
    if (!expect_punct("=")) return false;
    TypePtr type = parse_type(1);
    if (!type) return false;
    if (!expect_punct(";")) return false;
    ns.common_types.push_back({std::move(*name), std::move(type), std::move(annotations)});
    return true;
  }

  bool check_depth(int depth) {
    if (depth <= schema_ast::kMaxTypeDepth) return true;
    return fail_at(peek().loc, "types nest more than " + std::to_string(schema_ast::kMaxTypeDepth) +
                                   " levels deep");
  }

  // `Set` `<` Type `>` | RecType | Path
  TypePtr parse_type(int depth) {
    if (!check_depth(depth)) return nullptr;
    const Token& token = peek();
    if (token.is_punct("{")) return parse_record(depth);
    if (token.is_word("Set") && peek(1).is_punct("<")) {
      auto type = std::make_shared<Type>();
      type->kind = Type::Kind::kSet;
      type->loc = token.loc;
      take();
      take();
      type->element = parse_type(depth + 1);
      if (!type->element || !expect_punct(">")) return nullptr;
      return type;
    }
    std::optional<Name> name = parse_path("a type");
    if (!name) return nullptr;
    auto type = std::make_shared<Type>();
    type->kind = Type::Kind::kEntityOrCommon;
    type->loc = name->loc;
    type->name = std::move(*name);
    return type;
  }

  // `{` [Annotations Name [`?`] `:` Type {`,` ...} [`,`]] `}`
  TypePtr parse_record(int depth) {
    if (!check_depth(depth)) return nullptr;
    auto record = std::make_shared<Type>();
    record->kind = Type::Kind::kRecord;
    record->loc = peek().loc;
    if (!expect_punct("{")) return nullptr;
    std::set<std::string, std::less<>> names;
    while (!peek().is_punct("}")) {
      schema_ast::Attribute attribute;
      std::optional<Annotations> annotations = parse_annotations();
      if (!annotations) return nullptr;
      attribute.annotations = std::move(*annotations);
      std::optional<Name> name = parse_name("an attribute name or `}`");
      if (!name) return nullptr;
      attribute.loc = name->loc;
      if (!names.insert(name->text).second) {
        fail_at(name->loc, "duplicate attribute " + quote(name->text) + " in record type");
        return nullptr;
      }
      attribute.name = std::move(name->text);
      if (peek().is_punct("?")) {
        take();
        attribute.required = false;
      }
      if (!expect_punct(":")) return nullptr;
      attribute.type = parse_type(depth + 1);
      if (!attribute.type) return nullptr;
      record->attributes.push_back(std::move(attribute));
      if (!peek().is_punct(",")) break;
      take();
    }
    if (!expect_punct("}")) return nullptr;
    return record;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string_view source_;
  std::string error_;
};

}  // namespace

Result<schema_ast::Fragment> parse_cedarschema_fragment(std::string_view text,
                                                        std::string_view source_name) {
  return Parser(cedarschema::tokenize(text), source_name).run();
}

}  // namespace crossgate::cedar
