// Capability sets and the shape comparison they rest on (capabilities.h).
#include "policy/cedar/validator/capabilities.h"

#include <algorithm>
#include <numeric>

namespace crossgate::cedar::validator {

namespace {

bool same_children(const ast::Expr& a, const ast::Expr& b) {
  if (a.children.size() != b.children.size()) return false;
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (!same_shape(*a.children[i], *b.children[i])) return false;
  }
  return true;
}

bool same_pattern(const ast::Expr& a, const ast::Expr& b) {
  if (a.pattern.size() != b.pattern.size()) return false;
  for (std::size_t i = 0; i < a.pattern.size(); ++i) {
    if (a.pattern[i].wildcard != b.pattern[i].wildcard ||
        a.pattern[i].literal != b.pattern[i].literal) {
      return false;
    }
  }
  return true;
}

std::vector<std::size_t> key_order(const ast::Expr& record) {
  std::vector<std::size_t> order(record.keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return record.keys[x] < record.keys[y]; });
  return order;
}

bool same_record(const ast::Expr& a, const ast::Expr& b) {
  if (a.keys.size() != b.keys.size()) return false;
  std::vector<std::size_t> order_a = key_order(a);
  std::vector<std::size_t> order_b = key_order(b);
  for (std::size_t i = 0; i < order_a.size(); ++i) {
    if (a.keys[order_a[i]] != b.keys[order_b[i]] ||
        !same_shape(*a.children[order_a[i]], *b.children[order_b[i]])) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool same_shape(const ast::Expr& a, const ast::Expr& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ast::ExprKind::kBool: return a.bool_value == b.bool_value;
    case ast::ExprKind::kLong: return a.long_value == b.long_value;
    case ast::ExprKind::kString: return a.text == b.text;
    case ast::ExprKind::kEntity: return a.entity == b.entity;
    case ast::ExprKind::kVar: return a.var == b.var;
    case ast::ExprKind::kSlot: return a.slot == b.slot;
    case ast::ExprKind::kIf:
    case ast::ExprKind::kAnd:
    case ast::ExprKind::kOr:
    case ast::ExprKind::kSet: return same_children(a, b);
    case ast::ExprKind::kUnary: return a.unary_op == b.unary_op && same_children(a, b);
    case ast::ExprKind::kBinary: return a.binary_op == b.binary_op && same_children(a, b);
    case ast::ExprKind::kGetAttr:
    case ast::ExprKind::kHasAttr:
    case ast::ExprKind::kIs:
    case ast::ExprKind::kCall: return a.text == b.text && same_children(a, b);
    case ast::ExprKind::kLike: return same_pattern(a, b) && same_children(a, b);
    case ast::ExprKind::kRecord: return same_record(a, b);
  }
  return false;
}

bool Capability::same_as(const Capability& other) const {
  if (is_tag != other.is_tag) return false;
  if (is_tag) {
    if (!same_shape(*tag, *other.tag)) return false;
  } else if (attribute != other.attribute) {
    return false;
  }
  return target == other.target || same_shape(*target, *other.target);
}

bool CapabilitySet::contains(const Capability& capability) const {
  return std::any_of(items_.begin(), items_.end(),
                     [&](const Capability& item) { return item.same_as(capability); });
}

CapabilitySet CapabilitySet::union_with(const CapabilitySet& other) const {
  CapabilitySet out = *this;
  for (const Capability& item : other.items_) {
    if (!out.contains(item)) out.items_.push_back(item);
  }
  return out;
}

CapabilitySet CapabilitySet::intersect(const CapabilitySet& other) const {
  CapabilitySet out;
  for (const Capability& item : items_) {
    if (other.contains(item)) out.items_.push_back(item);
  }
  return out;
}

}  // namespace crossgate::cedar::validator
