#include "policy/model/request_projection.h"

#include <algorithm>
#include <array>
#include <span>

#include "policy/cedar/entities/json_value.h"
#include "policy/model/builtin_schema.h"

namespace crossgate::model {

using cedar::EntityUid;
using cedar::RecordField;
using cedar::Value;

bool crosses_accounts(const BoundaryFacts& facts) {
  return facts.source_account != facts.target_account;
}

bool crosses_regions(const BoundaryFacts& facts) {
  return std::any_of(facts.processing_regions.begin(), facts.processing_regions.end(),
                     [&](const std::string& r) { return r != facts.source_region; }) ||
         facts.target_region != facts.source_region;
}

cedar::Status project_request(const BoundaryFacts& f, const cedar::Entities& store,
                              const cedar::Schema& schema, ProjectedRequest& out) {
  cedar::Arena& arena = out.arena;
  auto str = [&](std::string_view text) { return Value::make_string(arena, text); };
  auto set = [&](const std::vector<std::string>& items) {
    std::vector<Value> values;
    values.reserve(items.size());
    for (const std::string& item : items)
      values.push_back(str(item));
    return Value::make_set(arena, values);
  };

  const EntityUid* principal = EntityUid::make(arena, kWorkload, f.workload_id);
  const EntityUid* action = EntityUid::make(arena, kAction, f.iam_action);
  const EntityUid* resource = EntityUid::make(arena, kBedrockResource, f.resource.arn);

  // Records are listed in name order (make_record sorts them; sorted, that is one pass)
  // and built on the stack: this runs for every request.
  std::array<RecordField, 7> attrs = {{
      {"account", str(f.resource.account)},
      {"arn", str(f.resource.arn)},
      {"kind", str(bedrock::kind_name(f.resource.kind))},
      {"model", str(f.resource.model)},
      {"processingRegions", set(f.processing_regions)},
      {"provider", str(f.resource.provider)},
      {"region", str(f.resource.region)},
  }};
  out.resource_entity.uid = resource;
  out.resource_entity.attrs = Value::make_record(arena, attrs);
  // The resource is "in" the account that owns it, and so in that account's groups.
  out.resource_ancestors.clear();
  std::string owner_account = f.resource.account.empty() ? f.target_account : f.resource.account;
  if (std::optional<std::uint32_t> position =
          store.position(EntityUid::view(kAccount, owner_account))) {
    out.resource_ancestors.push_back(*position);
    const cedar::Entity& account = store.at(*position);
    out.resource_ancestors.insert(out.resource_ancestors.end(), account.ancestors.begin(),
                                  account.ancestors.end());
    std::sort(out.resource_ancestors.begin(), out.resource_ancestors.end());
  }
  out.resource_entity.ancestors = out.resource_ancestors;

  // The extra attributes, typed by the schema (the context type of the action).
  Value extra = Value::empty_record();
  const cedar::ActionDecl* decl = schema.find_action(kAction, f.iam_action);
  const cedar::SchemaType* extra_type = nullptr;
  if (decl != nullptr && decl->context) {
    auto it = decl->context->attributes.find("extra");
    if (it != decl->context->attributes.end()) extra_type = it->second.type.get();
  }
  if (f.extra != nullptr && !f.extra->empty()) {
    cedar::JsonValueReader reader(arena, &schema);
    std::string error;
    if (!reader.read(*f.extra, extra_type, extra, error)) {
      return cedar::Error{"context: " + error +
                          " (extra context attributes must be declared in the bundle schema's "
                          "`type Extra`)"};
    }
  } else if (extra_type != nullptr) {
    std::string error;
    cedar::JsonValueReader reader(arena, &schema);
    if (!reader.read(nlohmann::json::object(), extra_type, extra, error)) {
      return cedar::Error{"context: " + error};
    }
  }

  std::array<RecordField, 19> context = {{
      {"api", str(f.api)},
      {"callChain", set(f.call_chain)},
      {"callChainDepth", Value::integer(static_cast<std::int64_t>(f.call_chain.size()))},
      {"credentialAgeSeconds", Value::integer(f.credential_age_seconds)},
      {"crossAccount", Value::boolean(crosses_accounts(f))},
      {"crossRegion", Value::boolean(crosses_regions(f))},
      {"dataClassification", str(f.data_classification)},
      {"emergency", Value::boolean(f.emergency)},
      {"extra", extra},
      {"gateway", str(f.gateway)},
      {"identityType", str(f.identity_type)},
      {"processingRegions", set(f.processing_regions)},
      {"requestId", str(f.request_id)},
      {"requestTime", Value::datetime(cedar::ext::Datetime{f.request_time})},
      {"sourceAccount", str(f.source_account)},
      {"sourceRegion", str(f.source_region)},
      {"targetAccount", str(f.target_account)},
      {"targetRegion", str(f.target_region)},
  }};
  // The last slot is for the emergency grant, present only under one.
  std::size_t context_size = context.size() - 1;
  if (f.emergency) {
    std::array<RecordField, 3> grant = {{{"id", str(f.grant_id)},
                                         {"incidentId", str(f.grant_incident_id)},
                                         {"incidentOwner", str(f.grant_incident_owner)}}};
    context[context_size++] = {"emergencyGrant", Value::make_record(arena, grant)};
  }
  out.request.principal = *principal;
  out.request.action = *action;
  out.request.resource = *resource;
  out.request.context =
      Value::make_record(arena, std::span<RecordField>(context.data(), context_size));
  out.request.entities = std::span<const cedar::Entity>(&out.resource_entity, 1);
  return cedar::Ok{};
}

}  // namespace crossgate::model
