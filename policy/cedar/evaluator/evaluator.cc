#include "policy/cedar/evaluator/evaluator.h"

#include <algorithm>
#include <array>
#include <vector>

#include "policy/cedar/extensions/extension_functions.h"

namespace crossgate::cedar {

Evaluator::Evaluator(const Request& request, const Entities& entities, Arena& scratch)
    : request_(request),
      entities_(entities),
      scratch_(scratch),
      principal_(find_entity(request.principal)),
      action_(find_entity(request.action)),
      resource_(find_entity(request.resource)) {}

const Entity* Evaluator::find_entity(const EntityUid& uid) const {
  for (const Entity& e : request_.entities) {
    if (*e.uid == uid) return &e;
  }
  return entities_.find(uid);
}

bool Evaluator::fail(EvalErrorKind kind, const Node& node, Value subject, std::string_view detail) {
  error_ = EvalError{};
  error_.kind = kind;
  error_.node = &node;
  error_.subject = subject;
  error_.detail = detail;
  return false;
}

bool Evaluator::type_error(const Node& node, Value got, std::string_view expected) {
  return fail(EvalErrorKind::kTypeError, node, got, expected);
}

// The request's own uids are looked up once, in the constructor.
const Entity* Evaluator::lookup(const EntityUid& uid) const {
  if (&uid == &request_.principal) return principal_;
  if (&uid == &request_.resource) return resource_;
  if (&uid == &request_.action) return action_;
  return find_entity(uid);
}

bool Evaluator::evaluate_bool(const Node& node, bool& out) {
  Value v;
  if (!evaluate(node, v)) return false;
  if (!v.is(ValueKind::kBool)) return type_error(node, v, "bool");
  out = v.as_bool();
  return true;
}

bool Evaluator::evaluate(const Node& node, Value& out) {
  switch (node.op) {
    case Op::kConst: out = node.constant; return true;
    case Op::kPrincipal: out = Value::entity(&request_.principal); return true;
    case Op::kAction: out = Value::entity(&request_.action); return true;
    case Op::kResource: out = Value::entity(&request_.resource); return true;
    case Op::kContext: out = request_.context; return true;
    case Op::kIf: return eval_if(node, out);
    case Op::kAnd: return eval_logical(node, true, out);
    case Op::kOr: return eval_logical(node, false, out);
    case Op::kNot: {
      Value v;
      if (!evaluate(*node.args[0], v)) return false;
      if (!v.is(ValueKind::kBool)) return type_error(node, v, "bool");
      out = Value::boolean(!v.as_bool());
      return true;
    }
    case Op::kNeg: {
      Value v;
      if (!evaluate(*node.args[0], v)) return false;
      if (!v.is(ValueKind::kLong)) return type_error(node, v, "long");
      if (v.as_long() == INT64_MIN) return fail(EvalErrorKind::kOverflow, node, v);
      out = Value::integer(-v.as_long());
      return true;
    }
    case Op::kIsEmpty: {
      Value v;
      if (!evaluate(*node.args[0], v)) return false;
      if (!v.is(ValueKind::kSet)) return type_error(node, v, "set");
      out = Value::boolean(v.as_set().empty());
      return true;
    }
    case Op::kEq:
    case Op::kNotEq: {
      Value a, b;
      if (!evaluate(*node.args[0], a) || !evaluate(*node.args[1], b)) return false;
      out = Value::boolean((a == b) == (node.op == Op::kEq));
      return true;
    }
    case Op::kLess:
    case Op::kLessEq:
    case Op::kGreater:
    case Op::kGreaterEq: return eval_comparison(node, out);
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul: return eval_arithmetic(node, out);
    case Op::kIn:
    case Op::kContains:
    case Op::kContainsAll:
    case Op::kContainsAny:
    case Op::kGetTag:
    case Op::kHasTag: return eval_binary(node, out);
    case Op::kGetAttr: return eval_get_attr(node, out);
    case Op::kHasAttr: return eval_has_attr(node, out);
    case Op::kLike: return eval_like(node, out);
    case Op::kIs: return eval_is(node, out);
    case Op::kSet: return eval_set(node, out);
    case Op::kRecord: return eval_record(node, out);
    case Op::kCall: return eval_call(node, out);
  }
  return type_error(node, Value(), "a known operation");
}

bool Evaluator::eval_if(const Node& node, Value& out) {
  bool condition;
  if (!evaluate_bool(*node.args[0], condition)) return false;
  return evaluate(*node.args[condition ? 1 : 2], out);
}

bool Evaluator::eval_logical(const Node& node, bool is_and, Value& out) {
  bool left;
  if (!evaluate_bool(*node.args[0], left)) return false;
  if (left != is_and) {
    out = Value::boolean(left);
    return true;
  }
  bool right;
  if (!evaluate_bool(*node.args[1], right)) return false;
  out = Value::boolean(right);
  return true;
}

bool Evaluator::eval_comparison(const Node& node, Value& out) {
  Value a, b;
  if (!evaluate(*node.args[0], a) || !evaluate(*node.args[1], b)) return false;
  constexpr std::string_view kComparable = "long, datetime or duration";
  if (!a.is(ValueKind::kLong) && !a.is(ValueKind::kDatetime) && !a.is(ValueKind::kDuration)) {
    return type_error(node, a, kComparable);
  }
  if (b.kind() != a.kind()) return type_error(node, b, kind_name(a.kind()));
  // Long, datetime and duration all hold an int64 that orders them.
  std::int64_t x = a.as_long(), y = b.as_long();
  bool result = false;
  switch (node.op) {
    case Op::kLess: result = x < y; break;
    case Op::kLessEq: result = x <= y; break;
    case Op::kGreater: result = x > y; break;
    default: result = x >= y; break;
  }
  out = Value::boolean(result);
  return true;
}

bool Evaluator::eval_arithmetic(const Node& node, Value& out) {
  Value a, b;
  if (!evaluate(*node.args[0], a) || !evaluate(*node.args[1], b)) return false;
  if (!a.is(ValueKind::kLong)) return type_error(node, a, "long");
  if (!b.is(ValueKind::kLong)) return type_error(node, b, "long");
  std::int64_t result;
  bool overflow;
  switch (node.op) {
    case Op::kAdd: overflow = __builtin_add_overflow(a.as_long(), b.as_long(), &result); break;
    case Op::kSub: overflow = __builtin_sub_overflow(a.as_long(), b.as_long(), &result); break;
    default: overflow = __builtin_mul_overflow(a.as_long(), b.as_long(), &result); break;
  }
  if (overflow) {
    fail(EvalErrorKind::kOverflow, node, a);
    error_.other = b;
    return false;
  }
  out = Value::integer(result);
  return true;
}

bool Evaluator::eval_in(const Node& node, const Value& left, const Value& right, Value& out) {
  if (!left.is(ValueKind::kEntity)) return type_error(node, left, "entity");
  const EntityUid& uid = left.as_entity();
  if (right.is(ValueKind::kEntity)) {
    out = Value::boolean(entities_.is_in(lookup(uid), uid, right.as_entity()));
    return true;
  }
  if (!right.is(ValueKind::kSet)) return type_error(node, right, "entity or set of entities");
  // Every element must be an entity, even after a match (as in the reference).
  for (const Value& element : right.as_set()) {
    if (!element.is(ValueKind::kEntity)) return type_error(node, element, "entity");
  }
  const Entity* entity = lookup(uid);
  for (const Value& element : right.as_set()) {
    if (entities_.is_in(entity, uid, element.as_entity())) {
      out = Value::boolean(true);
      return true;
    }
  }
  out = Value::boolean(false);
  return true;
}

namespace {

// Both sets are canonical (sorted by `compare`), so subset and intersection are merges.
bool is_subset(std::span<const Value> small, std::span<const Value> large) {
  std::size_t j = 0;
  for (const Value& v : small) {
    while (j < large.size() && compare(large[j], v) < 0)
      ++j;
    if (j == large.size() || !(large[j] == v)) return false;
    ++j;
  }
  return true;
}

bool intersects(std::span<const Value> a, std::span<const Value> b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    int c = compare(a[i], b[j]);
    if (c == 0) return true;
    if (c < 0) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

}  // namespace

bool Evaluator::eval_binary(const Node& node, Value& out) {
  Value a, b;
  if (!evaluate(*node.args[0], a) || !evaluate(*node.args[1], b)) return false;
  switch (node.op) {
    case Op::kIn: return eval_in(node, a, b, out);
    case Op::kContains:
      if (!a.is(ValueKind::kSet)) return type_error(node, a, "set");
      out = Value::boolean(a.set_contains(b));
      return true;
    case Op::kContainsAll:
    case Op::kContainsAny:
      if (!a.is(ValueKind::kSet)) return type_error(node, a, "set");
      if (!b.is(ValueKind::kSet)) return type_error(node, b, "set");
      out = Value::boolean(node.op == Op::kContainsAll ? is_subset(b.as_set(), a.as_set())
                                                       : intersects(a.as_set(), b.as_set()));
      return true;
    default: break;
  }
  // getTag / hasTag
  if (!a.is(ValueKind::kEntity)) return type_error(node, a, "entity");
  if (!b.is(ValueKind::kString)) return type_error(node, b, "string");
  const Entity* entity = lookup(a.as_entity());
  if (node.op == Op::kHasTag) {
    out = Value::boolean(entity != nullptr && entity->tags.find_field(b.as_string()) != nullptr);
    return true;
  }
  if (entity == nullptr) return fail(EvalErrorKind::kEntityDoesNotExist, node, a);
  const Value* tag = entity->tags.find_field(b.as_string());
  if (tag == nullptr) {
    fail(EvalErrorKind::kTagDoesNotExist, node, a);
    error_.other = b;
    return false;
  }
  out = *tag;
  return true;
}

bool Evaluator::eval_get_attr(const Node& node, Value& out) {
  Value target;
  if (!evaluate(*node.args[0], target)) return false;
  const Value* record = &target;
  if (target.is(ValueKind::kEntity)) {
    const Entity* entity = lookup(target.as_entity());
    if (entity == nullptr) return fail(EvalErrorKind::kEntityDoesNotExist, node, target);
    record = &entity->attrs;
  } else if (!target.is(ValueKind::kRecord)) {
    return type_error(node, target, "entity or record");
  }
  const Value* value = record->find_field(node.name);
  if (value == nullptr) return fail(EvalErrorKind::kAttrDoesNotExist, node, target, node.name);
  out = *value;
  return true;
}

bool Evaluator::eval_has_attr(const Node& node, Value& out) {
  Value target;
  if (!evaluate(*node.args[0], target)) return false;
  if (target.is(ValueKind::kEntity)) {
    const Entity* entity = lookup(target.as_entity());
    out = Value::boolean(entity != nullptr && entity->attrs.find_field(node.name) != nullptr);
    return true;
  }
  if (!target.is(ValueKind::kRecord)) return type_error(node, target, "entity or record");
  out = Value::boolean(target.find_field(node.name) != nullptr);
  return true;
}

bool matches_pattern(std::string_view text, std::span<const PatternPiece> pattern) {
  // Greedy matching with backtracking to the last wildcard: linear for patterns with one
  // `*`, and never worse than text x pattern.
  std::size_t t = 0, p = 0, offset = 0;
  std::size_t star_piece = SIZE_MAX, star_text = 0;
  while (t < text.size() || p < pattern.size()) {
    if (p < pattern.size()) {
      const PatternPiece& piece = pattern[p];
      if (piece.wildcard) {
        star_piece = p++;
        star_text = t;
        offset = 0;
        continue;
      }
      std::string_view rest = piece.literal.substr(offset);
      if (t < text.size() && text[t] == rest.front()) {
        ++t;
        if (++offset == piece.literal.size()) {
          ++p;
          offset = 0;
        }
        continue;
      }
    }
    if (star_piece != SIZE_MAX && star_text < text.size()) {
      p = star_piece + 1;
      t = ++star_text;
      offset = 0;
      continue;
    }
    return false;
  }
  return true;
}

bool Evaluator::eval_like(const Node& node, Value& out) {
  Value target;
  if (!evaluate(*node.args[0], target)) return false;
  if (!target.is(ValueKind::kString)) return type_error(node, target, "string");
  out = Value::boolean(matches_pattern(target.as_string(), node.pattern));
  return true;
}

bool Evaluator::eval_is(const Node& node, Value& out) {
  Value target;
  if (!evaluate(*node.args[0], target)) return false;
  if (!target.is(ValueKind::kEntity)) return type_error(node, target, "entity");
  if (target.as_entity().type != node.name) {
    out = Value::boolean(false);
    return true;
  }
  if (node.args.size() == 1) {
    out = Value::boolean(true);
    return true;
  }
  Value group;
  if (!evaluate(*node.args[1], group)) return false;
  return eval_in(node, target, group, out);
}

bool Evaluator::eval_set(const Node& node, Value& out) {
  std::span<Value> elements = scratch_.make_array<Value>(node.args.size());
  for (std::size_t i = 0; i < node.args.size(); ++i) {
    if (!evaluate(*node.args[i], elements[i])) return false;
  }
  out = Value::make_set(scratch_, elements);
  return true;
}

bool Evaluator::eval_record(const Node& node, Value& out) {
  std::span<RecordField> fields = scratch_.make_array<RecordField>(node.args.size());
  for (std::size_t i = 0; i < node.args.size(); ++i) {
    fields[i].name = node.keys[i];
    if (!evaluate(*node.args[i], fields[i].value)) return false;
  }
  out = Value::make_record(scratch_, fields);
  return true;
}

bool Evaluator::eval_call(const Node& node, Value& out) {
  std::array<Value, 4> small;
  std::vector<Value> large;
  std::span<Value> args(small.data(), node.args.size());
  if (node.args.size() > small.size()) {
    large.resize(node.args.size());
    args = large;
  }
  for (std::size_t i = 0; i < node.args.size(); ++i) {
    if (!evaluate(*node.args[i], args[i])) return false;
  }
  if (node.function == nullptr) return fail(EvalErrorKind::kWrongArity, node, Value(), "?");
  const ExtensionFunction& f = *node.function;
  if (args.size() != f.arity) {
    fail(EvalErrorKind::kWrongArity, node, Value(), f.name);
    error_.count = static_cast<std::uint32_t>(args.size());
    return false;
  }
  error_ = EvalError{};
  if (!f.call(args, scratch_, out, error_)) {
    error_.node = &node;
    return false;
  }
  return true;
}

}  // namespace crossgate::cedar
