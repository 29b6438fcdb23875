#include "policy/cedar/ast/policy.h"

#include "policy/cedar/value/value.h"

namespace crossgate::cedar::ast {

const Annotation* Policy::find_annotation(std::string_view key) const {
  for (const Annotation& a : annotations) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

const std::string& Policy::display_name() const {
  const Annotation* id_annotation = find_annotation("id");
  return id_annotation ? id_annotation->value : id;
}

bool Policy::uses_slot(SlotId slot) const {
  auto uses = [slot](const ScopeConstraint& c) {
    return c.kind != ScopeConstraint::Kind::kAny && c.kind != ScopeConstraint::Kind::kIs &&
           c.target.is_slot && c.target.slot == slot;
  };
  return uses(principal) || uses(resource);
}

bool Policy::is_template() const {
  return uses_slot(SlotId::kPrincipal) || uses_slot(SlotId::kResource);
}

Policy clone(const Policy& policy) {
  Policy copy;
  copy.id = policy.id;
  copy.annotations = policy.annotations;
  copy.effect = policy.effect;
  copy.principal = policy.principal;
  copy.action = policy.action;
  copy.resource = policy.resource;
  for (const Condition& c : policy.conditions) {
    copy.conditions.push_back(Condition{c.is_when, clone(*c.body), c.loc});
  }
  copy.source = policy.source;
  copy.loc = policy.loc;
  return copy;
}

namespace {

std::string entity_text(const EntityRef& e) {
  std::string out = e.type + "::\"";
  append_escaped(out, e.id);
  return out + '"';
}

std::string scope_text(std::string_view var, const ScopeConstraint& c) {
  std::string out(var);
  auto target = [&] {
    return c.target.is_slot ? std::string(slot_name(c.target.slot)) : entity_text(c.target.entity);
  };
  switch (c.kind) {
    case ScopeConstraint::Kind::kAny: break;
    case ScopeConstraint::Kind::kEq: out += " == " + target(); break;
    case ScopeConstraint::Kind::kIn: out += " in " + target(); break;
    case ScopeConstraint::Kind::kIs: out += " is " + c.entity_type; break;
    case ScopeConstraint::Kind::kIsIn: out += " is " + c.entity_type + " in " + target(); break;
  }
  return out;
}

std::string action_text(const ActionConstraint& c) {
  switch (c.kind) {
    case ActionConstraint::Kind::kAny: return "action";
    case ActionConstraint::Kind::kEq: return "action == " + entity_text(c.entities.front());
    case ActionConstraint::Kind::kIn: {
      if (!c.written_as_list && c.entities.size() == 1) {
        return "action in " + entity_text(c.entities.front());
      }
      std::string out = "action in [";
      for (std::size_t i = 0; i < c.entities.size(); ++i) {
        if (i > 0) out += ", ";
        out += entity_text(c.entities[i]);
      }
      return out + "]";
    }
  }
  return "action";
}

}  // namespace

std::string to_string(const Policy& policy) {
  std::string out;
  for (const Annotation& a : policy.annotations) {
    out += "@" + a.key + "(\"";
    append_escaped(out, a.value);
    out += "\")\n";
  }
  out += policy.effect == Effect::kPermit ? "permit" : "forbid";
  out += " (\n  " + scope_text("principal", policy.principal) + ",\n  " +
         action_text(policy.action) + ",\n  " + scope_text("resource", policy.resource) + "\n)";
  for (const Condition& c : policy.conditions) {
    out += c.is_when ? "\nwhen { " : "\nunless { ";
    out += to_string(*c.body) + " }";
  }
  return out + ";";
}

}  // namespace crossgate::cedar::ast
