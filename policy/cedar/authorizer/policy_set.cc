#include "policy/cedar/authorizer/policy_set.h"

#include "policy/cedar/parser/policy_parser.h"

namespace crossgate::cedar {

std::string_view CompiledPolicy::display_name() const {
  if (template_id.empty()) return source->display_name();
  return id;
}

PolicySet::PolicySet() : arena_(std::make_unique<Arena>()) {}
PolicySet::~PolicySet() = default;
PolicySet::PolicySet(PolicySet&&) noexcept = default;
PolicySet& PolicySet::operator=(PolicySet&&) noexcept = default;

Result<PolicySet> PolicySet::parse(std::string_view text, std::string_view source_name) {
  parser::ParseOptions options;
  options.source_name = std::string(source_name);
  Result<std::vector<ast::Policy>> parsed = parser::parse_policies(text, options);
  if (!parsed.ok()) return parsed.error();
  PolicySet set;
  if (Status s = set.add_all(std::move(parsed.value())); !s.ok()) return s.error();
  return set;
}

bool PolicySet::id_taken(std::string_view id) const {
  return positions_.contains(id) || templates_.contains(id);
}

std::int64_t PolicySet::find(std::string_view id) const {
  auto it = positions_.find(id);
  return it == positions_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

const ast::Policy* PolicySet::find_template(std::string_view id) const {
  auto it = templates_.find(id);
  return it == templates_.end() ? nullptr : it->second;
}

const Node* PolicySet::compile_conditions(const ast::Policy& policy) {
  ExprCompiler compiler(*arena_);
  const Node* result = nullptr;
  // Right fold, c1 && (c2 && c3), as the reference builds it: evaluation stops at the
  // first false clause and every clause must be a bool.
  for (auto it = policy.conditions.rbegin(); it != policy.conditions.rend(); ++it) {
    const Node* clause = compiler.compile(*it->body);
    if (!it->is_when) {
      Node* negated = arena_->make<Node>();
      negated->op = Op::kNot;
      negated->loc = it->loc;
      std::span<const Node*> args = arena_->make_array<const Node*>(1);
      args[0] = clause;
      negated->args = args;
      clause = negated;
    }
    if (result != nullptr) {
      Node* both = arena_->make<Node>();
      both->op = Op::kAnd;
      both->loc = it->loc;
      std::span<const Node*> args = arena_->make_array<const Node*>(2);
      args[0] = clause;
      args[1] = result;
      both->args = args;
      clause = both;
    }
    result = clause;
  }
  return result;
}

CompiledScope PolicySet::compile_scope(const ast::ScopeConstraint& scope,
                                       const SlotBindings& slots) {
  CompiledScope out;
  out.kind = scope.kind;
  out.entity_type = arena_->copy(scope.entity_type);
  if (scope.kind == ast::ScopeConstraint::Kind::kEq ||
      scope.kind == ast::ScopeConstraint::Kind::kIn ||
      scope.kind == ast::ScopeConstraint::Kind::kIsIn) {
    const ast::EntityRef* ref = &scope.target.entity;
    if (scope.target.is_slot) {
      const std::optional<ast::EntityRef>& bound =
          scope.target.slot == ast::SlotId::kPrincipal ? slots.principal : slots.resource;
      ref = &*bound;  // link() checked that every slot is bound
    }
    out.target = EntityUid::make(*arena_, ref->type, ref->id);
  }
  return out;
}

Status PolicySet::add_compiled(const ast::Policy& source, std::string id, std::string template_id,
                               const SlotBindings& slots, const Node* condition) {
  auto position = static_cast<std::uint32_t>(policies_.size());
  CompiledPolicy compiled;
  compiled.source = &source;
  compiled.id = std::move(id);
  compiled.template_id = std::move(template_id);
  compiled.effect = source.effect;
  compiled.principal = compile_scope(source.principal, slots);
  compiled.resource = compile_scope(source.resource, slots);
  compiled.action.kind = source.action.kind;
  std::span<const EntityUid*> actions =
      arena_->make_array<const EntityUid*>(source.action.entities.size());
  for (std::size_t i = 0; i < actions.size(); ++i) {
    actions[i] =
        EntityUid::make(*arena_, source.action.entities[i].type, source.action.entities[i].id);
  }
  compiled.action.targets = actions;
  compiled.condition = condition;

  auto scope_targets = [](const CompiledScope& s) {
    return s.target == nullptr ? std::span<const EntityUid* const>()
                               : std::span<const EntityUid* const>(&s.target, 1);
  };
  positions_.emplace(compiled.id, position);
  policies_.push_back(std::move(compiled));
  const CompiledPolicy& stored = policies_.back();
  index_.add(position, PolicyIndex::Dimension::kPrincipal, scope_targets(stored.principal));
  if (stored.action.kind == ast::ActionConstraint::Kind::kAny) {
    index_.add(position, PolicyIndex::Dimension::kAction, {});
  } else if (!stored.action.targets.empty()) {
    index_.add(position, PolicyIndex::Dimension::kAction, stored.action.targets);
  }  // `action in []` matches no action, so it is never a candidate.

  index_.add(position, PolicyIndex::Dimension::kResource, scope_targets(stored.resource));
  index_.finish_policy(position);
  return Ok{};
}

Status PolicySet::add(ast::Policy policy) {
  if (id_taken(policy.id)) {
    return Error{format_at(policy.source, policy.loc,
                           "a policy or template with id `" + policy.id + "` already exists")};
  }
  sources_.push_back(std::make_unique<ast::Policy>(std::move(policy)));
  const ast::Policy& stored = *sources_.back();
  const Node* condition = compile_conditions(stored);
  if (stored.is_template()) {
    templates_.emplace(stored.id, &stored);
    template_conditions_.emplace(&stored, condition);
    return Ok{};
  }
  return add_compiled(stored, stored.id, "", {}, condition);
}

Status PolicySet::add_all(std::vector<ast::Policy> policies) {
  for (ast::Policy& p : policies) {
    if (Status s = add(std::move(p)); !s.ok()) return s;
  }
  return Ok{};
}

Status PolicySet::link(std::string_view template_id, std::string link_id,
                       const SlotBindings& slots) {
  const ast::Policy* tmpl = find_template(template_id);
  if (tmpl == nullptr) return Error{"no template with id `" + std::string(template_id) + "`"};
  if (id_taken(link_id)) {
    return Error{"a policy or template with id `" + link_id + "` already exists"};
  }
  auto check = [&](ast::SlotId slot, const std::optional<ast::EntityRef>& bound) -> Status {
    bool used = tmpl->uses_slot(slot);
    if (used && !bound) {
      return Error{"linking `" + link_id + "`: template `" + std::string(template_id) +
                   "` needs a value for " + std::string(ast::slot_name(slot))};
    }
    if (!used && bound) {
      return Error{"linking `" + link_id + "`: template `" + std::string(template_id) +
                   "` has no slot " + std::string(ast::slot_name(slot))};
    }
    return Ok{};
  };
  if (Status s = check(ast::SlotId::kPrincipal, slots.principal); !s.ok()) return s;
  if (Status s = check(ast::SlotId::kResource, slots.resource); !s.ok()) return s;
  return add_compiled(*tmpl, std::move(link_id), std::string(template_id), slots,
                      template_conditions_.at(tmpl));
}

}  // namespace crossgate::cedar
