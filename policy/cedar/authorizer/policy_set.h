// A set of Cedar policies and templates, compiled for evaluation and indexed for
// authorization.
//
// Each policy is compiled when it is added (scope into direct checks, conditions into a
// Node tree), and the index (policy_index.h) is updated at the same time, so a PolicySet
// is always ready to authorize. Template links share their template's compiled
// conditions. Once built, a PolicySet is read-only and safe to share across threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/ast/policy.h"
#include "policy/cedar/authorizer/policy_index.h"
#include "policy/cedar/common/result.h"
#include "policy/cedar/compiler/compiler.h"
#include "policy/cedar/compiler/program.h"
#include "policy/cedar/value/arena.h"

namespace crossgate::cedar {

// A principal or resource scope constraint, ready to check.
struct CompiledScope {
  ast::ScopeConstraint::Kind kind = ast::ScopeConstraint::Kind::kAny;
  std::string_view entity_type;       // kIs, kIsIn
  const EntityUid* target = nullptr;  // kEq, kIn, kIsIn
};

struct CompiledActionScope {
  ast::ActionConstraint::Kind kind = ast::ActionConstraint::Kind::kAny;
  std::span<const EntityUid* const> targets;  // one for kEq
};

struct CompiledPolicy {
  const ast::Policy* source = nullptr;  // the policy, or the template of a link
  std::string id;                       // the policy's or the link's id
  std::string template_id;              // empty for a static policy
  ast::Effect effect = ast::Effect::kPermit;
  CompiledScope principal;
  CompiledActionScope action;
  CompiledScope resource;
  const Node* condition = nullptr;  // all when/unless clauses; nullptr when there are none

  // The `@id` annotation if present, else the id.
  std::string_view display_name() const;
};

class PolicySet {
 public:
  PolicySet();
  ~PolicySet();
  PolicySet(PolicySet&&) noexcept;
  PolicySet& operator=(PolicySet&&) noexcept;

  // Parses `text` (ids `policy0`, `policy1`, ... unless options say otherwise) and adds
  // every policy and template in it.
  static Result<PolicySet> parse(std::string_view text, std::string_view source_name = {});

  // Adds a static policy, or a template when its scope has slots. Ids must be unique
  // among policies, templates and links.
  Status add(ast::Policy policy);
  Status add_all(std::vector<ast::Policy> policies);

  // Makes template `template_id` into policy `link_id` with its slots bound. Every slot
  // of the template must be bound, and no other.
  Status link(std::string_view template_id, std::string link_id, const SlotBindings& slots);

  // Policies that take part in authorization (static ones and links), by position.
  std::size_t size() const { return policies_.size(); }
  const CompiledPolicy& at(std::uint32_t position) const { return policies_[position]; }
  // Position of the policy or link with this id, or -1.
  std::int64_t find(std::string_view id) const;

  std::size_t template_count() const { return templates_.size(); }
  const ast::Policy* find_template(std::string_view id) const;

  const PolicyIndex& index() const { return index_; }

 private:
  bool id_taken(std::string_view id) const;
  CompiledScope compile_scope(const ast::ScopeConstraint& scope, const SlotBindings& slots);
  Status add_compiled(const ast::Policy& source, std::string id, std::string template_id,
                      const SlotBindings& slots, const Node* condition);
  const Node* compile_conditions(const ast::Policy& policy);

  std::unique_ptr<Arena> arena_;
  std::vector<std::unique_ptr<ast::Policy>> sources_;
  std::map<std::string, const ast::Policy*, std::less<>> templates_;
  std::map<const ast::Policy*, const Node*> template_conditions_;
  std::map<std::string, std::uint32_t, std::less<>> positions_;
  std::vector<CompiledPolicy> policies_;
  PolicyIndex index_;
};

}  // namespace crossgate::cedar
