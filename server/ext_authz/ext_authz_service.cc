#include "server/ext_authz/ext_authz_service.h"

#include "policy/decision/guardrails.h"
#include "server/ext_authz/check_response.h"
#include "server/ext_authz/request_mapping.h"

namespace crossgate::server {

namespace auth = envoy::service::auth::v3;

namespace {

// A Check call waiting for its record.
class CheckCall final : public DecisionPipeline::UnaryCall<auth::CheckResponse> {
 public:
  CheckCall(DecisionPipeline& pipeline, grpc::ServerUnaryReactor* reactor,
            auth::CheckResponse* response)
      : UnaryCall(pipeline, "Check", reactor, response) {}

 private:
  void deny_unrecorded(auth::CheckResponse& response) override {
    const Kept& d = kept[0];
    std::vector<std::string> reasons = d.reasons;
    reasons.emplace_back(decision::kLogUnavailable);
    response.Clear();
    ext_authz::deny_response(d.decision_id, reasons, {}, response);
  }
};

}  // namespace

bool ExtAuthzService::answer(const auth::CheckRequest& request, const decision::Caller& caller,
                             const std::shared_ptr<const decision::DecisionEngine>& engine,
                             DecisionPipeline::PendingCall& call, auth::CheckResponse& response) {
  auto refuse = [&](const std::string& message) {
    // Not a decision (nothing to record), but Envoy needs an answer it turns into a 403.
    if (ServiceMetrics* metrics = pipeline_.metrics()) metrics->refused("invalid_request");
    ext_authz::deny_response({}, {std::string(ext_authz::kInvalidRequest)}, message, response);
    return false;
  };
  cedar::Result<ext_authz::MappedCheck> mapped =
      ext_authz::map_check_request(request, caller, config_);
  if (!mapped.ok()) return refuse(mapped.message());
  cedar::Result<DecisionPipeline::Outcome> outcome =
      pipeline_.decide(mapped->request, caller, engine, call);
  if (!outcome.ok()) return refuse(outcome.message());
  // As if the record will be written; the call's finish() turns it into a DENY if not.
  const decision::Decision& d = outcome->decision;
  if (d.allow) {
    static const std::vector<std::string> kNothing;
    ext_authz::allow_response(
        d, config_.strip_evidence_headers ? mapped->evidence_headers : kNothing, response);
  } else {
    ext_authz::deny_response(d.decision_id, d.reasons, {}, response);
  }
  return true;
}

grpc::ServerUnaryReactor* ExtAuthzService::Check(grpc::CallbackServerContext* context,
                                                 const auth::CheckRequest* request,
                                                 auth::CheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto call = std::make_unique<CheckCall>(pipeline_, reactor, response);
  decision::Caller caller;
  grpc::Status status =
      pipeline_.admit(context, DecisionPipeline::Need::kAsk, call->admission(), caller);
  std::shared_ptr<const decision::DecisionEngine> engine;
  if (status.ok()) status = pipeline_.active_engine(engine);
  if (status.ok() && answer(*request, caller, engine, *call, *response)) {
    pipeline_.record(std::move(call));  // answers once the record is written
  } else {
    call->finish_now(status);
  }
  return reactor;
}

}  // namespace crossgate::server
