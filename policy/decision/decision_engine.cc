#include "policy/decision/decision_engine.h"

#include <algorithm>

#include "policy/bedrock/actions.h"
#include "policy/bedrock/arn.h"
#include "policy/cedar/entities/json_value.h"
#include "policy/decision/decision_id.h"
#include "policy/decision/guardrails.h"
#include "policy/model/builtin_schema.h"
#include "policy/model/registry_entities.h"
#include "policy/model/request_projection.h"

namespace crossgate::decision {
namespace {

// The request's facts after checking and completing them from the resource ARN.
struct Normalized {
  std::string iam_action;
  bedrock::BedrockResource resource;
  std::string target_account;
  std::string target_region;
  std::vector<std::string> processing_regions;
};

cedar::Result<Normalized> normalize(const RequestFacts& facts,
                                    const registry::OwnerRegistry& registry) {
  Normalized n;
  if (facts.action.empty()) return cedar::Error{"action: required (a Bedrock API or IAM action)"};
  std::optional<std::string> action = bedrock::iam_action_for(facts.action);
  if (!action)
    return cedar::Error{"action: `" + facts.action + "` is not a Bedrock API or IAM action"};
  n.iam_action = *action;

  if (!bedrock::is_valid_account_id(facts.source_account)) {
    return cedar::Error{"source_account: `" + facts.source_account +
                        "` is not a 12-digit AWS account id"};
  }
  if (!bedrock::is_valid_region(facts.source_region)) {
    return cedar::Error{"source_region: `" + facts.source_region + "` is not an AWS region"};
  }
  if (!facts.target_account.empty() && !bedrock::is_valid_account_id(facts.target_account)) {
    return cedar::Error{"target_account: `" + facts.target_account +
                        "` is not a 12-digit AWS account id"};
  }
  if (!facts.target_region.empty() && !bedrock::is_valid_region(facts.target_region)) {
    return cedar::Error{"target_region: `" + facts.target_region + "` is not an AWS region"};
  }
  if (facts.resource.empty()) return cedar::Error{"resource: required (a model id or Bedrock ARN)"};
  cedar::Result<bedrock::BedrockResource> resource =
      bedrock::parse_bedrock_resource(facts.resource, facts.target_region, facts.target_account);
  if (!resource.ok()) return cedar::Error{"resource: " + resource.message()};
  n.resource = std::move(resource.value());

  // The target is what the caller says, or else what the ARN says; both must agree.
  n.target_region = facts.target_region.empty() ? n.resource.region : facts.target_region;
  if (!n.resource.region.empty() && n.resource.region != n.target_region) {
    return cedar::Error{"resource: the ARN's region " + n.resource.region +
                        " differs from target_region " + n.target_region};
  }
  n.target_account = facts.target_account.empty() ? n.resource.account : facts.target_account;
  if (!n.resource.account.empty() && n.resource.account != n.target_account) {
    return cedar::Error{"resource: the ARN's account " + n.resource.account +
                        " differs from target_account " + n.target_account};
  }
  if (n.target_region.empty()) return cedar::Error{"target_region: required"};
  if (n.target_account.empty()) return cedar::Error{"target_account: required"};
  if (n.resource.region.empty()) n.resource.region = n.target_region;

  // Where the request would be processed: an inference profile may route it to any of its
  // regions (from the registry's catalog; unknown profiles leave it unknown, which the
  // region guardrail refuses); anything else runs in the target region.
  using Kind = bedrock::ResourceKind;
  if (n.resource.kind == Kind::kInferenceProfile ||
      n.resource.kind == Kind::kApplicationInferenceProfile) {
    const registry::InferenceProfile* profile = registry.find_profile(n.resource.resource_id);
    if (profile == nullptr) profile = registry.find_profile(n.resource.arn);
    if (profile != nullptr) n.processing_regions = profile->regions;
  } else {
    n.processing_regions = {n.target_region};
  }
  if (!facts.extra.is_object()) return cedar::Error{"context: must be an object"};
  return n;
}

// The extra context must fit the bundle schema's `Extra` whether or not the request gets
// as far as Cedar: a malformed request is refused, not recorded.
cedar::Status check_extra(const nlohmann::json& extra, const std::string& iam_action,
                          const cedar::Schema& schema) {
  const cedar::ActionDecl* action = schema.find_action(model::kAction, iam_action);
  if (action == nullptr || !action->context) return cedar::Ok{};
  auto it = action->context->attributes.find("extra");
  if (it == action->context->attributes.end()) return cedar::Ok{};
  cedar::Arena scratch;
  cedar::JsonValueReader reader(scratch, &schema);
  cedar::Value value;
  std::string error;
  if (!reader.read(extra, it->second.type.get(), value, error)) {
    return cedar::Error{"context: " + error +
                        " (extra context attributes must be declared in the bundle schema's "
                        "`type Extra`)"};
  }
  return cedar::Ok{};
}

std::vector<const registry::Workload*> workloads_for(const VerifiedIdentity& id,
                                                     const registry::OwnerRegistry& registry) {
  if (!id.verified) return {};
  switch (id.type) {
    case EvidenceType::kJwtSvid:
    case EvidenceType::kX509Svid: return registry.workloads_for_spiffe(id.spiffe_id);
    case EvidenceType::kOidc:
      return registry.workloads_for_oidc(id.issuer, id.subject, id.repository_id, id.environment,
                                         id.workflow);
    case EvidenceType::kAwsSession: return registry.workloads_for_role(id.role_arn);
    case EvidenceType::kNone: return {};
  }
  return {};
}

std::vector<const registry::Workload*> workloads_for_hop(const CallHop& hop,
                                                         const registry::OwnerRegistry& registry) {
  if (hop.workload.starts_with("spiffe://")) return registry.workloads_for_spiffe(hop.workload);
  if (const registry::Workload* w = registry.find_workload(hop.workload)) return {w};
  return {};
}

OwnerRef owner_ref(const registry::OwnerRegistry& registry, const std::string& id) {
  OwnerRef ref;
  ref.id = id;
  if (const registry::Owner* owner = registry.find_owner(id)) {
    ref.name = owner->name;
    ref.contact = owner->contact;
  }
  return ref;
}

}  // namespace

cedar::Result<std::shared_ptr<const DecisionEngine>> DecisionEngine::create(
    std::shared_ptr<const policy_bundle::PolicyBundle> bundle, VersionInfo bundle_version,
    std::shared_ptr<const registry::OwnerRegistry> registry, VersionInfo registry_version) {
  cedar::Result<cedar::Entities> entities = model::project_registry(*registry, bundle->schema);
  if (!entities.ok()) return entities.error();
  std::shared_ptr<DecisionEngine> engine(new DecisionEngine());
  engine->bundle_ = std::move(bundle);
  engine->registry_ = std::move(registry);
  engine->bundle_version_ = std::move(bundle_version);
  engine->registry_version_ = std::move(registry_version);
  engine->entities_ = std::move(entities.value());
  return std::shared_ptr<const DecisionEngine>(std::move(engine));
}

cedar::Result<Decision> DecisionEngine::decide(const DecisionInput& input,
                                               DecisionScratch& scratch) const {
  const RequestFacts& facts = input.facts;
  cedar::Result<Normalized> normalized = normalize(facts, *registry_);
  if (!normalized.ok()) return normalized.error();
  Normalized& n = normalized.value();
  if (cedar::Status s = check_extra(facts.extra, n.iam_action, bundle_->schema); !s.ok()) {
    return s.error();
  }

  Decision d;
  d.decision_id = new_decision_id(input.time);
  d.iam_action = n.iam_action;
  d.resource_arn = n.resource.arn;
  d.resource_kind = std::string(bedrock::kind_name(n.resource.kind));
  d.target_account = n.target_account;
  d.target_region = n.target_region;
  d.processing_regions = n.processing_regions;

  // Resolve everything the guardrails look at.
  GuardrailFacts g;
  g.now = input.time;
  g.identity = &input.identity;
  g.candidates = workloads_for(input.identity, *registry_);
  g.target_account = registry_->find_account(n.target_account);
  g.source_account = facts.source_account;
  g.target_account_id = n.target_account;
  g.cross_account = facts.source_account != n.target_account;
  g.processing_regions = n.processing_regions;
  if (g.candidates.size() == 1) {
    for (const registry::TrustRecord* t :
         registry_->trust_for(g.candidates.front()->id, facts.source_account, n.target_account)) {
      if (t->expires_at == 0 || t->expires_at > input.time) g.trust.push_back(t);
    }
  }
  g.emergency_grant_id = facts.emergency_grant_id;
  if (!facts.emergency_grant_id.empty()) g.grant = registry_->find_grant(facts.emergency_grant_id);
  for (const CallHop& hop : facts.call_chain) {
    g.call_chain.emplace_back(hop, workloads_for_hop(hop, *registry_));
  }
  g.bundle = &bundle_->manifest;
  GuardrailOutcome outcome = evaluate_guardrails(g);
  for (const GuardrailFailure& failure : outcome.failures) {
    d.reasons.emplace_back(failure.code);
    d.notes.push_back(std::string(failure.code) + ": " + failure.note);
  }

  // Owners: whoever is accountable, as far as they are known.
  d.policy_owner = OwnerRef{bundle_->manifest.policy_owner.id, bundle_->manifest.policy_owner.name,
                            bundle_->manifest.policy_owner.contact};
  if (g.target_account != nullptr && !g.target_account->platform_owner.empty()) {
    d.platform_owner = owner_ref(*registry_, g.target_account->platform_owner);
  }
  const registry::Workload* workload = outcome.workload;
  if (workload != nullptr) {
    d.workload_id = workload->id;
    d.identity_owner = owner_ref(*registry_, workload->identity_owner);
  }
  if (outcome.valid_grant != nullptr) {
    d.emergency = true;
    d.grant = *outcome.valid_grant;
  }

  // Cedar, for an attributed request (an unattributed one has no principal to ask about).
  bool cedar_allows = false;
  if (workload != nullptr) {
    model::BoundaryFacts b;
    b.workload_id = workload->id;
    b.iam_action = n.iam_action;
    b.api = facts.action;
    b.resource = n.resource;
    b.processing_regions = n.processing_regions;
    b.request_id = facts.request_id;
    b.source_account = facts.source_account;
    b.source_region = facts.source_region;
    b.target_account = n.target_account;
    b.target_region = n.target_region;
    b.data_classification = facts.data_classification;
    b.identity_type = std::string(evidence_name(input.identity.type));
    if (input.identity.issued_at) {
      b.credential_age_seconds =
          std::max<std::int64_t>(0, (input.time - *input.identity.issued_at) / 1000);
    }
    b.gateway = input.caller.spiffe_id;
    if (outcome.valid_grant != nullptr) {
      b.emergency = true;
      b.grant_id = outcome.valid_grant->id;
      b.grant_incident_id = outcome.valid_grant->incident_id;
      b.grant_incident_owner = outcome.valid_grant->incident_owner;
    }
    for (const auto& [hop, hop_workloads] : g.call_chain) {
      b.call_chain.push_back(hop_workloads.size() == 1 ? hop_workloads.front()->id : hop.workload);
    }
    b.request_time = input.time;
    b.extra = &facts.extra;
    // The arena keeps its block from the thread's last decision instead of allocating one.
    model::ProjectedRequest& projected = scratch.projected;
    projected.arena.reset();
    if (cedar::Status s = model::project_request(b, entities_, bundle_->schema, projected);
        !s.ok()) {
      return s.error();
    }
    cedar::Response response;
    scratch.authorizer.authorize(bundle_->policies, projected.request, entities_, response);
    cedar_allows = response.decision == cedar::Decision::kAllow;
    for (std::uint32_t p : response.determining) {
      const cedar::CompiledPolicy& policy = bundle_->policies.at(p);
      d.determining.push_back({policy.id, std::string(policy.display_name()), {}});
    }
    for (const cedar::PolicyError& e : response.errors) {
      const cedar::CompiledPolicy& policy = bundle_->policies.at(e.policy);
      d.erroring.push_back({policy.id, std::string(policy.display_name()), e.message});
    }
    if (!cedar_allows) {
      bool forbidden = !response.determining.empty();
      d.reasons.emplace_back(forbidden ? kPolicyForbid : kPolicyNoPermit);
      d.notes.push_back(forbidden ? std::string(kPolicyForbid) + ": a forbid policy applies"
                                  : std::string(kPolicyNoPermit) + ": no permit policy applies");
    }
  }

  d.allow = outcome.passed() && cedar_allows;
  if (d.allow) {
    d.obligations = make_obligations(input, d.decision_id, *workload, outcome.trust,
                                     outcome.valid_grant, bundle_->manifest.guardrails);
  }
  return d;
}

}  // namespace crossgate::decision
