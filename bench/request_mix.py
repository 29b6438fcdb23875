#!/usr/bin/python3
"""Writes the load benchmark's request mixes for the example bundle and registry.

  request_mix.py --out DIR [--keys deploy/example/keys] [--lifetime 3600]

A gateway's traffic, as crossgate_loadgen reads it (one JSON object per line, with the
decision the example policies must give):
  authorize-plaintext.jsonl  JWT-SVIDs only: on a plaintext listener nobody may assert an
                             AWS session
  authorize-mtls.jsonl       the same plus AWS assumed-role sessions asserted by the
                             example gateway (mTLS caller with the assert_aws_session role)
  check-mtls.jsonl           the mTLS mix as Envoy ext_authz CheckRequests: the Bedrock
                             runtime HTTP request (host, path) with the evidence and the
                             boundary facts in the headers server/ext_authz reads by default
Verified JWT-SVIDs are reused as gateways do: a few distinct tokens (one per pod), each
sent many times, so the daemon verifies each once and then finds it in its cache. About
three quarters of the requests are allowed: cross-account through a cross-region inference
profile, cross-account and cross-region to a foundation model; the denials are restricted
data leaving its region (POLICY_FORBID), a target account without trust
(NO_EXPLICIT_TRUST), a dev workload calling prod (ENVIRONMENT_MISMATCH) and a role shared
by two workloads (SHARED_IDENTITY).
"""
import argparse
import json
import pathlib
import time

import jwt  # PyJWT (Debian: python3-jwt)

EXAMPLE_KEYS = pathlib.Path(__file__).resolve().parents[1] / "deploy" / "example" / "keys"
ASSISTANT = "spiffe://example.org/ns/claims/sa/assistant"
CHURN = "spiffe://example.org/ns/analytics/sa/churn-model"
WORKLOADS_PROD, GENAI_PROD, GENAI_EU, ANALYTICS_DEV = (
    "111122223333", "444455556666", "999900001111", "777788889999")
SONNET_US = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
ASSISTANT_ROLE = "arn:aws:iam::111122223333:role/claims-assistant"
ASSISTANT_SESSION = "arn:aws:sts::111122223333:assumed-role/claims-assistant/gateway-session"
SHARED_ROLE = "arn:aws:iam::111122223333:role/shared-reporting"
PODS = 4  # distinct tokens per workload, as from four gateway pods


def svid(key, spiffe_id, now, lifetime, pod):
    # iat differs per pod so that every token is distinct.
    claims = {"sub": spiffe_id, "aud": "crossgate", "iat": now - pod, "exp": now + lifetime}
    token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "example-spiffe-1", "typ": "JWT"})
    return {"jwtSvid": token}


def aws_session(role_arn, now, lifetime):
    return {"awsSession": {"roleArn": role_arn, "sourceIdentity": "claims-assistant-prod",
                           "sessionName": "gateway-session",
                           "issuedAt": rfc3339(now - 60), "expiresAt": rfc3339(now + lifetime)}}


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def request(name, identity, **fields):
    values = {"requestId": name, "identity": identity, "action": "Converse", "resource": SONNET_US,
              "sourceAccount": WORKLOADS_PROD, "sourceRegion": "us-east-1",
              "targetAccount": GENAI_PROD, "targetRegion": "us-east-1",
              "dataClassification": "internal"}
    values.update(fields)
    return values


def mixes(keys, lifetime):
    now = int(time.time())
    key = (keys / "EXAMPLE-spiffe-example.org.key.pem").read_bytes()
    assistant = [svid(key, ASSISTANT, now, lifetime, pod) for pod in range(PODS)]
    churn = svid(key, CHURN, now, lifetime, 0)
    common = []
    for pod, token in enumerate(assistant):
        common.append(("ALLOW", request(f"svid-cross-account-profile-{pod}", token)))
        common.append(("ALLOW", request(f"svid-cross-region-{pod}", token, action="InvokeModel",
                                        resource=HAIKU, targetRegion="us-west-2")))
    common += [
        ("DENY", request("svid-restricted-cross-region", assistant[0], dataClassification="restricted")),
        ("DENY", request("svid-no-trust", assistant[1], targetAccount=GENAI_EU,
                         targetRegion="eu-central-1", resource="eu.anthropic.claude-3-5-sonnet-20240620-v1:0")),
        ("DENY", request("svid-dev-to-prod", churn, sourceAccount=ANALYTICS_DEV)),
    ]
    asserted = [
        ("ALLOW", request("aws-role", aws_session(ASSISTANT_ROLE, now, lifetime))),
        ("ALLOW", request("aws-assumed-role-cross-region", aws_session(ASSISTANT_SESSION, now, lifetime),
                          action="InvokeModel", resource=HAIKU, targetRegion="us-west-2")),
        ("ALLOW", request("aws-role-profile", aws_session(ASSISTANT_ROLE, now, lifetime),
                          resource=SONNET_US, targetRegion="us-east-2")),
        ("DENY", request("aws-shared-role", aws_session(SHARED_ROLE, now, lifetime))),
    ]
    mtls = common + asserted
    return {"authorize-plaintext.jsonl": common, "authorize-mtls.jsonl": mtls,
            "check-mtls.jsonl": [(expect, as_check(body)) for expect, body in mtls]}


def as_check(body):
    """The AuthorizeRequest `body` as the CheckRequest Envoy sends for that Bedrock call."""
    model = body["resource"].replace(":", "%3A")
    verb = "converse" if body["action"] == "Converse" else "invoke"
    headers = {"x-request-id": body["requestId"],
               "x-crossgate-source-account": body["sourceAccount"],
               "x-crossgate-source-region": body["sourceRegion"],
               "x-crossgate-target-account": body["targetAccount"],
               "x-crossgate-data-classification": body["dataClassification"],
               "content-type": "application/json"}
    identity = body["identity"]
    if "jwtSvid" in identity:
        headers["authorization"] = "Bearer " + identity["jwtSvid"]
    else:
        session = identity["awsSession"]
        headers.update({"x-crossgate-aws-role-arn": session["roleArn"],
                        "x-crossgate-aws-source-identity": session["sourceIdentity"],
                        "x-crossgate-aws-session-name": session["sessionName"],
                        "x-crossgate-aws-issued-at": session["issuedAt"],
                        "x-crossgate-aws-expires-at": session["expiresAt"]})
    http = {"id": body["requestId"], "method": "POST", "scheme": "https",
            "host": f"bedrock-runtime.{body['targetRegion']}.amazonaws.com",
            "path": f"/model/{model}/{verb}", "protocol": "HTTP/1.1", "headers": headers}
    return {"attributes": {"request": {"http": http}}}


def write(path, entries):
    with open(path, "w") as out:
        for expect, body in entries:
            name = body.get("requestId") or body["attributes"]["request"]["http"]["id"]
            out.write(json.dumps({"name": name, "expect": expect, "request": body}) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--keys", type=pathlib.Path, default=EXAMPLE_KEYS)
    parser.add_argument("--lifetime", type=int, default=3600, help="token lifetime, seconds")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, entries in mixes(args.keys, args.lifetime).items():
        write(args.out / name, entries)
        print(args.out / name)


if __name__ == "__main__":
    main()
