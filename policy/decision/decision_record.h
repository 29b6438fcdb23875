// The decision record (design section 7): one JSON object per line in the decision log.
//
//   {"seq": 42, "time": "2026-11-27T18:34:45.123Z", "decision_id": "...",
//    "request_id": "...", "decision": "ALLOW" | "DENY", "reasons": [...], "notes": [...],
//    "determining_policies": [{"id", "name"}], "erroring_policies": [{"id", "name", "error"}],
//    "owners": {"identity": {...}, "platform": {...}, "policy": {...}},
//    "workload": "...",
//    "principal": {"evidence", "verified", "failure", "lifetime_failure", "spiffe_id", "issuer",
//    "subject",
//                  "repository_id", "environment", "workflow", "role_arn",
//                  "source_identity", "session_name", "session_tags", "issued_at",
//                  "not_before", "expires_at", "token_sha256"},
//    "gateway": {"spiffe_id", "trusted_asserter"},
//    "request": {"api", "action", "resource", "resource_arn", "resource_kind",
//                "source_account", "source_region", "target_account", "target_region",
//                "processing_regions", "data_classification", "emergency_grant_id",
//                "call_chain": [{"workload", "kind"}], "context": {...}},
//    "bundle": {"name", "revision", "digest"}, "registry": {"name", "revision", "digest"},
//    "emergency_grant": {"id", "incident_id", "incident_owner", "requested_by",
//                        "approved_by"} | null,
//    "obligations": {"role_arn", "role_session_name", "source_identity", "session_tags",
//                    "duration_seconds"} | null,
//    "latency_us": 87,
//    "prev": "<SHA-256 hex of the previous record's line>"}
//
// Principal fields that are empty are left out. The record keeps the verified identity
// and the request as given, never a token (only its digest), which is enough to decide
// the request again (input_from_record) against another bundle.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/common/result.h"
#include "policy/decision/decision_engine.h"
#include "policy/decision/decision_input.h"

namespace crossgate::decision {

// The record as one JSON object, everything but "seq" and "prev", which the log adds as it
// chains records. Written directly (no JSON document is built): this runs once per
// decision. The values of the extra context keys in `masked_context_keys` are recorded as
// "masked:sha256:<digest of the value's JSON>", for attributes that must not be kept in
// clear (a masked value no longer replays as it was decided).
std::string record_json(const DecisionInput& input, const Decision& decision,
                        const VersionInfo& bundle, const VersionInfo& registry,
                        std::int64_t latency_us,
                        const std::vector<std::string>& masked_context_keys = {});
// The same, appended to `out` (a call's records share one buffer).
void append_record_json(std::string& out, const DecisionInput& input, const Decision& decision,
                        const VersionInfo& bundle, const VersionInfo& registry,
                        std::int64_t latency_us,
                        const std::vector<std::string>& masked_context_keys = {});

// record_json as a document, for tools and tests that read or change fields.
nlohmann::ordered_json make_record(const DecisionInput& input, const Decision& decision,
                                   const VersionInfo& bundle, const VersionInfo& registry,
                                   std::int64_t latency_us,
                                   const std::vector<std::string>& masked_context_keys = {});

// The line as it is written (without the newline): the record object `record_json` with
// "seq" put first and "prev" last.
std::string chain_record(std::string_view record_json, std::uint64_t seq,
                         std::string_view previous_hash);
// The same, appended to `out` (the log builds a batch's lines in one buffer).
void append_chained_record(std::string& out, std::string_view record_json, std::uint64_t seq,
                           std::string_view previous_hash);

// SHA-256 (hex) of a record line, without its newline: the next record's "prev".
std::string record_hash(std::string_view line);

// The hash that the first record of a chain points back to.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The decision input a record holds, for deciding again.
cedar::Result<DecisionInput> input_from_record(const nlohmann::json& record);

}  // namespace crossgate::decision
