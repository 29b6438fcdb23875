#include "server/cli/eval_command.h"

#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "policy/decision/decision_record.h"
#include "server/cli/flags.h"
#include "server/cli/policy_files.h"
#include "server/config/server_config.h"
#include "server/daemon/runtime.h"
#include "server/service/proto_mapping.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage = R"(usage: crossgate eval --config FILE --request FILE|-
                     [--bundle PATH] [--registry PATH] [--caller SPIFFE_ID]
                     [--time RFC3339] [--allow-unsigned]

Decides one request as the daemon configured by FILE would, without starting it, and
prints {"response": ..., "record": ...}. The request is a crossgate.v1.AuthorizeRequest in
protobuf JSON, e.g.
  {"requestId": "r1", "identity": {"jwtSvid": "eyJ..."}, "action": "Converse",
   "resource": "anthropic.claude-3-haiku-20240307-v1:0", "sourceAccount": "111122223333",
   "sourceRegion": "us-east-1", "targetAccount": "444455556666", "targetRegion": "us-east-1"}
--bundle and --registry replace the configured paths (e.g. a candidate bundle); --caller
decides as if that SPIFFE ID called (with its configured roles); --time decides at that
instant instead of now. Exit status: 0 ALLOW, 1 DENY, 2 unusable input.
)";

int fail(const std::string& message) {
  std::cerr << "crossgate eval: " << message << "\n";
  return 2;
}

}  // namespace

int eval_command(std::span<const std::string_view> args) {
  std::string config_path, request_path, bundle, registry, caller, time;
  bool allow_unsigned = false;
  bool help = false;
  const ValueFlag values[] = {{"--config", &config_path}, {"--request", &request_path},
                              {"--bundle", &bundle},      {"--registry", &registry},
                              {"--caller", &caller},      {"--time", &time}};
  const SwitchFlag switches[] = {{"--allow-unsigned", &allow_unsigned}};
  if (std::optional<std::string> problem = parse_flags(args, {values, switches}, &help)) {
    std::cerr << "crossgate eval: " << *problem << "\n" << kUsage;
    return 2;
  }
  if (help) {
    std::cout << kUsage;
    return 0;
  }
  if (config_path.empty() || request_path.empty()) {
    std::cerr << "crossgate eval: --config and --request are required\n" << kUsage;
    return 2;
  }
  cedar::Result<server::ServerConfig> config = server::load_server_config(config_path);
  if (!config.ok()) return fail(config.message());
  if (!bundle.empty()) config->policy_bundle.path = bundle;
  if (!registry.empty()) config->owner_registry.path = registry;
  if (allow_unsigned) config->allow_unsigned_bundles = true;

  UnixMillis now = now_millis();
  if (!time.empty()) {
    std::optional<UnixMillis> at = parse_rfc3339(time);
    if (!at) return fail("--time: `" + time + "` is not an RFC 3339 time");
    now = *at;
  }
  cedar::Result<loading::TrustSettings> trust = server::load_trust(*config);
  if (!trust.ok()) return fail(trust.message());
  cedar::Result<std::shared_ptr<identity::JwtVerifier>> verifier =
      server::make_jwt_verifier(*config);
  if (!verifier.ok()) return fail(verifier.message());
  cedar::Result<std::shared_ptr<const decision::DecisionEngine>> engine =
      server::load_snapshot(*config, *trust, nullptr);
  if (!engine.ok()) return fail(engine.message());

  cedar::Result<std::string> text =
      request_path == "-"
          ? cedar::Result<std::string>(std::string(std::istreambuf_iterator<char>(std::cin), {}))
          : read_text_file(request_path);
  if (!text.ok()) return fail(text.message());
  crossgate::v1::AuthorizeRequest request;
  google::protobuf::util::JsonParseOptions parse_options;
  if (auto s = google::protobuf::util::JsonStringToMessage(*text, &request, parse_options);
      !s.ok()) {
    return fail((request_path == "-" ? std::string("<stdin>") : request_path) +
                ": not an AuthorizeRequest: " + std::string(s.message()));
  }
  cedar::Result<decision::DecisionRequest> parsed = server::from_proto(request);
  if (!parsed.ok()) return fail(parsed.message());

  decision::Caller who;
  who.spiffe_id = caller;
  if (const server::CallerConfig* c = config->find_caller(caller)) {
    who.trusted_asserter = c->may_assert_aws_session;
  }
  decision::IdentityResolver resolver(*verifier);
  decision::DecisionInput input = resolver.verify(*parsed, who, now);
  decision::DecisionScratch scratch;
  cedar::Result<decision::Decision> decided = (*engine)->decide(input, scratch);
  if (!decided.ok()) return fail(decided.message());

  crossgate::v1::AuthorizeResponse response;
  server::to_proto(*decided, input, **engine, response);
  std::string response_json;
  google::protobuf::util::JsonPrintOptions print_options;
  print_options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(response, &response_json, print_options);
  nlohmann::ordered_json out;
  out["response"] = nlohmann::ordered_json::parse(response_json);
  out["record"] = decision::make_record(input, *decided, (*engine)->bundle_version(),
                                        (*engine)->registry_version(), 0);
  std::cout << out.dump(2) << "\n";
  return decided->allow ? 0 : 1;
}

}  // namespace crossgate::cli
