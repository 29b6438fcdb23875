#include "policy/cedar/parser/policy_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <set>

#include "policy/cedar/parser/lexer.h"
#include "policy/cedar/parser/unescape.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar::parser {
namespace {

using ast::BinaryOp;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

constexpr std::array<std::string_view, 9> kReserved = {"true", "false", "if",  "then", "else",
                                                       "in",   "is",    "has", "like"};
constexpr std::array<std::string_view, 4> kExtensionFunctions = {"ip", "decimal", "datetime",
                                                                 "duration"};
constexpr std::array<std::string_view, 18> kExtensionMethods = {
    "lessThan",      "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "isIpv4",
    "isIpv6",        "isLoopback",      "isMulticast", "isInRange",          "offset",
    "durationSince", "toDate",          "toTime",      "toMilliseconds",     "toSeconds",
    "toMinutes",     "toHours",         "toDays"};
constexpr std::array<std::string_view, 6> kBuiltinMethods = {
    "contains", "containsAll", "containsAny", "isEmpty", "getTag", "hasTag"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<ast::Var> var_of(std::string_view name) {
  if (name == "principal") return ast::Var::kPrincipal;
  if (name == "action") return ast::Var::kAction;
  if (name == "resource") return ast::Var::kResource;
  if (name == "context") return ast::Var::kContext;
  return std::nullopt;
}

// The parser stops at the first error; this carries it to the entry point.
struct SyntaxError {
  SourceLoc loc;
  std::string message;
};

// A name as written: `A::B::c`, with where it started.
struct Path {
  std::vector<std::string_view> components;
  SourceLoc loc;
  std::string joined() const {
    std::string out;
    for (std::size_t i = 0; i < components.size(); ++i) {
      if (i > 0) out += "::";
      out += components[i];
    }
    return out;
  }
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view source)
      : tokens_(std::move(tokens)), source_(source) {}

  std::vector<ast::Policy> policies(const ParseOptions& options) {
    std::vector<ast::Policy> out;
    while (peek().kind != TokenKind::kEnd) {
      out.push_back(policy(options.id_prefix + std::to_string(options.first_index + out.size())));
    }
    return out;
  }

  ExprPtr standalone_expression() {
    ExprPtr e = expression();
    expect(TokenKind::kEnd, "end of the expression");
    if (has_slot(*e)) fail(e->loc, "template slots can appear only in the policy scope");
    return e;
  }

  ast::EntityRef standalone_entity_ref() {
    Path path = name_path(/*allow_reserved=*/false);
    ast::EntityRef ref = entity_ref_after_path(path);
    expect(TokenKind::kEnd, "end of the entity reference");
    return ref;
  }

 private:
  // ---- token access -------------------------------------------------------------------

  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_word(std::string_view word) const {
    return peek().kind == TokenKind::kIdent && peek().text == word;
  }
  bool accept(TokenKind kind) {
    if (!at(kind)) return false;
    next();
    return true;
  }

  [[noreturn]] void fail(SourceLoc loc, std::string message) const {
    throw SyntaxError{loc, std::move(message)};
  }

  std::string describe(const Token& t) const {
    switch (t.kind) {
      case TokenKind::kIdent: return "`" + std::string(t.text) + "`";
      case TokenKind::kNumber: return "number `" + std::string(t.text) + "`";
      case TokenKind::kString: return "string literal";
      case TokenKind::kSlot: return "`" + std::string(t.text) + "`";
      default: return std::string(token_kind_text(t.kind));
    }
  }

  [[noreturn]] void unexpected(std::string_view wanted) const {
    const Token& t = peek();
    if (t.kind == TokenKind::kInvalid) fail(t.loc, lexer_error_);
    fail(t.loc, "expected " + std::string(wanted) + ", found " + describe(t));
  }

  const Token& expect(TokenKind kind, std::string_view wanted) {
    if (!at(kind)) unexpected(wanted);
    return next();
  }

  void expect_word(std::string_view word) {
    if (!at_word(word)) unexpected("`" + std::string(word) + "`");
    next();
  }

  // ---- nesting limits -----------------------------------------------------------------

  struct DepthGuard {
    Parser& parser;
    DepthGuard(Parser& p, SourceLoc loc) : parser(p) {
      if (++parser.depth_ > kMaxNesting) {
        parser.fail(loc, "expression nests deeper than " + std::to_string(kMaxNesting) + " levels");
      }
    }
    ~DepthGuard() { --parser.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  };

  ExprPtr leaf(ExprKind kind, SourceLoc loc) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = loc;
    return e;
  }

  // Attaches children and enforces the height limit, so that chains like `1+1+...+1`
  // (parsed by loops, not recursion) cannot produce a tree too tall to walk.
  ExprPtr with_children(ExprPtr e, std::vector<ExprPtr> children) {
    int height = 1;
    for (const ExprPtr& c : children)
      height = std::max(height, 1 + c->height);
    if (height > kMaxNesting) {
      fail(e->loc, "expression nests deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    e->height = static_cast<std::uint16_t>(height);
    e->children = std::move(children);
    return e;
  }

  ExprPtr unary(ast::UnaryOp op, ExprPtr operand, SourceLoc loc) {
    ExprPtr e = leaf(ExprKind::kUnary, loc);
    e->unary_op = op;
    std::vector<ExprPtr> children;
    children.push_back(std::move(operand));
    return with_children(std::move(e), std::move(children));
  }

  ExprPtr binary(ExprKind kind, BinaryOp op, ExprPtr left, ExprPtr right, SourceLoc loc) {
    ExprPtr e = leaf(kind, loc);
    e->binary_op = op;
    std::vector<ExprPtr> children;
    children.push_back(std::move(left));
    children.push_back(std::move(right));
    return with_children(std::move(e), std::move(children));
  }

  ExprPtr attribute(ExprKind kind, ExprPtr target, std::string name, SourceLoc loc) {
    ExprPtr e = leaf(kind, loc);
    e->text = std::move(name);
    std::vector<ExprPtr> children;
    children.push_back(std::move(target));
    return with_children(std::move(e), std::move(children));
  }

  // ---- identifiers and names ----------------------------------------------------------

  void check_unreserved(std::string_view name, SourceLoc loc) const {
    if (contains(kReserved, name)) {
      fail(loc, "this identifier is reserved and cannot be used: " + std::string(name));
    }
    if (name == "__cedar") fail(loc, "`__cedar` is reserved and cannot be used");
  }

  // IDENT { '::' IDENT }, stopping before `::` followed by anything but an identifier.
  Path name_path(bool allow_reserved) {
    Path path;
    path.loc = peek().loc;
    path.components.push_back(expect(TokenKind::kIdent, "a name").text);
    while (at(TokenKind::kColonColon) && peek(1).kind == TokenKind::kIdent) {
      next();
      path.components.push_back(next().text);
    }
    if (!allow_reserved) check_path(path);
    return path;
  }

  void check_path(const Path& path) const {
    for (std::string_view c : path.components)
      check_unreserved(c, path.loc);
  }

  std::string string_literal(const Token& token) const {
    std::string out;
    UnescapeError error;
    if (!unescape_string(token.text, out, error)) {
      fail(location_in_string(token.loc, token.text, error.offset), error.message);
    }
    return out;
  }

  // After a path: `::` STRING makes an entity reference.
  ast::EntityRef entity_ref_after_path(const Path& path) {
    check_path(path);
    if (at(TokenKind::kColonColon) && peek(1).kind == TokenKind::kLBrace) {
      fail(peek(1).loc, "invalid entity literal: entity references are written `Type::\"id\"`");
    }
    expect(TokenKind::kColonColon, "`::` and a quoted entity id");
    const Token& id = expect(TokenKind::kString, "a quoted entity id");
    return ast::EntityRef{path.joined(), string_literal(id)};
  }

  ast::EntityRef entity_ref(std::string_view what) {
    if (!at(TokenKind::kIdent)) unexpected(what);
    Path path = name_path(/*allow_reserved=*/true);
    if (!at(TokenKind::kColonColon)) {
      fail(path.loc, "expected " + std::string(what) + ", found `" + path.joined() + "`");
    }
    return entity_ref_after_path(path);
  }

  // ---- policies -----------------------------------------------------------------------

  ast::Policy policy(std::string id) {
    ast::Policy p;
    p.id = std::move(id);
    p.source = std::string(source_);
    p.loc = peek().loc;
    std::set<std::string, std::less<>> keys;
    while (at(TokenKind::kAt)) {
      ast::Annotation a = annotation();
      if (!keys.insert(a.key).second) fail(a.loc, "duplicate annotation: @" + a.key);
      p.annotations.push_back(std::move(a));
    }
    const Token& effect = expect(TokenKind::kIdent, "`permit` or `forbid`");
    if (effect.text == "permit") {
      p.effect = ast::Effect::kPermit;
    } else if (effect.text == "forbid") {
      p.effect = ast::Effect::kForbid;
    } else {
      fail(effect.loc, "invalid policy effect: " + std::string(effect.text) +
                           " (expected `permit` or `forbid`)");
    }
    scope(p, effect.loc);
    while (at(TokenKind::kIdent))
      p.conditions.push_back(condition());
    if (!at(TokenKind::kSemicolon)) unexpected("`when`, `unless` or `;`");
    next();
    return p;
  }

  ast::Annotation annotation() {
    ast::Annotation a;
    a.loc = expect(TokenKind::kAt, "`@`").loc;
    a.key = std::string(expect(TokenKind::kIdent, "an annotation name").text);
    if (accept(TokenKind::kLParen)) {
      a.value = string_literal(expect(TokenKind::kString, "a string literal"));
      expect(TokenKind::kRParen, "`)`");
    }
    return a;
  }

  void scope(ast::Policy& p, SourceLoc effect_loc) {
    expect(TokenKind::kLParen, "`(`");
    int index = 0;
    SourceLoc last = effect_loc;
    while (!at(TokenKind::kRParen)) {
      switch (index) {
        case 0: p.principal = principal_or_resource(ast::Var::kPrincipal); break;
        case 1: p.action = action_scope(); break;
        case 2: p.resource = principal_or_resource(ast::Var::kResource); break;
        default: fail(peek().loc, "this policy has an extra element in the scope");
      }
      ++index;
      last = peek().loc;
      if (!accept(TokenKind::kComma)) break;
    }
    if (!at(TokenKind::kRParen)) unexpected("`,` or `)`");
    static constexpr std::array<std::string_view, 3> kNames = {"principal", "action", "resource"};
    if (index < 3) {
      fail(last, "this policy is missing the `" +
                     std::string(kNames[static_cast<std::size_t>(index)]) +
                     "` variable in the scope");
    }
    next();
  }

  void scope_variable(ast::Var expected) {
    const Token& t =
        expect(TokenKind::kIdent, std::string("`") + std::string(ast::var_name(expected)) + "`");
    std::optional<ast::Var> var = var_of(t.text);
    if (!var || *var == ast::Var::kContext) {
      fail(t.loc, "found an invalid variable in the policy scope: " + std::string(t.text));
    }
    if (*var != expected) {
      fail(t.loc, "found the variable `" + std::string(t.text) + "` where the variable `" +
                      std::string(ast::var_name(expected)) + "` must be used");
    }
    if (at(TokenKind::kColon)) fail(peek().loc, "type constraints using `:` are not supported");
  }

  ast::EntityOrSlot entity_or_slot(ast::Var var) {
    ast::EntityOrSlot target;
    if (at(TokenKind::kSlot)) {
      const Token& slot = next();
      ast::SlotId wanted =
          var == ast::Var::kPrincipal ? ast::SlotId::kPrincipal : ast::SlotId::kResource;
      if (slot.text != "?principal" && slot.text != "?resource") {
        fail(slot.loc, "`" + std::string(slot.text) + "` is not a valid template slot");
      }
      if (slot.text != ast::slot_name(wanted)) {
        fail(slot.loc, "expected an entity uid or matching template slot, found `" +
                           std::string(slot.text) + "`");
      }
      target.is_slot = true;
      target.slot = wanted;
      return target;
    }
    target.entity = entity_ref("an entity uid or matching template slot");
    return target;
  }

  ast::ScopeConstraint principal_or_resource(ast::Var var) {
    ast::ScopeConstraint c;
    c.loc = peek().loc;
    scope_variable(var);
    bool has_is = false;
    if (at_word("is")) {
      next();
      Path type = name_path(/*allow_reserved=*/false);
      if (at(TokenKind::kColonColon)) {
        fail(type.loc, "right hand side of an `is` expression must be an entity type name");
      }
      c.entity_type = type.joined();
      c.kind = ast::ScopeConstraint::Kind::kIs;
      has_is = true;
    }
    if (at(TokenKind::kEqEq)) {
      if (has_is) fail(peek().loc, "`is` cannot be used together with `==`");
      next();
      c.kind = ast::ScopeConstraint::Kind::kEq;
      c.target = entity_or_slot(var);
    } else if (at_word("in")) {
      next();
      c.kind = has_is ? ast::ScopeConstraint::Kind::kIsIn : ast::ScopeConstraint::Kind::kIn;
      c.target = entity_or_slot(var);
    } else {
      reject_scope_operator();
    }
    if (at_word("is"))
      fail(peek().loc, "when `is` and `in` are used together, `is` must come first");
    return c;
  }

  void reject_scope_operator() {
    switch (peek().kind) {
      case TokenKind::kAssign: fail(peek().loc, "'=' is not a valid operator in Cedar; use `==`");
      case TokenKind::kNotEq:
      case TokenKind::kLess:
      case TokenKind::kLessEq:
      case TokenKind::kGreater:
      case TokenKind::kGreaterEq:
        fail(peek().loc,
             "invalid operator in the policy scope: " + std::string(token_kind_text(peek().kind)));
      default: return;
    }
  }

  ast::ActionConstraint action_scope() {
    ast::ActionConstraint c;
    c.loc = peek().loc;
    scope_variable(ast::Var::kAction);
    if (at_word("is")) fail(peek().loc, "`is` cannot appear in the action scope");
    SourceLoc rhs = peek(1).loc;
    if (accept(TokenKind::kEqEq)) {
      c.kind = ast::ActionConstraint::Kind::kEq;
      if (at(TokenKind::kLBracket)) {
        fail(peek().loc, "expected a single entity uid, found a set of entity uids");
      }
      c.entities.push_back(entity_ref("an entity uid"));
    } else if (at_word("in")) {
      next();
      c.kind = ast::ActionConstraint::Kind::kIn;
      if (accept(TokenKind::kLBracket)) {
        c.written_as_list = true;
        while (!at(TokenKind::kRBracket)) {
          c.entities.push_back(entity_ref("an entity uid"));
          if (!accept(TokenKind::kComma)) break;
        }
        expect(TokenKind::kRBracket, "`,` or `]`");
      } else {
        c.entities.push_back(entity_ref("an entity uid or set of entity uids"));
      }
    } else {
      if (at(TokenKind::kAssign))
        fail(peek().loc, "'=' is not a valid operator in Cedar; use `==`");
      if (at(TokenKind::kNotEq) || at(TokenKind::kLess) || at(TokenKind::kLessEq) ||
          at(TokenKind::kGreater) || at(TokenKind::kGreaterEq)) {
        fail(peek().loc,
             "invalid operator in the action scope: " + std::string(token_kind_text(peek().kind)));
      }
      return c;
    }
    if (at_word("is")) fail(peek().loc, "`is` cannot appear in the action scope");
    for (const ast::EntityRef& e : c.entities) {
      if (!is_action_entity_type(e.type)) {
        fail(rhs, "expected an entity uid with type `Action` but got `" + e.type + "::\"" + e.id +
                      "\"`");
      }
    }
    return c;
  }

  ast::Condition condition() {
    ast::Condition c;
    const Token& kind = next();
    c.loc = kind.loc;
    if (kind.text == "when") {
      c.is_when = true;
    } else if (kind.text == "unless") {
      c.is_when = false;
    } else {
      fail(kind.loc, "invalid policy condition: " + std::string(kind.text) +
                         " (expected `when` or `unless`)");
    }
    expect(TokenKind::kLBrace, "`{`");
    if (at(TokenKind::kRBrace)) {
      fail(kind.loc, "`" + std::string(kind.text) + "` condition clause cannot be empty");
    }
    c.body = expression();
    expect(TokenKind::kRBrace, "`}`");
    if (const Expr* slot = find_slot(*c.body)) {
      fail(slot->loc, "found template slot " + std::string(ast::slot_name(slot->slot)) + " in a `" +
                          std::string(kind.text) + "` clause");
    }
    return c;
  }

  static const Expr* find_slot(const Expr& e) {
    if (e.kind == ExprKind::kSlot) return &e;
    for (const ExprPtr& c : e.children) {
      if (const Expr* s = find_slot(*c)) return s;
    }
    return nullptr;
  }
  static bool has_slot(const Expr& e) { return find_slot(e) != nullptr; }

  // ---- expressions --------------------------------------------------------------------

  ExprPtr expression() {
    DepthGuard guard(*this, peek().loc);
    if (at_word("if")) {
      SourceLoc loc = next().loc;
      std::vector<ExprPtr> parts;
      parts.push_back(expression());
      expect_word("then");
      parts.push_back(expression());
      expect_word("else");
      parts.push_back(expression());
      return with_children(leaf(ExprKind::kIf, loc), std::move(parts));
    }
    return disjunction();
  }

  ExprPtr disjunction() {
    ExprPtr left = conjunction();
    while (at(TokenKind::kOrOr)) {
      SourceLoc loc = next().loc;
      left = binary(ExprKind::kOr, BinaryOp::kEq, std::move(left), conjunction(), loc);
    }
    return left;
  }

  ExprPtr conjunction() {
    ExprPtr left = relation();
    while (at(TokenKind::kAndAnd)) {
      SourceLoc loc = next().loc;
      left = binary(ExprKind::kAnd, BinaryOp::kEq, std::move(left), relation(), loc);
    }
    return left;
  }

  std::optional<BinaryOp> relational_operator() const {
    switch (peek().kind) {
      case TokenKind::kEqEq: return BinaryOp::kEq;
      case TokenKind::kNotEq: return BinaryOp::kNotEq;
      case TokenKind::kLess: return BinaryOp::kLess;
      case TokenKind::kLessEq: return BinaryOp::kLessEq;
      case TokenKind::kGreater: return BinaryOp::kGreater;
      case TokenKind::kGreaterEq: return BinaryOp::kGreaterEq;
      case TokenKind::kIdent:
        if (peek().text == "in") return BinaryOp::kIn;
        return std::nullopt;
      default: return std::nullopt;
    }
  }

  ExprPtr relation() {
    SourceLoc loc = peek().loc;
    ExprPtr left = additive();
    if (at(TokenKind::kAssign)) fail(peek().loc, "'=' is not a valid operator in Cedar; use `==`");
    if (std::optional<BinaryOp> op = relational_operator()) {
      next();
      ExprPtr right = additive();
      if (relational_operator() || at(TokenKind::kAssign)) {
        fail(loc,
             "multiple relational operators (>, ==, in, etc.) must be used with parentheses to "
             "make ordering explicit");
      }
      return binary(ExprKind::kBinary, *op, std::move(left), std::move(right), loc);
    }
    if (at_word("has")) {
      next();
      return has_chain(std::move(left), loc);
    }
    if (at_word("like")) {
      next();
      const Token& pattern = peek();
      if (pattern.kind != TokenKind::kString || continues_operand(peek(1).kind)) {
        fail(pattern.loc, "right hand side of a `like` expression must be a pattern literal");
      }
      next();
      ExprPtr e = leaf(ExprKind::kLike, loc);
      UnescapeError error;
      if (!unescape_pattern(pattern.text, e->pattern, error)) {
        fail(location_in_string(pattern.loc, pattern.text, error.offset), error.message);
      }
      std::vector<ExprPtr> children;
      children.push_back(std::move(left));
      return with_children(std::move(e), std::move(children));
    }
    if (at_word("is")) {
      next();
      if (!at(TokenKind::kIdent)) {
        fail(peek().loc, "right hand side of an `is` expression must be an entity type name");
      }
      Path type = name_path(/*allow_reserved=*/false);
      if (at(TokenKind::kColonColon) || continues_operand(peek().kind)) {
        fail(type.loc, "right hand side of an `is` expression must be an entity type name");
      }
      ExprPtr e = leaf(ExprKind::kIs, loc);
      e->text = type.joined();
      std::vector<ExprPtr> children;
      children.push_back(std::move(left));
      if (at_word("in")) {
        next();
        children.push_back(additive());
      }
      return with_children(std::move(e), std::move(children));
    }
    return left;
  }

  // Tokens that would make the operand of `like`, `has` or `is` more than a literal.
  static bool continues_operand(TokenKind kind) {
    switch (kind) {
      case TokenKind::kDot:
      case TokenKind::kLBracket:
      case TokenKind::kLParen:
      case TokenKind::kPlus:
      case TokenKind::kMinus:
      case TokenKind::kStar:
      case TokenKind::kSlash:
      case TokenKind::kPercent: return true;
      default: return false;
    }
  }

  // `e has a`, `e has "a b"`, and the dotted form `e has a.b.c`, which means
  // `e has a && e.a has b && e.a.b has c`.
  ExprPtr has_chain(ExprPtr target, SourceLoc loc) {
    std::vector<std::string> names;
    const Token& first = peek();
    if (first.kind == TokenKind::kString) {
      next();
      if (continues_operand(peek().kind)) fail(first.loc, "invalid RHS of a `has` operation");
      names.push_back(string_literal(first));
    } else if (first.kind == TokenKind::kIdent) {
      next();
      check_unreserved(first.text, first.loc);
      if (at(TokenKind::kColonColon)) {
        fail(first.loc, "`" + std::string(first.text) +
                            "::...` cannot be used as an attribute as it contains a namespace");
      }
      names.emplace_back(first.text);
      while (at(TokenKind::kDot)) {
        next();
        const Token& part = expect(TokenKind::kIdent, "an attribute name");
        check_unreserved(part.text, part.loc);
        names.emplace_back(part.text);
      }
      if (continues_operand(peek().kind)) fail(first.loc, "invalid RHS of a `has` operation");
    } else {
      fail(first.loc, "invalid RHS of a `has` operation: expected an attribute name");
    }
    ExprPtr result;
    ExprPtr path = std::move(target);
    for (std::size_t i = 0; i < names.size(); ++i) {
      ExprPtr test = attribute(ExprKind::kHasAttr, ast::clone(*path), names[i], loc);
      result = result
                   ? binary(ExprKind::kAnd, BinaryOp::kEq, std::move(result), std::move(test), loc)
                   : std::move(test);
      if (i + 1 < names.size())
        path = attribute(ExprKind::kGetAttr, std::move(path), names[i], loc);
    }
    return result;
  }

  ExprPtr additive() {
    ExprPtr left = multiplicative();
    while (at(TokenKind::kPlus) || at(TokenKind::kMinus)) {
      const Token& op = next();
      BinaryOp kind = op.kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSub;
      left = binary(ExprKind::kBinary, kind, std::move(left), multiplicative(), op.loc);
    }
    return left;
  }

  ExprPtr multiplicative() {
    ExprPtr left = prefixed();
    while (true) {
      if (at(TokenKind::kSlash)) fail(peek().loc, "division is not supported");
      if (at(TokenKind::kPercent)) fail(peek().loc, "remainder/modulo is not supported");
      if (!at(TokenKind::kStar)) return left;
      SourceLoc loc = next().loc;
      left = binary(ExprKind::kBinary, BinaryOp::kMul, std::move(left), prefixed(), loc);
    }
  }

  // Up to four `!` or four `-` before a member expression; `-` directly before an integer
  // literal makes a negative literal, so that -9223372036854775808 is writable.
  ExprPtr prefixed() {
    if (!at(TokenKind::kBang) && !at(TokenKind::kMinus)) return member();
    SourceLoc loc = peek().loc;
    TokenKind op = peek().kind;
    int count = 0;
    while (at(op)) {
      next();
      ++count;
    }
    if (count > 4) {
      fail(loc,
           std::string("too many occurrences of `") + (op == TokenKind::kBang ? "!" : "-") + "`");
    }
    ExprPtr operand;
    if (op == TokenKind::kMinus && at(TokenKind::kNumber) && !continues_member(peek(1).kind)) {
      const Token& number = next();
      std::uint64_t magnitude = parse_number(number);
      constexpr std::uint64_t kMinMagnitude =
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
      if (magnitude > kMinMagnitude) {
        fail(number.loc, "integer literal `" + std::string(number.text) + "` is too large");
      }
      operand = leaf(ExprKind::kLong, number.loc);
      operand->long_value = magnitude == kMinMagnitude ? std::numeric_limits<std::int64_t>::min()
                                                       : -static_cast<std::int64_t>(magnitude);
      --count;
    } else {
      operand = member();
    }
    for (int i = 0; i < count; ++i) {
      operand = unary(op == TokenKind::kBang ? ast::UnaryOp::kNot : ast::UnaryOp::kNeg,
                      std::move(operand), loc);
    }
    return operand;
  }

  static bool continues_member(TokenKind kind) {
    return kind == TokenKind::kDot || kind == TokenKind::kLBracket || kind == TokenKind::kLParen;
  }

  std::uint64_t parse_number(const Token& token) const {
    std::uint64_t value = 0;
    auto [end, ec] =
        std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
    if (ec != std::errc() || end != token.text.data() + token.text.size()) {
      fail(token.loc, "integer literal `" + std::string(token.text) + "` is too large");
    }
    return value;
  }

  // What a primary turned out to be, before accessors are applied: names and variables
  // accept different accessors than other expressions.
  struct Head {
    ExprPtr expr;  // null for a bare name
    Path name;
    bool is_var = false;
  };

  ExprPtr member() {
    SourceLoc loc = peek().loc;
    Head head = primary();
    if (!head.expr) {
      // A bare (non-variable) name: only a function call can follow.
      std::string name = head.name.joined();
      if (at(TokenKind::kLParen)) {
        next();
        std::vector<ExprPtr> args = arguments();
        head.expr = function_call(head.name, std::move(args), loc);
      } else if (at(TokenKind::kDot) && peek(1).kind == TokenKind::kIdent &&
                 peek(2).kind == TokenKind::kLParen) {
        fail(loc, "attempted to call `" + name + "." + std::string(peek(1).text) + "(...)`, but `" +
                      name + "` does not have any methods");
      } else if (at(TokenKind::kDot) || at(TokenKind::kLBracket)) {
        fail(loc,
             "invalid member access on `" + name + "`: `" + name + "` has no fields or methods");
      } else {
        fail(loc, "invalid variable: " + name);
      }
    } else if (head.is_var && at(TokenKind::kLParen)) {
      fail(loc, "`" + std::string(ast::var_name(head.expr->var)) +
                    "(...)` is not a valid function call");
    }
    ExprPtr e = std::move(head.expr);
    while (true) {
      if (at(TokenKind::kDot)) {
        next();
        const Token& name = expect(TokenKind::kIdent, "an attribute or method name");
        check_unreserved(name.text, name.loc);
        if (accept(TokenKind::kLParen)) {
          e = method_call(std::move(e), std::string(name.text), arguments(), name.loc);
        } else {
          e = attribute(ExprKind::kGetAttr, std::move(e), std::string(name.text), name.loc);
        }
      } else if (at(TokenKind::kLBracket)) {
        SourceLoc at_loc = next().loc;
        if (!at(TokenKind::kString) || peek(1).kind != TokenKind::kRBracket) {
          fail(peek().loc, "the contents of an index expression must be a string literal");
        }
        std::string key = string_literal(next());
        next();  // ']'
        e = attribute(ExprKind::kGetAttr, std::move(e), std::move(key), at_loc);
      } else if (at(TokenKind::kLParen)) {
        fail(peek().loc, "function calls must be of the form `<name>(arg1, arg2, ...)`");
      } else {
        return e;
      }
    }
  }

  std::vector<ExprPtr> arguments() {
    std::vector<ExprPtr> args;
    while (!at(TokenKind::kRParen)) {
      args.push_back(expression());
      if (!accept(TokenKind::kComma)) break;
    }
    expect(TokenKind::kRParen, "`,` or `)`");
    return args;
  }

  ExprPtr function_call(const Path& name, std::vector<ExprPtr> args, SourceLoc loc) {
    std::string joined = name.joined();
    if (name.components.size() == 1 &&
        (contains(kExtensionMethods, joined) || contains(kBuiltinMethods, joined))) {
      fail(loc, "`" + joined + "` is a method, not a function");
    }
    if (name.components.size() != 1 || !contains(kExtensionFunctions, joined)) {
      fail(loc, "`" + joined + "` is not a valid function");
    }
    ExprPtr e = leaf(ExprKind::kCall, loc);
    e->text = joined;
    return with_children(std::move(e), std::move(args));
  }

  ExprPtr method_call(ExprPtr receiver, std::string name, std::vector<ExprPtr> args,
                      SourceLoc loc) {
    auto require_args = [&](std::size_t n) {
      if (args.size() != n) {
        fail(loc, "call to `" + name + "` requires exactly " + std::to_string(n) + " argument" +
                      (n == 1 ? "" : "s") + ", but got " + std::to_string(args.size()) +
                      " argument" + (args.size() == 1 ? "" : "s"));
      }
    };
    static constexpr std::array<std::pair<std::string_view, BinaryOp>, 5> kBinaryMethods = {{
        {"contains", BinaryOp::kContains},
        {"containsAll", BinaryOp::kContainsAll},
        {"containsAny", BinaryOp::kContainsAny},
        {"getTag", BinaryOp::kGetTag},
        {"hasTag", BinaryOp::kHasTag},
    }};
    for (const auto& [method, op] : kBinaryMethods) {
      if (name == method) {
        require_args(1);
        return binary(ExprKind::kBinary, op, std::move(receiver), std::move(args[0]), loc);
      }
    }
    if (name == "isEmpty") {
      require_args(0);
      return unary(ast::UnaryOp::kIsEmpty, std::move(receiver), loc);
    }
    if (contains(kExtensionMethods, name)) {
      ExprPtr e = leaf(ExprKind::kCall, loc);
      e->text = std::move(name);
      e->is_method_call = true;
      args.insert(args.begin(), std::move(receiver));
      return with_children(std::move(e), std::move(args));
    }
    if (contains(kExtensionFunctions, name))
      fail(loc, "`" + name + "` is a function, not a method");
    fail(loc, "`" + name + "` is not a valid method");
  }

  Head primary() {
    const Token& t = peek();
    Head head;
    switch (t.kind) {
      case TokenKind::kNumber: {
        next();
        std::uint64_t value = parse_number(t);
        if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          fail(t.loc, "integer literal `" + std::string(t.text) + "` is too large");
        }
        head.expr = leaf(ExprKind::kLong, t.loc);
        head.expr->long_value = static_cast<std::int64_t>(value);
        return head;
      }
      case TokenKind::kString:
        next();
        head.expr = leaf(ExprKind::kString, t.loc);
        head.expr->text = string_literal(t);
        return head;
      case TokenKind::kSlot: {
        next();
        if (t.text != "?principal" && t.text != "?resource") {
          fail(t.loc, "`" + std::string(t.text) + "` is not a valid template slot");
        }
        head.expr = leaf(ExprKind::kSlot, t.loc);
        head.expr->slot = t.text == "?principal" ? ast::SlotId::kPrincipal : ast::SlotId::kResource;
        return head;
      }
      case TokenKind::kLParen: {
        next();
        head.expr = expression();
        expect(TokenKind::kRParen, "`)`");
        return head;
      }
      case TokenKind::kLBracket: {
        SourceLoc loc = next().loc;
        std::vector<ExprPtr> elements;
        while (!at(TokenKind::kRBracket)) {
          elements.push_back(expression());
          if (!accept(TokenKind::kComma)) break;
        }
        expect(TokenKind::kRBracket, "`,` or `]`");
        head.expr = with_children(leaf(ExprKind::kSet, loc), std::move(elements));
        return head;
      }
      case TokenKind::kLBrace: return Head{record(), {}, false};
      case TokenKind::kIdent: return named_primary();
      default: unexpected("an expression");
    }
  }

  Head named_primary() {
    const Token& t = peek();
    Head head;
    if (t.text == "true" || t.text == "false") {
      next();
      head.expr = leaf(ExprKind::kBool, t.loc);
      head.expr->bool_value = t.text == "true";
      return head;
    }
    if (t.text == "if") {
      fail(t.loc, "unexpected `if`; put an if-then-else inside parentheses to use it here");
    }
    Path path = name_path(/*allow_reserved=*/true);
    if (at(TokenKind::kColonColon)) {
      head.expr = leaf(ExprKind::kEntity, path.loc);
      head.expr->entity = entity_ref_after_path(path);
      return head;
    }
    if (path.components.size() == 1) {
      if (std::optional<ast::Var> var = var_of(path.components[0])) {
        head.expr = leaf(ExprKind::kVar, path.loc);
        head.expr->var = *var;
        head.is_var = true;
        return head;
      }
    }
    check_path(path);
    head.name = std::move(path);
    return head;
  }

  ExprPtr record() {
    SourceLoc loc = expect(TokenKind::kLBrace, "`{`").loc;
    ExprPtr e = leaf(ExprKind::kRecord, loc);
    std::vector<ExprPtr> values;
    std::set<std::string, std::less<>> seen;
    while (!at(TokenKind::kRBrace)) {
      const Token& key = peek();
      std::string name;
      if (key.kind == TokenKind::kString) {
        next();
        name = string_literal(key);
      } else if (key.kind == TokenKind::kIdent) {
        next();
        check_unreserved(key.text, key.loc);
        if (at(TokenKind::kColonColon)) {
          fail(key.loc, "`" + std::string(key.text) +
                            "::...` cannot be used as an attribute as it contains a namespace");
        }
        name = std::string(key.text);
      } else {
        fail(key.loc, "invalid attribute name: expected an identifier or a string literal");
      }
      if (!at(TokenKind::kColon)) {
        fail(peek().loc, "invalid attribute name or missing `:` in record literal");
      }
      next();
      if (!seen.insert(name).second) {
        fail(key.loc, "duplicate key `" + name + "` in record literal");
      }
      e->keys.push_back(std::move(name));
      values.push_back(expression());
      if (!accept(TokenKind::kComma)) break;
    }
    expect(TokenKind::kRBrace, "`,` or `}`");
    return with_children(std::move(e), std::move(values));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string_view source_;
  int depth_ = 0;

 public:
  std::string lexer_error_;
};

template <class T, class F>
Result<T> run(std::string_view text, std::string_view source, F body) {
  Lexed lexed = tokenize(text);
  Parser parser(std::move(lexed.tokens), source);
  parser.lexer_error_ = lexed.error;
  try {
    return body(parser);
  } catch (const SyntaxError& e) {
    return Error{format_at(source, e.loc, e.message)};
  }
}

}  // namespace

bool is_reserved_identifier(std::string_view name) {
  return contains(kReserved, name) || name == "__cedar";
}

Result<std::vector<ast::Policy>> parse_policies(std::string_view text,
                                                const ParseOptions& options) {
  return run<std::vector<ast::Policy>>(text, options.source_name,
                                       [&](Parser& p) { return p.policies(options); });
}

Result<ast::Policy> parse_policy(std::string_view text, const ParseOptions& options) {
  Result<std::vector<ast::Policy>> all = parse_policies(text, options);
  if (!all.ok()) return all.error();
  if (all->size() != 1) {
    return Error{format_at(options.source_name, {},
                           "expected exactly one policy, found " + std::to_string(all->size()))};
  }
  return std::move(all->front());
}

Result<ast::ExprPtr> parse_expression(std::string_view text, std::string_view source_name) {
  return run<ast::ExprPtr>(text, source_name, [](Parser& p) { return p.standalone_expression(); });
}

Result<ast::EntityRef> parse_entity_ref(std::string_view text) {
  return run<ast::EntityRef>(text, "", [](Parser& p) { return p.standalone_entity_ref(); });
}

}  // namespace crossgate::cedar::parser
