// The Cedar request for one decision: principal Workload::"<id>", action
// Action::"<iam action>", resource BedrockResource::"<arn>" (an entity that exists only
// for this request, in its account), and the boundary context of the built-in schema.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/bedrock/arn.h"
#include "policy/cedar/common/result.h"
#include "policy/cedar/entities/entities.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/value/arena.h"
#include "policy/cedar/value/request.h"
#include "policy/common/time.h"

namespace crossgate::model {

struct BoundaryFacts {
  std::string workload_id;
  std::string iam_action;
  std::string api;  // as requested
  bedrock::BedrockResource resource;
  std::vector<std::string> processing_regions;
  std::string request_id;
  std::string source_account;
  std::string source_region;
  std::string target_account;
  std::string target_region;
  std::string data_classification;
  std::string identity_type;
  std::int64_t credential_age_seconds = 0;
  std::string gateway;
  bool emergency = false;
  std::string grant_id;  // with emergency
  std::string grant_incident_id;
  std::string grant_incident_owner;
  std::vector<std::string> call_chain;  // workload ids
  UnixMillis request_time = 0;
  const nlohmann::json* extra = nullptr;  // object; typed by the schema's `Extra`
};

// Owns everything the cedar::Request points to.
struct ProjectedRequest {
  cedar::Arena arena{2048};
  cedar::Entity resource_entity;
  std::vector<std::uint32_t> resource_ancestors;
  cedar::Request request;
};

// Fails (with a message naming the attribute) when the extra context does not fit the
// schema's `Extra` record.
cedar::Status project_request(const BoundaryFacts& facts, const cedar::Entities& store,
                              const cedar::Schema& schema, ProjectedRequest& out);

// Whether a crossing of the boundary happens: the source and target accounts differ.
bool crosses_accounts(const BoundaryFacts& facts);
// Any processing region other than the source region.
bool crosses_regions(const BoundaryFacts& facts);

}  // namespace crossgate::model
