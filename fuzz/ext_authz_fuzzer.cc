// Fuzzes Envoy's ext_authz path without the gRPC server: CheckRequest bytes are parsed as
// the wire message, mapped to a decision request (route from method, path and host;
// evidence and facts from headers and context extensions) for an untrusted and a trusted
// gateway, decided by the example engine, recorded as JSON and answered as Envoy's
// CheckResponse.
#include "fuzz/fuzz_world.h"
#include "policy/decision/decision_record.h"
#include "server/ext_authz/check_response.h"
#include "server/ext_authz/request_mapping.h"

using namespace crossgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::DecisionWorld& w = fuzz::decision_world();
  envoy::service::auth::v3::CheckRequest check;
  if (!check.ParseFromArray(data, static_cast<int>(size))) return 0;

  const decision::Caller untrusted{"spiffe://example.org/ns/gateway", false};
  (void)server::ext_authz::map_check_request(check, untrusted, w.config.ext_authz);
  const decision::Caller trusted{"spiffe://example.org/ns/claims/sa/assistant", true};
  cedar::Result<server::ext_authz::MappedCheck> mapped =
      server::ext_authz::map_check_request(check, trusted, w.config.ext_authz);
  envoy::service::auth::v3::CheckResponse response;
  if (!mapped.ok()) {
    server::ext_authz::deny_response("", {std::string(server::ext_authz::kInvalidRequest)},
                                     mapped.message(), response);
    return 0;
  }
  decision::DecisionInput input =
      w.identity->verify(mapped->request, trusted, fuzz::kNowSeconds * 1000);
  static decision::DecisionScratch scratch;
  cedar::Result<decision::Decision> decided = w.engine->decide(input, scratch);
  if (!decided.ok()) return 0;
  std::string record =
      decision::record_json(input, *decided, w.engine->bundle_version(),
                            w.engine->registry_version(), 0, w.config.log_mask_context_keys);
  fuzz::require_one_json_line(record);
  // A record must never carry the token (unless the request also put it elsewhere: the
  // token appears once in the message when it is only in its evidence header).
  std::string_view signature = fuzz::jws_signature(mapped->request.token);
  if (!signature.empty() && record.find(signature) != std::string::npos) {
    std::string bytes = check.SerializeAsString();
    if (bytes.find(signature) == bytes.rfind(signature)) __builtin_trap();
  }
  if (decided->allow) {
    server::ext_authz::allow_response(*decided, mapped->evidence_headers, response);
  } else {
    server::ext_authz::deny_response(decided->decision_id, decided->reasons, "", response);
  }
  return 0;
}
