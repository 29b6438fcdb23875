#include "server/ext_authz/ext_authz_service.h"

#include "policy/decision/guardrails.h"
#include "server/ext_authz/check_response.h"
#include "server/ext_authz/request_mapping.h"

namespace crossgate::server {

namespace auth = envoy::service::auth::v3;

void ExtAuthzService::answer(const auth::CheckRequest& request, const decision::Caller& caller,
                             const std::shared_ptr<const decision::DecisionEngine>& engine,
                             auth::CheckResponse& response) {
  auto refuse = [&](const std::string& message) {
    // Not a decision (nothing to record), but Envoy needs an answer it turns into a 403.
    if (ServiceMetrics* metrics = pipeline_.metrics()) metrics->refused("invalid_request");
    ext_authz::deny_response({}, {std::string(ext_authz::kInvalidRequest)}, message, response);
  };
  cedar::Result<ext_authz::MappedCheck> mapped =
      ext_authz::map_check_request(request, caller, config_);
  if (!mapped.ok()) return refuse(mapped.message());
  cedar::Result<DecisionPipeline::Outcome> outcome =
      pipeline_.decide(mapped->request, caller, engine);
  if (!outcome.ok()) return refuse(outcome.message());
  const decision::Decision& d = outcome->decision;
  if (!outcome->recorded) {
    std::vector<std::string> reasons = d.reasons;
    reasons.emplace_back(decision::kLogUnavailable);
    return ext_authz::deny_response(d.decision_id, reasons, {}, response);
  }
  if (d.allow) {
    static const std::vector<std::string> kNothing;
    ext_authz::allow_response(
        d, config_.strip_evidence_headers ? mapped->evidence_headers : kNothing, response);
  } else {
    ext_authz::deny_response(d.decision_id, d.reasons, {}, response);
  }
}

grpc::ServerUnaryReactor* ExtAuthzService::Check(grpc::CallbackServerContext* context,
                                                 const auth::CheckRequest* request,
                                                 auth::CheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  DecisionPipeline::Admission admission = pipeline_.enter();
  decision::Caller caller;
  grpc::Status status = pipeline_.admit(context, DecisionPipeline::Need::kAsk, admission, caller);
  std::shared_ptr<const decision::DecisionEngine> engine;
  if (status.ok()) status = pipeline_.active_engine(engine);
  if (status.ok()) answer(*request, caller, engine, *response);
  reactor->Finish(pipeline_.finish("Check", status));
  return reactor;
}

}  // namespace crossgate::server
