// Step 2 of a decision: check the workload identity evidence and keep only what it
// proves. JWT-SVIDs and OIDC tokens are verified against the configured key sets (with
// their cache); an X.509-SVID is the caller's own mTLS certificate; an AWS session counts
// only when the caller is a trusted asserter.
#pragma once

#include <memory>

#include "policy/decision/decision_input.h"
#include "policy/identity/jwt.h"

namespace crossgate::decision {

class IdentityResolver {
 public:
  // `verifier` may be null when no JWT issuer or trust domain is configured: every token
  // is then unverified.
  explicit IdentityResolver(std::shared_ptr<identity::JwtVerifier> verifier)
      : verifier_(std::move(verifier)) {}

  VerifiedIdentity resolve(const DecisionRequest& request, const Caller& caller,
                           UnixMillis now) const;

  // The complete input of a decision: the request's facts with the verified identity.
  DecisionInput verify(const DecisionRequest& request, const Caller& caller, UnixMillis now) const {
    return DecisionInput{request.facts, now, resolve(request, caller, now), caller};
  }

  identity::JwtVerifier* verifier() const { return verifier_.get(); }

 private:
  std::shared_ptr<identity::JwtVerifier> verifier_;
};

}  // namespace crossgate::decision
