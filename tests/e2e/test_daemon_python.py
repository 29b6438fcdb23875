"""End-to-end tests of `crossgate serve`, driven through Python grpcio (a second client,
independent of the C++ one).

Each class starts the real daemon once, on 127.0.0.1 port 0, with a world that
fixture.py builds in a temporary directory (its own keys, the example bundle and registry
signed by `crossgate sign`, tokens minted here). Every call that returns an answer is
checked against the decision log right away: exactly one new record per answered
decision, with the answer's decision id, the next seq and the previous line's hash;
refused calls (INVALID_ARGUMENT, PERMISSION_DENIED, ...) must add nothing.

Environment: CROSSGATE_BIN (the crossgate binary); PYTHONPATH must hold the generated
modules (build/default/proto/python) and this folder. Run with /usr/bin/python3.
"""
import hashlib
import itertools
import json
import os
import pathlib
import re
import signal
import subprocess
import time
import unittest

import grpc
from google.protobuf import json_format, struct_pb2, timestamp_pb2

import fixture
import health_pb2
import health_pb2_grpc
from crossgate.v1 import decision_pb2 as pb
from crossgate.v1 import decision_pb2_grpc as pb_grpc

CROSSGATE_BIN = os.environ.get("CROSSGATE_BIN", "")
GENESIS = "0" * 64
RPC_TIMEOUT = 10

# Accounts of the example registry.
WORKLOADS_PROD, GENAI_PROD, GENAI_EU = "111122223333", "444455556666", "999900001111"
ANALYTICS_DEV, EXPERIMENTS = "777788889999", "555566667777"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-pro-v1:0"
ASSISTANT_ROLE = "arn:aws:iam::111122223333:role/claims-assistant"
SHARED_ROLE = "arn:aws:iam::111122223333:role/shared-reporting"


# ---- the world and the daemon -----------------------------------------------------------

def world():
    return fixture.shared_world(CROSSGATE_BIN, "crossgate-e2e-")


class Daemon:
    """`crossgate serve` as a subprocess; its stderr goes to a file that is read for the port."""

    def __init__(self, config, stderr_path):
        self.config, self.stderr_path = config, stderr_path
        self.started_at = time.time()
        with open(stderr_path, "wb") as stderr:
            self.process = subprocess.Popen([CROSSGATE_BIN, "serve", "--config", str(config)],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=stderr)
        self.port = self._wait_for_port(timeout=20)

    def output(self):
        return pathlib.Path(self.stderr_path).read_text(errors="replace")

    def _wait_for_port(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"serving on 127\.0\.0\.1:(\d+)", self.output())
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                raise RuntimeError(f"crossgate serve exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        raise RuntimeError(f"crossgate serve did not report its port in {timeout} s:\n{self.output()}")

    def stop(self):
        """SIGTERM, then the exit status (killed after 15 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class LogFollower:
    """Reads the records a daemon appended since the last call, checking the chain."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.lines = 0
        self.last_seq = 0
        self.last_hash = GENESIS

    def text(self):
        return self.path.read_text() if self.path.exists() else ""

    def new_lines(self):
        lines = self.text().splitlines()
        fresh = lines[self.lines:]
        self.lines = len(lines)
        return fresh

    def take(self, test):
        """The new records, each checked to continue the chain."""
        records = []
        for line in self.new_lines():
            record = json.loads(line)
            test.assertEqual(record["seq"], self.last_seq + 1, line)
            test.assertEqual(record["prev"], self.last_hash, f"broken chain at seq {record['seq']}")
            self.last_seq, self.last_hash = record["seq"], hashlib.sha256(line.encode()).hexdigest()
            records.append(record)
        return records


# ---- requests ----------------------------------------------------------------------------

_request_ids = itertools.count(1)


def svid(token):
    return pb.IdentityEvidence(jwt_svid=token)


def oidc(token):
    return pb.IdentityEvidence(oidc_token=token)


def x509():
    return pb.IdentityEvidence(x509_svid=pb.X509SvidEvidence())


def timestamp(seconds_from_now):
    t = timestamp_pb2.Timestamp()
    t.FromSeconds(int(time.time() + seconds_from_now))
    return t


def aws_session(role_arn, *, issued=-60, expires=3540, **fields):
    """An assumed-role session; `issued`/`expires` in seconds from now (None leaves it out)."""
    session = pb.AwsSessionEvidence(role_arn=role_arn, source_identity="claims-assistant-prod",
                                    session_name="gateway-session", **fields)
    if issued is not None:
        session.issued_at.CopyFrom(timestamp(issued))
    if expires is not None:
        session.expires_at.CopyFrom(timestamp(expires))
    return pb.IdentityEvidence(aws_session=session)


def request(identity=None, *, call_chain=(), context=None, **fields):
    """A request from the claims assistant's account to the GenAI account, as overridden."""
    values = dict(request_id=f"req-{next(_request_ids)}", action="Converse", resource=HAIKU,
                  source_account=WORKLOADS_PROD, source_region="us-east-1",
                  target_account=GENAI_PROD, target_region="us-east-1",
                  data_classification="internal")
    values.update(fields)
    r = pb.AuthorizeRequest(identity=identity or pb.IdentityEvidence(), **values)
    for workload, kind in call_chain:
        r.call_chain.add(workload=workload, kind=kind)
    for key, value in (context or {}).items():
        r.context[key].CopyFrom(json_format.ParseDict(value, struct_pb2.Value()))
    return r


def decision_name(response):
    return pb.Decision.Name(response.decision)


# ---- the base class ----------------------------------------------------------------------

class DaemonTest(unittest.TestCase):
    """Starts one daemon for the class and checks the log after every call."""

    MTLS = False  # over mTLS the class's channel presents the trusted gateway's certificate

    @classmethod
    def setUpClass(cls):
        cls.world = world()
        name = cls.__name__
        log_path = cls.world.root / "state" / f"{name}.log"
        config = cls.world.write_config(f"{name}.yaml", mtls=cls.MTLS, decision_log=log_path)
        cls.daemon = Daemon(config, cls.world.root / f"{name}.stderr")
        cls.addClassCleanup(cls.daemon.stop)
        cls.log = LogFollower(log_path)
        cls.tokens = []  # every raw token sent, none of which may reach the log
        cls.channel = cls.open_channel("gateway")
        cls.addClassCleanup(cls.channel.close)
        cls.decisions = pb_grpc.DecisionServiceStub(cls.channel)
        cls.health = health_pb2_grpc.HealthStub(cls.channel)

    @classmethod
    def open_channel(cls, client=None):
        target = f"127.0.0.1:{cls.daemon.port}"
        if not cls.MTLS:
            return grpc.insecure_channel(target)
        key = cert = None
        if client is not None:
            key_path, cert_path = cls.world.client_certs[client]
            key, cert = key_path.read_bytes(), cert_path.read_bytes()
        credentials = grpc.ssl_channel_credentials(root_certificates=cls.world.ca_pem.read_bytes(),
                                                   private_key=key, certificate_chain=cert)
        return grpc.secure_channel(target, credentials)

    # -- tokens --

    def remember(self, token):
        type(self).tokens.append(token)
        return token

    def svid_token(self, spiffe_id=fixture.CLAIMS_ASSISTANT, **options):
        return self.remember(self.world.jwt_svid(spiffe_id, **options))

    def github_token(self, **options):
        return self.remember(self.world.github_token(**options))

    # -- calls, each checked against the log --

    def authorize(self, req):
        response = self.decisions.Authorize(req, timeout=RPC_TIMEOUT)
        self.assertEqual(response.request_id, req.request_id)
        (record,) = self.expect_records([(req, response)])
        return response, record

    def authorize_batch(self, requests):
        answer = self.decisions.AuthorizeBatch(pb.AuthorizeBatchRequest(requests=requests),
                                               timeout=RPC_TIMEOUT)
        self.assertEqual(len(answer.results), len(requests))
        answered = [(req, result.response) for req, result in zip(requests, answer.results)
                    if result.WhichOneof("result") == "response"]
        self.expect_records(answered)
        return answer.results

    def refused(self, call, argument, code, stub=None):
        """Calls `call` (a method name), expects the status `code` and no new record."""
        with self.assertRaises(grpc.RpcError) as raised:
            getattr(stub or self.decisions, call)(argument, timeout=RPC_TIMEOUT)
        self.assertEqual(raised.exception.code(), code, raised.exception.details())
        self.assertEqual(self.log.take(self), [], "a refused call left a decision record")
        return raised.exception.details()

    def expect_records(self, answered):
        """Exactly one new record per (request, response), in order, that matches it."""
        records = self.log.take(self)
        self.assertEqual([r["decision_id"] for r in records], [a.decision_id for _, a in answered])
        for (req, response), record in zip(answered, records):
            self.check_record(req, response, record)
        return records

    def check_record(self, req, response, record):
        self.assertEqual(record["request_id"], req.request_id)
        self.assertEqual(record["decision"], decision_name(response))
        self.assertEqual(record["reasons"], list(response.reason_codes))
        self.assertEqual(record["workload"], response.workload_id)
        for owner in ("identity", "platform", "policy"):
            self.assertEqual(record["owners"][owner]["id"], getattr(response.owners, owner).id)
        self.assertEqual(record["bundle"]["digest"], self.world.bundle_digest)
        self.assertEqual(record["registry"]["digest"], self.world.registry_digest)
        if response.decision == pb.ALLOW:
            obligations = json_format.MessageToDict(response.obligations, preserving_proto_field_name=True,
                                                    including_default_value_fields=True)
            self.assertEqual(record["obligations"], obligations)
        else:
            self.assertIsNone(record["obligations"])
        token = req.identity.jwt_svid or req.identity.oidc_token
        if token:
            self.assertEqual(record["principal"]["token_sha256"], hashlib.sha256(token.encode()).hexdigest())
        # No raw token, nor its payload or signature, anywhere in the log.
        text = self.log.text()
        for sent in self.tokens:
            for part in [sent] + sent.split(".")[1:]:
                self.assertNotIn(part, text, "a raw token reached the decision log")

    # -- assertions --

    def assert_allowed(self, response):
        self.assertEqual(decision_name(response), "ALLOW", list(response.reason_codes))
        self.assertEqual(list(response.reason_codes), [])

    def assert_denied(self, response, *reasons):
        self.assertEqual(decision_name(response), "DENY")
        self.assertEqual(list(response.reason_codes), list(reasons))
        self.assertFalse(response.HasField("obligations"))

    def assert_owners(self, response, identity, platform):
        self.assertEqual(response.owners.identity.id, identity)
        self.assertEqual(response.owners.platform.id, platform)
        self.assertEqual(response.owners.policy.id, "team-ai-governance")
        self.assertEqual(response.owners.policy.name, "AI Governance")


# ---- decisions over plaintext (loopback) --------------------------------------------------

class PlaintextDecisions(DaemonTest):
    """Every reason code, from a local caller without a certificate."""

    def test_allow_jwt_svid_names_owners_and_obligations(self):
        response, record = self.authorize(request(svid(self.svid_token())))
        self.assert_allowed(response)
        self.assertEqual(response.workload_id, "claims-assistant-prod")
        self.assert_owners(response, "team-claims-platform", "team-ml-platform")
        self.assertEqual(response.owners.identity.name, "Claims Platform")
        self.assertEqual(response.owners.platform.contact, "ml-platform@example.com")
        self.assertFalse(response.emergency)
        self.assertEqual([p.name for p in response.determining_policies],
                         ["claims-assistant-may-invoke-anthropic"])
        ob = response.obligations
        self.assertEqual(ob.role_arn, "arn:aws:iam::444455556666:role/bedrock-invoker-claims")
        self.assertEqual(ob.role_session_name, "cg-" + response.decision_id)
        self.assertRegex(ob.role_session_name, r"^[\w+=,.@-]{2,64}$")
        self.assertEqual(ob.source_identity, "claims-assistant-prod")
        self.assertEqual(dict(ob.session_tags), {
            "crossgate:workload": "claims-assistant-prod",
            "crossgate:decision": response.decision_id,
            "crossgate:identity-owner": "team-claims-platform"})
        self.assertEqual(ob.duration_seconds, 3600)  # the bundle's max_session_duration_seconds
        self.assertEqual(response.bundle_revision, 1)
        self.assertEqual(response.registry_revision, 1)
        self.assertEqual(record["principal"]["spiffe_id"], fixture.CLAIMS_ASSISTANT)
        self.assertTrue(record["principal"]["verified"])
        self.assertEqual(record["request"]["action"], "bedrock:InvokeModel")
        self.assertEqual(record["request"]["resource_arn"],
                         "arn:aws:bedrock:us-east-1::foundation-model/" + HAIKU)

    def test_allow_cross_region_inference_profile_within_trusted_regions(self):
        profile = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
        response, record = self.authorize(request(svid(self.svid_token()), resource=profile))
        self.assert_allowed(response)
        self.assertEqual(record["request"]["processing_regions"], ["us-east-1", "us-east-2", "us-west-2"])

    def test_allow_github_oidc_pipeline(self):
        guardrail = "arn:aws:bedrock:us-east-1:444455556666:guardrail/gr0123abcd"
        response, record = self.authorize(request(oidc(self.github_token()), action="ApplyGuardrail",
                                                  resource=guardrail))
        self.assert_allowed(response)
        self.assertEqual(response.workload_id, "claims-deploy-pipeline")
        self.assertEqual([p.name for p in response.determining_policies], ["pipelines-may-check-guardrails"])
        self.assertEqual(response.obligations.role_arn, "arn:aws:iam::444455556666:role/bedrock-pipeline-checks")
        self.assertEqual(response.obligations.source_identity, "claims-deploy-pipeline")
        self.assertEqual(record["principal"]["repository_id"], "123456789")
        self.assertEqual(record["principal"]["workflow"], fixture.PIPELINE_CLAIMS["job_workflow_ref"])

    # -- UNATTRIBUTED (no workload, hence no trust either) --

    def assert_unattributed(self, identity, failure_pattern):
        response, record = self.authorize(request(identity))
        self.assert_denied(response, "UNATTRIBUTED", "NO_EXPLICIT_TRUST")
        self.assertEqual(response.workload_id, "")
        self.assertEqual(response.owners.identity.id, "")
        self.assertRegex(" ".join(record["notes"]), failure_pattern)
        return record

    def test_unattributed_without_evidence(self):
        self.assert_unattributed(None, "no identity evidence")

    def test_unattributed_bad_signature(self):
        token = self.svid_token(key=self.world.impostor_key)
        record = self.assert_unattributed(svid(token), "signature does not verify")
        self.assertFalse(record["principal"]["verified"])

    def test_unattributed_unknown_spiffe_id(self):
        self.assert_unattributed(svid(self.svid_token(fixture.UNREGISTERED)), "registered for no workload")

    def test_unattributed_retired_workload(self):
        self.assert_unattributed(svid(self.svid_token(fixture.LEGACY_BATCH)), "legacy-batch is retired")

    def test_unattributed_wrong_audience(self):
        self.assert_unattributed(svid(self.svid_token(audience="someone-else")), "audience")

    def test_unattributed_unknown_kid(self):
        self.assert_unattributed(svid(self.svid_token(kid="no-such-key")), "no-such-key")

    def test_unattributed_github_token_of_another_workflow(self):
        token = self.github_token(job_workflow_ref="acme/claims-assistant/.github/workflows/x.yml@refs/heads/x")
        self.assert_unattributed(oidc(token), "registered for no workload")

    # -- the other guardrails, each alone on an otherwise allowed request --

    def test_shared_identity_used_outside_its_home_account(self):
        response, record = self.authorize(request(svid(self.svid_token()), source_account=GENAI_PROD))
        self.assert_denied(response, "SHARED_IDENTITY")
        self.assertIn("not registered in source account 444455556666", " ".join(record["notes"]))

    def test_environment_mismatch_dev_workload_into_prod_account(self):
        response, _ = self.authorize(request(svid(self.svid_token(fixture.CHURN_MODEL)), action="InvokeModel",
                                             resource=NOVA, source_account=ANALYTICS_DEV))
        self.assert_denied(response, "ENVIRONMENT_MISMATCH")
        self.assertEqual(response.workload_id, "churn-model-dev")
        self.assert_owners(response, "team-data-science", "team-ml-platform")

    def test_credential_lifetime_longer_than_bundle_maximum(self):
        response, record = self.authorize(request(svid(self.svid_token(lifetime=13 * 3600))))
        self.assert_denied(response, "CREDENTIAL_LIFETIME")
        self.assertIn("longer than the bundle's maximum of 43200 s", " ".join(record["notes"]))

    def test_credential_lifetime_expired_token(self):
        response, record = self.authorize(request(svid(self.svid_token(lifetime=300, issued_ago=900))))
        self.assert_denied(response, "CREDENTIAL_LIFETIME")
        self.assertEqual(response.workload_id, "claims-assistant-prod")  # genuine, only expired
        self.assertIn("expired", record["principal"]["lifetime_failure"])

    def test_credential_lifetime_issued_in_the_future(self):
        response, _ = self.authorize(request(svid(self.svid_token(issued_ago=-600))))
        self.assert_denied(response, "CREDENTIAL_LIFETIME")

    def test_no_explicit_trust_cross_account_with_only_expired_trust(self):
        response, record = self.authorize(request(svid(self.svid_token()), target_account=GENAI_EU,
                                                  target_region="eu-central-1"))
        self.assert_denied(response, "NO_EXPLICIT_TRUST")
        self.assertIn("no active trust record for claims-assistant-prod", " ".join(record["notes"]))

    def test_region_not_trusted_outside_account_and_trust(self):
        response, _ = self.authorize(request(svid(self.svid_token()), target_region="us-west-1"))
        self.assert_denied(response, "REGION_NOT_TRUSTED")

    def test_region_not_trusted_by_the_trust_record(self):
        # us-west-2 is one of the GenAI account's regions, but the pipeline's trust covers us-east-1 only.
        guardrail = "arn:aws:bedrock:us-west-2:444455556666:guardrail/gr0123abcd"
        response, record = self.authorize(request(oidc(self.github_token()), action="ApplyGuardrail",
                                                  resource=guardrail, target_region="us-west-2"))
        self.assert_denied(response, "REGION_NOT_TRUSTED")
        self.assertIn("not trusted by trust-pipeline-to-genai", " ".join(record["notes"]))

    def test_region_not_trusted_inference_profile_routes_outside(self):
        response, record = self.authorize(request(svid(self.svid_token()),
                                                  resource="eu.anthropic.claude-3-5-sonnet-20240620-v1:0"))
        self.assert_denied(response, "REGION_NOT_TRUSTED")
        self.assertEqual(record["request"]["processing_regions"], ["eu-central-1", "eu-west-1", "eu-west-3"])

    def test_unowned_boundary(self):
        response, _ = self.authorize(request(svid(self.svid_token(fixture.CHURN_MODEL)), action="InvokeModel",
                                             resource=NOVA, source_account=ANALYTICS_DEV,
                                             target_account=EXPERIMENTS))
        self.assert_denied(response, "UNOWNED_BOUNDARY")
        self.assertEqual(response.owners.platform.id, "")

    def test_broken_provenance_chain_deeper_than_allowed(self):
        chain = [("claims-assistant-prod", "agent")] * 5  # the bundle allows 4
        response, _ = self.authorize(request(svid(self.svid_token()), call_chain=chain,
                                             context={"ticket": "CHG-1"}))
        self.assert_denied(response, "BROKEN_PROVENANCE")

    def test_broken_provenance_unknown_hop(self):
        chain = [("claims-assistant-prod", "agent"), ("ghost-tool", "tool")]
        response, record = self.authorize(request(svid(self.svid_token()), call_chain=chain))
        self.assert_denied(response, "BROKEN_PROVENANCE")
        self.assertIn("ghost-tool", " ".join(record["notes"]))

    # -- emergency grants --

    def emergency_request(self, grant):
        return request(svid(self.svid_token()), target_account=GENAI_EU, target_region="eu-central-1",
                       emergency_grant_id=grant)

    def test_emergency_grant_unknown(self):
        response, _ = self.authorize(request(svid(self.svid_token()), emergency_grant_id="eg-no-such-grant"))
        self.assert_denied(response, "EMERGENCY_GRANT_INVALID")

    def test_emergency_grant_expired(self):
        response, record = self.authorize(self.emergency_request(fixture.EXPIRED_GRANT))
        self.assert_denied(response, "NO_EXPLICIT_TRUST", "EMERGENCY_GRANT_INVALID")
        self.assertFalse(response.emergency)
        self.assertIn("expired at", " ".join(record["notes"]))

    def test_emergency_grant_approved_by_its_requester(self):
        response, _ = self.authorize(self.emergency_request(fixture.SELF_APPROVED_GRANT))
        self.assert_denied(response, "NO_EXPLICIT_TRUST", "EMERGENCY_GRANT_INVALID")

    def test_emergency_grant_valid_allows_marked_emergency(self):
        response, record = self.authorize(self.emergency_request(fixture.VALID_GRANT))
        self.assert_allowed(response)
        self.assertTrue(response.emergency)
        self.assert_owners(response, "team-claims-platform", "team-ml-platform")
        ob = response.obligations
        self.assertEqual(ob.role_arn, "arn:aws:iam::999900001111:role/bedrock-breakglass")
        self.assertEqual(ob.session_tags["crossgate:incident"], "INC-4711")
        # Never longer than what is left of the grant.
        self.assertLessEqual(ob.duration_seconds, fixture.VALID_GRANT_SECONDS_LEFT)
        self.assertGreater(ob.duration_seconds, fixture.VALID_GRANT_SECONDS_LEFT - 120)
        self.assertEqual(record["emergency_grant"]["id"], fixture.VALID_GRANT)
        self.assertEqual(record["emergency_grant"]["incident_owner"], "oncall-ml-platform")

    def test_a_grant_ending_before_the_shortest_session_is_invalid(self):
        # STS sessions last at least 900 s: a grant with 600 s left cannot cover one without
        # the session outliving it, so it is refused rather than stretched.
        response, record = self.authorize(self.emergency_request(fixture.ENDING_SOON_GRANT))
        # Without a usable grant, the missing trust record is back in the reasons.
        self.assert_denied(response, "NO_EXPLICIT_TRUST", "EMERGENCY_GRANT_INVALID")
        self.assertIn("shortest STS session", " ".join(record["notes"]))

    # -- Cedar --

    def test_policy_forbid(self):
        chain = [("claims-assistant-prod", "agent")] * 3
        response, _ = self.authorize(request(svid(self.svid_token()), call_chain=chain))
        self.assert_denied(response, "POLICY_FORBID")
        self.assertEqual([p.name for p in response.determining_policies], ["long-agent-chains-need-a-ticket"])
        # The same chain with the ticket the policy asks for (a declared extra attribute).
        response, _ = self.authorize(request(svid(self.svid_token()), call_chain=chain,
                                             context={"ticket": "CHG-1"}))
        self.assert_allowed(response)

    def test_policy_no_permit(self):
        response, _ = self.authorize(request(svid(self.svid_token()), resource=NOVA))
        self.assert_denied(response, "POLICY_NO_PERMIT")
        self.assertEqual(len(response.determining_policies), 0)

    # -- evidence that needs an authenticated caller --

    def test_x509_svid_without_a_client_certificate_is_unattributed(self):
        record = self.assert_unattributed(x509(), "no X.509-SVID")
        self.assertEqual(record["principal"]["evidence"], "x509-svid")

    def test_aws_session_from_an_unauthenticated_caller_is_not_believed(self):
        record = self.assert_unattributed(aws_session(ASSISTANT_ROLE), "trusted asserter")
        self.assertFalse(record["gateway"]["trusted_asserter"])

    def test_log_chain_verifies_from_the_first_record(self):
        self.authorize(request(svid(self.svid_token())))
        self.authorize(request())
        lines = self.log.text().splitlines()
        self.assertGreaterEqual(len(lines), 2)
        previous = GENESIS
        for seq, line in enumerate(lines, start=1):
            record = json.loads(line)
            self.assertEqual((record["seq"], record["prev"]), (seq, previous))
            previous = hashlib.sha256(line.encode()).hexdigest()
        self.assertNotIn("eyJ", self.log.text())  # no JWS (base64url JSON) at all


# ---- decisions over mTLS ----------------------------------------------------------------

class MtlsDecisions(DaemonTest):
    """The gateway (trusted asserter) and callers the daemon must refuse."""

    MTLS = True

    def test_x509_svid_is_the_callers_certificate(self):
        response, record = self.authorize(request(x509(), action="InvokeModel", resource=NOVA,
                                                  source_account=GENAI_PROD))
        self.assert_allowed(response)
        self.assertEqual(response.workload_id, "bedrock-proxy")
        self.assertEqual(record["principal"]["spiffe_id"], fixture.GATEWAY)
        self.assertEqual(record["gateway"]["spiffe_id"], fixture.GATEWAY)

    def test_aws_session_asserted_by_trusted_gateway_is_believed(self):
        response, record = self.authorize(request(aws_session(ASSISTANT_ROLE)))
        self.assert_allowed(response)
        self.assertEqual(response.workload_id, "claims-assistant-prod")
        self.assertEqual(response.obligations.role_arn, "arn:aws:iam::444455556666:role/bedrock-invoker-claims")
        self.assertLessEqual(response.obligations.duration_seconds, 3600)  # role chaining
        self.assertEqual(record["principal"]["role_arn"], ASSISTANT_ROLE)
        self.assertEqual(record["principal"]["session_name"], "gateway-session")
        self.assertEqual(record["gateway"], {"spiffe_id": fixture.GATEWAY, "trusted_asserter": True})

    def test_aws_assumed_role_session_arn_is_believed(self):
        arn = "arn:aws:sts::111122223333:assumed-role/claims-assistant/gateway-session"
        response, _ = self.authorize(request(aws_session(arn)))
        self.assert_allowed(response)
        self.assertEqual(response.workload_id, "claims-assistant-prod")

    def test_shared_identity_role_asserted_by_gateway(self):
        response, record = self.authorize(request(aws_session(SHARED_ROLE), action="InvokeModel",
                                                  resource=NOVA))
        # One role, two workloads: nobody is accountable, and no trust record can apply.
        self.assert_denied(response, "UNATTRIBUTED", "SHARED_IDENTITY", "NO_EXPLICIT_TRUST")
        self.assertIn("reporting-daily, reporting-adhoc", " ".join(record["notes"]))

    def test_credential_lifetime_expired_aws_session(self):
        response, record = self.authorize(request(aws_session(ASSISTANT_ROLE, issued=-7200, expires=-3600)))
        self.assert_denied(response, "CREDENTIAL_LIFETIME")
        self.assertIn("expired", record["principal"]["lifetime_failure"])

    def test_credential_lifetime_aws_session_without_expiry(self):
        response, _ = self.authorize(request(aws_session(ASSISTANT_ROLE, expires=None)))
        self.assert_denied(response, "CREDENTIAL_LIFETIME")

    def test_unlisted_caller_is_permission_denied(self):
        with self.open_channel("untrusted") as channel:
            stub = pb_grpc.DecisionServiceStub(channel)
            req = request(aws_session(ASSISTANT_ROLE))
            for call, argument in [("Authorize", req),
                                   ("AuthorizeBatch", pb.AuthorizeBatchRequest(requests=[req])),
                                   ("GetStatus", pb.GetStatusRequest())]:
                details = self.refused(call, argument, grpc.StatusCode.PERMISSION_DENIED, stub)
                self.assertIn(fixture.OTHER_CALLER, details)

    def test_expired_client_certificate_is_refused(self):
        with self.open_channel("expired") as channel:
            self.refused("Authorize", request(x509()), grpc.StatusCode.UNAVAILABLE,
                         pb_grpc.DecisionServiceStub(channel))

    def test_client_without_certificate_is_refused(self):
        with self.open_channel(None) as channel:
            self.refused("Authorize", request(x509()), grpc.StatusCode.UNAVAILABLE,
                         pb_grpc.DecisionServiceStub(channel))

    def test_gateway_reads_status_and_health(self):
        status = self.decisions.GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)
        self.assertTrue(status.serving)
        self.assertEqual(status.policy_bundle.digest, self.world.bundle_digest)
        answer = self.health.Check(health_pb2.HealthCheckRequest(), timeout=RPC_TIMEOUT)
        self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)


# ---- the rest of the API ----------------------------------------------------------------

class ServiceApi(DaemonTest):
    """Batches, status, health and the requests the daemon must refuse as malformed."""

    def test_batch_answers_in_order(self):
        token = self.svid_token()
        requests = [request(svid(token)), request(), request(svid(token), resource=NOVA),
                    request(svid(self.svid_token(fixture.CHURN_MODEL)), action="InvokeModel",
                            resource=NOVA, source_account=ANALYTICS_DEV)]
        results = self.authorize_batch(requests)
        self.assertEqual([r.response.request_id for r in results], [q.request_id for q in requests])
        self.assertEqual([list(r.response.reason_codes) for r in results],
                         [[], ["UNATTRIBUTED", "NO_EXPLICIT_TRUST"], ["POLICY_NO_PERMIT"],
                          ["ENVIRONMENT_MISMATCH"]])
        self.assertEqual(len({r.response.decision_id for r in results}), len(requests))

    def test_batch_malformed_item_gets_its_own_error(self):
        requests = [request(svid(self.svid_token())), request(action=""), request()]
        results = self.authorize_batch(requests)
        self.assertEqual([r.WhichOneof("result") for r in results], ["response", "error", "response"])
        self.assertEqual(results[1].error.code, grpc.StatusCode.INVALID_ARGUMENT.value[0])
        self.assertIn("action", results[1].error.message)
        self.assertEqual(decision_name(results[0].response), "ALLOW")
        self.assertEqual(results[2].response.request_id, requests[2].request_id)

    def test_batch_over_the_limit_is_resource_exhausted(self):
        requests = [request(svid(self.svid_token())) for _ in range(9)]  # the world's limit is 8
        details = self.refused("AuthorizeBatch", pb.AuthorizeBatchRequest(requests=requests),
                               grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("at most 8", details)

    def test_get_status_reports_the_signed_versions(self):
        before = time.time()
        status = self.decisions.GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)
        self.assertTrue(status.serving)
        self.assertEqual(status.last_load_error, "")
        self.assertNotEqual(status.version, "")
        for loaded, name, digest, signer in [
                (status.policy_bundle, "bedrock-cross-boundary", self.world.bundle_digest, self.world.policy_key_id),
                (status.owner_registry, "example-owner-registry", self.world.registry_digest,
                 self.world.registry_key_id)]:
            self.assertEqual(loaded.name, name)
            self.assertEqual(loaded.revision, 1)
            self.assertEqual(loaded.digest, digest)
            self.assertEqual(list(loaded.signer_key_ids), [signer])
            loaded_at = loaded.loaded_at.ToMilliseconds() / 1000
            self.assertGreaterEqual(loaded_at, self.daemon.started_at - 1)
            self.assertLessEqual(loaded_at, before + 1)

    def test_health_check_serving(self):
        for service in ["", "crossgate.v1.DecisionService"]:
            answer = self.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT)
            self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING, service)
        self.refused("Check", health_pb2.HealthCheckRequest(service="no.such.Service"),
                     grpc.StatusCode.NOT_FOUND, self.health)

    # -- INVALID_ARGUMENT, with a message that names the field --

    def assert_invalid(self, req, field):
        details = self.refused("Authorize", req, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(details.startswith(field + ":"), details)
        return details

    def test_invalid_missing_action(self):
        self.assert_invalid(request(svid(self.svid_token()), action=""), "action")

    def test_invalid_unknown_action(self):
        details = self.assert_invalid(request(svid(self.svid_token()), action="bedrock:FlyToTheMoon"), "action")
        self.assertIn("FlyToTheMoon", details)

    def test_invalid_malformed_arn(self):
        self.assert_invalid(request(svid(self.svid_token()), resource="arn:aws:bedrock:us-east-1:444455556666"),
                            "resource")

    def test_invalid_account_id(self):
        details = self.assert_invalid(request(svid(self.svid_token()), source_account="1111-2222"), "source_account")
        self.assertIn("12-digit", details)
        self.assert_invalid(request(svid(self.svid_token()), target_account="44445555666"), "target_account")

    def test_invalid_aws_session_without_role(self):
        self.assert_invalid(request(pb.IdentityEvidence(aws_session=pb.AwsSessionEvidence())),
                            "identity.aws_session.role_arn")

    def test_invalid_empty_token(self):
        self.assert_invalid(request(svid("")), "identity")

    def test_invalid_undeclared_context_attribute(self):
        details = self.assert_invalid(request(svid(self.svid_token()), context={"priority": "high"}), "context")
        self.assertIn("priority", details)
        # A declared attribute of the wrong type is refused as well.
        self.assert_invalid(request(svid(self.svid_token()), context={"ticket": 42}), "context")


# ---- shutdown ---------------------------------------------------------------------------

class Shutdown(DaemonTest):

    def test_sigterm_exits_zero_after_recording_every_answer(self):
        response, _ = self.authorize(request(svid(self.svid_token())))
        self.assert_allowed(response)
        # An idle client connection holds the drain for about 5 s (gRPC's GOAWAY handshake).
        self.channel.close()
        self.assertEqual(self.daemon.stop(), 0, self.daemon.output())
        self.assertIn("stopped after writing 1 decision records", self.daemon.output())
        self.assertEqual(len(self.log.text().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
