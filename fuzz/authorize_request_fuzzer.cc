// Fuzzes the path of an Authorize call without the gRPC server: AuthorizeRequest bytes are
// parsed as the wire message, mapped to a decision request, their evidence verified, the
// decision made by the example engine, recorded as JSON and mapped back to the answer.
#include "fuzz/fuzz_world.h"
#include "policy/decision/decision_record.h"
#include "server/service/proto_mapping.h"

using namespace crossgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::DecisionWorld& w = fuzz::decision_world();
  v1::AuthorizeRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  cedar::Result<decision::DecisionRequest> parsed = server::from_proto(request);
  if (!parsed.ok()) return 0;

  // A gateway with an X.509-SVID that may assert AWS sessions, so that every kind of
  // evidence can verify.
  decision::Caller caller{"spiffe://example.org/ns/claims/sa/assistant", true};
  decision::DecisionInput input = w.identity->verify(*parsed, caller, fuzz::kNowSeconds * 1000);
  static decision::DecisionScratch scratch;
  cedar::Result<decision::Decision> decided = w.engine->decide(input, scratch);
  if (!decided.ok()) return 0;
  std::string record =
      decision::record_json(input, *decided, w.engine->bundle_version(),
                            w.engine->registry_version(), 0, w.config.log_mask_context_keys);
  fuzz::require_one_json_line(record);
  // A record must never carry the token (unless the request also put it in another field).
  std::string_view signature = fuzz::jws_signature(parsed->token);
  if (!signature.empty() && record.find(signature) != std::string::npos) {
    v1::AuthorizeRequest rest = request;
    rest.clear_identity();
    if (rest.SerializeAsString().find(signature) == std::string::npos) __builtin_trap();
  }
  v1::AuthorizeResponse response;
  server::to_proto(*decided, input, *w.engine, response);
  return 0;
}
