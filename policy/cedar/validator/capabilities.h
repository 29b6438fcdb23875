// Capabilities: what a boolean expression, when true, proves safe to access. After
// `e has a` is true, `e.a` is safe; after `e.hasTag(t)`, `e.getTag(t)` is. The typechecker
// threads a set of them through `&&`, `||` and `if` (typechecker.cc).
//
// Expressions are matched by shape, not by identity or position: the `principal.a` in
// `principal has a && principal.a > 1` is a different node from the one the `has` tested.
#pragma once

#include <string>
#include <vector>

#include "policy/cedar/ast/expr.h"

namespace crossgate::cedar::validator {

// Structural equality ignoring source positions and how a call was written
// (`f(x, y)` and `x.f(y)` are the same call). Record literals compare as maps.
bool same_shape(const ast::Expr& a, const ast::Expr& b);

struct Capability {
  const ast::Expr* target = nullptr;  // the entity or record expression
  const ast::Expr* tag = nullptr;     // for a tag: the tag expression
  std::string attribute;              // for an attribute: its name
  bool is_tag = false;

  static Capability attribute_of(const ast::Expr& target, std::string attribute) {
    return Capability{&target, nullptr, std::move(attribute), false};
  }
  static Capability tag_of(const ast::Expr& target, const ast::Expr& tag) {
    return Capability{&target, &tag, {}, true};
  }

  bool same_as(const Capability& other) const;
};

class CapabilitySet {
 public:
  CapabilitySet() = default;
  explicit CapabilitySet(Capability only) { items_.push_back(std::move(only)); }

  bool empty() const { return items_.empty(); }
  bool contains(const Capability& capability) const;
  CapabilitySet union_with(const CapabilitySet& other) const;
  CapabilitySet intersect(const CapabilitySet& other) const;

 private:
  std::vector<Capability> items_;
};

}  // namespace crossgate::cedar::validator
