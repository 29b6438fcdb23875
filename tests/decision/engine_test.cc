// The decision engine on the example bundle and registry (loaded and verified with the
// example keys): normalization, every evidence type's mapping to a workload, Cedar's part,
// obligations, and the record with its round trip through replay's reader.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "policy/decision/decision_engine.h"
#include "policy/decision/decision_id.h"
#include "policy/decision/decision_record.h"
#include "policy/loading/snapshot_loader.h"

namespace crossgate::decision {
namespace {

using Catch::Matchers::ContainsSubstring;

const std::string kExample = std::string(CROSSGATE_SOURCE_DIR) + "/deploy/example";
// Inside the example grant's window (2026-11-27T00:00Z to 04:00Z).
const UnixMillis kNow = *parse_rfc3339("2026-11-27T01:00:00Z");

std::shared_ptr<const DecisionEngine> example_engine() {
  static std::shared_ptr<const DecisionEngine> engine = [] {
    loading::TrustSettings trust;
    REQUIRE(trust.policy_bundle.keys.add_pem_file(kExample + "/keys/EXAMPLE-policy-owner.pub.pem")
                .ok());
    REQUIRE(
        trust.owner_registry.keys.add_pem_file(kExample + "/keys/EXAMPLE-registry.pub.pem").ok());
    auto bundle = loading::load_policy_bundle(kExample + "/bundle", trust, kNow);
    INFO((bundle.ok() ? std::string() : bundle.message()));
    REQUIRE(bundle.ok());
    auto registry = loading::load_owner_registry(kExample + "/registry", trust, kNow);
    INFO((registry.ok() ? std::string() : registry.message()));
    REQUIRE(registry.ok());
    auto made = loading::make_engine(*bundle, *registry);
    INFO((made.ok() ? std::string() : made.message()));
    REQUIRE(made.ok());
    return *made;
  }();
  return engine;
}

DecisionInput claims_request() {
  DecisionInput in;
  in.time = kNow;
  in.identity.type = EvidenceType::kJwtSvid;
  in.identity.verified = true;
  in.identity.spiffe_id = "spiffe://example.org/ns/claims/sa/assistant";
  in.identity.issued_at = kNow - 60'000;
  in.identity.expires_at = kNow + 240'000;
  in.facts.request_id = "r-1";
  in.facts.action = "Converse";
  in.facts.resource =
      "arn:aws:bedrock:us-east-1:444455556666:inference-profile/"
      "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
  in.facts.source_account = "111122223333";
  in.facts.source_region = "us-east-1";
  in.facts.target_account = "444455556666";
  in.facts.target_region = "us-east-1";
  in.facts.data_classification = "internal";
  return in;
}

Decision decide(const DecisionInput& in) {
  decision::DecisionScratch scratch;
  cedar::Result<Decision> d = example_engine()->decide(in, scratch);
  INFO((d.ok() ? std::string() : d.message()));
  REQUIRE(d.ok());
  return *d;
}

std::string error_of(const DecisionInput& in) {
  decision::DecisionScratch scratch;
  cedar::Result<Decision> d = example_engine()->decide(in, scratch);
  REQUIRE_FALSE(d.ok());
  return d.message();
}

using Codes = std::vector<std::string>;

TEST_CASE("ALLOW names the owners and carries the obligations", "[engine]") {
  Decision d = decide(claims_request());
  CHECK(d.allow);
  CHECK(d.reasons.empty());
  CHECK(d.workload_id == "claims-assistant-prod");
  CHECK(d.iam_action == "bedrock:InvokeModel");  // Converse is authorized as InvokeModel
  CHECK(d.processing_regions == std::vector<std::string>{"us-east-1", "us-east-2", "us-west-2"});
  CHECK(d.identity_owner.id == "team-claims-platform");
  CHECK(d.identity_owner.name == "Claims Platform");
  CHECK(d.platform_owner.id == "team-ml-platform");
  CHECK(d.policy_owner.id == "team-ai-governance");
  REQUIRE(d.determining.size() == 1);
  CHECK(d.determining[0].name == "claims-assistant-may-invoke-anthropic");
  REQUIRE(d.obligations.has_value());
  CHECK(d.obligations->role_arn == "arn:aws:iam::444455556666:role/bedrock-invoker-claims");
  CHECK(d.obligations->role_session_name == "cg-" + d.decision_id);
  CHECK(d.obligations->source_identity == "claims-assistant-prod");
  CHECK(d.obligations->session_tags.at("crossgate:decision") == d.decision_id);
  CHECK(d.obligations->duration_seconds == 3600);
  CHECK(d.decision_id.size() == 26);
}

TEST_CASE("each evidence type maps to its workload", "[engine]") {
  SECTION("X.509-SVID") {
    DecisionInput in = claims_request();
    in.identity = VerifiedIdentity{};
    in.identity.type = EvidenceType::kX509Svid;
    in.identity.verified = true;
    in.identity.spiffe_id = "spiffe://example.org/ns/claims/sa/assistant";
    CHECK(decide(in).workload_id == "claims-assistant-prod");
  }
  SECTION("GitHub Actions OIDC: issuer, repository id, environment and workflow") {
    DecisionInput in = claims_request();
    in.identity = VerifiedIdentity{};
    in.identity.type = EvidenceType::kOidc;
    in.identity.verified = true;
    in.identity.issuer = "https://token.actions.githubusercontent.com";
    in.identity.repository_id = "123456789";
    in.identity.environment = "production";
    in.identity.workflow = "acme/claims-assistant/.github/workflows/deploy.yml@refs/heads/main";
    in.facts.action = "ApplyGuardrail";
    in.facts.resource = "arn:aws:bedrock:us-east-1:444455556666:guardrail/abc123def456";
    Decision d = decide(in);
    CHECK(d.workload_id == "claims-deploy-pipeline");
    CHECK(d.allow);
    in.identity.environment = "staging";  // another environment is another identity
    // No workload, so no trust record can cover the cross-account call either.
    CHECK(decide(in).reasons == Codes{"UNATTRIBUTED", "NO_EXPLICIT_TRUST"});
  }
  SECTION("an AWS session: the assumed role maps to its workload, path or not") {
    DecisionInput in = claims_request();
    in.identity = VerifiedIdentity{};
    in.identity.type = EvidenceType::kAwsSession;
    in.identity.verified = true;
    in.identity.role_arn = "arn:aws:sts::111122223333:assumed-role/claims-assistant/session-1";
    in.identity.issued_at = kNow - 60'000;
    in.identity.expires_at = kNow + 3'000'000;
    Decision d = decide(in);
    CHECK(d.workload_id == "claims-assistant-prod");
    CHECK(d.allow);
    // The gateway holds assumed-role credentials: role chaining caps the session at 1 h.
    CHECK(d.obligations->duration_seconds <= 3600);
  }
}

TEST_CASE("guardrail and policy denials", "[engine]") {
  SECTION("a shared role") {
    DecisionInput in = claims_request();
    in.identity = VerifiedIdentity{};
    in.identity.type = EvidenceType::kAwsSession;
    in.identity.verified = true;
    in.identity.role_arn = "arn:aws:iam::111122223333:role/shared-reporting";
    in.identity.issued_at = kNow;
    in.identity.expires_at = kNow + 600'000;
    Decision d = decide(in);
    CHECK_FALSE(d.allow);
    CHECK(d.reasons == Codes{"UNATTRIBUTED", "SHARED_IDENTITY", "NO_EXPLICIT_TRUST"});
    CHECK(d.workload_id.empty());
    CHECK(d.determining.empty());  // Cedar is not asked for an unattributed request
  }
  SECTION("restricted data across regions: a forbid policy") {
    DecisionInput in = claims_request();
    in.facts.data_classification = "restricted";
    Decision d = decide(in);
    CHECK(d.reasons == Codes{"POLICY_FORBID"});
    REQUIRE(d.determining.size() == 1);
    CHECK(d.determining[0].name == "restricted-data-stays-in-its-region");
    CHECK_FALSE(d.obligations.has_value());
  }
  SECTION("no permit for an agent call") {
    DecisionInput in = claims_request();
    in.facts.action = "Retrieve";
    in.facts.resource = "arn:aws:bedrock:us-east-1:444455556666:knowledge-base/KB12345678";
    CHECK(decide(in).reasons == Codes{"POLICY_NO_PERMIT"});
  }
  SECTION("an inference profile missing from the catalog") {
    DecisionInput in = claims_request();
    in.facts.resource = "us.meta.llama3-1-70b-instruct-v1:0";
    Decision d = decide(in);
    CHECK(d.reasons.front() == "REGION_NOT_TRUSTED");
    CHECK(d.processing_regions.empty());
  }
  SECTION("the emergency grant stands in for trust in the EU account") {
    DecisionInput in = claims_request();
    in.facts.resource =
        "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
    in.facts.target_account = "999900001111";
    in.facts.target_region = "eu-central-1";
    CHECK(decide(in).reasons == Codes{"NO_EXPLICIT_TRUST"});
    in.facts.emergency_grant_id = "eg-2026-0042";
    Decision d = decide(in);
    CHECK(d.allow);
    CHECK(d.emergency);
    REQUIRE(d.grant.has_value());
    CHECK(d.grant->incident_id == "INC-4711");
    CHECK(d.obligations->role_arn == "arn:aws:iam::999900001111:role/bedrock-breakglass");
    CHECK(d.obligations->session_tags.at("crossgate:incident") == "INC-4711");
    in.time = *parse_rfc3339("2026-11-27T05:00:00Z");  // after the window
    in.identity.issued_at = in.time - 60'000;
    in.identity.expires_at = in.time + 240'000;
    CHECK(decide(in).reasons == Codes{"NO_EXPLICIT_TRUST", "EMERGENCY_GRANT_INVALID"});
  }
}

TEST_CASE("malformed requests are errors that name the field", "[engine][bad-input]") {
  DecisionInput in = claims_request();
  SECTION("unknown action") {
    in.facts.action = "DeleteModel";
    CHECK_THAT(error_of(in), ContainsSubstring("action: `DeleteModel` is not a Bedrock API"));
  }
  SECTION("malformed ARN") {
    in.facts.resource = "arn:aws:s3:::bucket";
    CHECK_THAT(error_of(in), ContainsSubstring("resource:"));
  }
  SECTION("ARN region differs from the target region") {
    in.facts.target_region = "us-west-2";
    CHECK_THAT(error_of(in), ContainsSubstring("differs from target_region us-west-2"));
  }
  SECTION("bad source account") {
    in.facts.source_account = "12345";
    CHECK_THAT(error_of(in), ContainsSubstring("source_account: `12345` is not a 12-digit"));
  }
  SECTION("extra context the schema does not declare") {
    in.facts.extra = nlohmann::json{{"undeclared", 1}};
    CHECK_THAT(error_of(in), ContainsSubstring("\"undeclared\" is not declared"));
  }
  SECTION("undeclared extra context is refused even when the request is unattributed") {
    in.identity = VerifiedIdentity{};
    in.facts.extra = nlohmann::json{{"undeclared", 1}};
    CHECK_THAT(error_of(in), ContainsSubstring("\"undeclared\" is not declared"));
  }
  SECTION("extra context of the wrong type") {
    in.facts.extra = nlohmann::json{{"ticket", 7}};
    CHECK_THAT(error_of(in), ContainsSubstring("expected String"));
  }
}

TEST_CASE("declared extra context reaches the policies", "[engine]") {
  DecisionInput in = claims_request();
  in.facts.call_chain = {{"claims-assistant-prod", "agent"},
                         {"claims-deploy-pipeline", "tool"},
                         {"claims-assistant-prod", "tool"}};
  Decision d = decide(in);
  CHECK(d.reasons == Codes{"POLICY_FORBID"});  // three hops need a ticket
  in.facts.extra = nlohmann::json{{"ticket", "CHG-1"}};
  CHECK(decide(in).allow);
}

TEST_CASE("a record holds what is needed to decide again", "[engine][record]") {
  DecisionInput in = claims_request();
  in.identity.token_sha256 = std::string(64, 'a');
  in.caller.spiffe_id = "spiffe://example.org/gateway/bedrock-proxy";
  in.facts.emergency_grant_id = "";
  in.facts.extra = nlohmann::json{{"ticket", "CHG-9"}};
  Decision d = decide(in);
  const DecisionEngine& engine = *example_engine();
  nlohmann::ordered_json record =
      make_record(in, d, engine.bundle_version(), engine.registry_version(), 42);
  CHECK(record["decision"] == "ALLOW");
  CHECK(record["workload"] == "claims-assistant-prod");
  CHECK(record["principal"]["token_sha256"] == std::string(64, 'a'));
  CHECK(record["request"]["action"] == "bedrock:InvokeModel");
  CHECK(record["request"]["api"] == "Converse");
  CHECK(record["bundle"]["digest"] == engine.bundle_version().digest);
  CHECK(record["obligations"]["role_session_name"] == "cg-" + d.decision_id);

  std::string line = chain_record(record.dump(), 7, kGenesisHash);
  nlohmann::json parsed = nlohmann::json::parse(line);
  CHECK(parsed["seq"] == 7);
  CHECK(parsed["prev"] == std::string(kGenesisHash));
  CHECK(line.rfind("{\"seq\":7,", 0) == 0);
  CHECK(record_hash(line) == record_hash(line));
  CHECK(record_hash(line).size() == 64);

  cedar::Result<DecisionInput> again = input_from_record(parsed);
  REQUIRE(again.ok());
  Decision replayed = decide(*again);
  CHECK(replayed.allow == d.allow);
  CHECK(replayed.reasons == d.reasons);
  CHECK(replayed.workload_id == d.workload_id);
  CHECK(replayed.determining.size() == d.determining.size());
  CHECK(again->identity.token_sha256 == std::string(64, 'a'));
}

TEST_CASE("decision ids are ULIDs that sort by time", "[engine]") {
  std::string a = new_decision_id(1'000);
  std::string b = new_decision_id(2'000);
  CHECK(a.size() == 26);
  CHECK(a < b);
  CHECK(a.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
  CHECK(new_decision_id(1'000) != a);
}

TEST_CASE("masked context keys keep only a digest in the record", "[engine][record]") {
  DecisionInput in = claims_request();
  in.facts.extra = nlohmann::json{{"ticket", "CHG-SECRET-42"}};
  Decision d = decide(in);
  in.facts.extra["team"] = "claims";  // (not in the example schema, so added after deciding)
  std::string json = record_json(in, d, example_engine()->bundle_version(),
                                 example_engine()->registry_version(), 1, {"ticket", "absent"});
  CHECK(json.find("CHG-SECRET-42") == std::string::npos);
  nlohmann::json record = nlohmann::json::parse(json);
  CHECK(record["request"]["context"]["ticket"] ==
        "masked:sha256:" + record_hash("\"CHG-SECRET-42\""));
  CHECK(record["request"]["context"]["team"] == "claims");
  CHECK_FALSE(record["request"]["context"].contains("absent"));
}

TEST_CASE("hostile request text still makes one valid JSON line", "[engine][record]") {
  DecisionInput in = claims_request();
  in.facts.request_id =
      std::string("quote\" backslash\\ newline\n nul") + '\0' + "\x01 bad\xff\xc3";
  Decision d = decide(in);
  in.facts.extra = nlohmann::json{{"note\"\n", "\t\u00e9\U0001F600"}};
  std::string line = chain_record(record_json(in, d, example_engine()->bundle_version(),
                                              example_engine()->registry_version(), 1),
                                  3, std::string(kGenesisHash));
  CHECK(line.find('\n') == std::string::npos);
  nlohmann::json parsed = nlohmann::json::parse(line);
  std::string id = parsed["request_id"];
  CHECK(id.rfind("quote\" backslash\\ newline\n nul", 0) == 0);
  CHECK(id.find("\xEF\xBF\xBD") != std::string::npos);  // the invalid bytes became U+FFFD
  CHECK(parsed["request"]["context"]["note\"\n"] == "\t\u00e9\U0001F600");
}

}  // namespace
}  // namespace crossgate::decision
