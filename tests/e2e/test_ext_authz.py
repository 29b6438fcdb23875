"""End-to-end tests of Envoy's ext_authz Check (envoy.service.auth.v3.Authorization) served
by the real `crossgate serve`, called by Python grpcio with modules generated from
crossgate's trimmed Envoy protos (the same packages, names and field numbers as Envoy's).

Each class starts one daemon on 127.0.0.1 port 0 in a world that fixture.py builds (keys,
the example bundle and registry signed by `crossgate sign`, tokens minted with PyJWT).
Every answered Check is matched against the decision log: one new record per decision,
with the decision id the answer carries; refused requests (INVALID_REQUEST, a caller
without `ask`) add nothing.

Environment: CROSSGATE_BIN; PYTHONPATH holds the generated modules and this folder.
"""
import json
import os
import re
import unittest
import urllib.parse
import urllib.request

import grpc
import yaml

import fixture
import health_pb2
import health_pb2_grpc
from envoy.service.auth.v3 import external_auth_pb2 as authz
from envoy.service.auth.v3 import external_auth_pb2_grpc as authz_grpc
from test_daemon_python import Daemon, LogFollower

CROSSGATE_BIN = os.environ.get("CROSSGATE_BIN", "")
RPC_TIMEOUT = 10
WORKLOADS_PROD, GENAI_PROD = "111122223333", "444455556666"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
RUNTIME_HOST = "bedrock-runtime.us-east-1.amazonaws.com"
GRPC_PERMISSION_DENIED = 7
CHECK_HEADERS = ("x-crossgate-decision-id", "x-crossgate-reasons", "x-crossgate-workload",
                 "x-crossgate-role-arn", "x-crossgate-role-session-name",
                 "x-crossgate-source-identity", "x-crossgate-session-tags",
                 "x-crossgate-duration-seconds", "x-crossgate-emergency")

def world():
    return fixture.shared_world(CROSSGATE_BIN, "crossgate-extauthz-")


def check_request(path=f"/model/{HAIKU}/converse", *, host=RUNTIME_HOST, method="POST",
                  headers=None, principal="", extensions=None, body=""):
    """A CheckRequest as Envoy's ext_authz filter sends it for a Bedrock runtime call from
    the claims assistant's account to the GenAI account."""
    values = {"x-request-id": "req-" + os.urandom(4).hex(),
              "x-crossgate-source-account": WORKLOADS_PROD,
              "x-crossgate-source-region": "us-east-1",
              "x-crossgate-target-account": GENAI_PROD,
              "x-crossgate-data-classification": "internal",
              ":authority": host, ":method": method, ":path": path,
              "content-type": "application/json"}
    values.update(headers or {})
    values = {k: v for k, v in values.items() if v is not None}
    request = authz.CheckRequest()
    attributes = request.attributes
    attributes.source.address.socket_address.address = "10.0.0.7"
    attributes.source.address.socket_address.port_value = 41000
    attributes.source.principal = principal
    attributes.destination.address.socket_address.address = "10.0.0.1"
    attributes.destination.address.socket_address.port_value = 8443
    http = attributes.request.http
    http.id = "envoy-" + os.urandom(4).hex()
    http.method, http.path, http.host = method, path, host
    http.scheme, http.protocol = "https", "HTTP/2"
    http.body = body
    for key, value in values.items():
        http.headers[key] = value
    for key, value in (extensions or {}).items():
        attributes.context_extensions[key] = value
    return request


def ok_headers(response):
    return {o.header.key: o.header.value for o in response.ok_response.headers}


def denied_headers(response):
    return {o.header.key: o.header.value for o in response.denied_response.headers}


class ExtAuthzTest(unittest.TestCase):
    MTLS = True
    CALLERS = [{"spiffe_id": fixture.GATEWAY, "roles": ["ask", "assert_aws_session", "read_status"]},
               {"spiffe_id": fixture.OTHER_CALLER, "roles": ["read_status"]}]

    @classmethod
    def setUpClass(cls):
        cls.world = world()
        name = cls.__name__
        log_path = cls.world.root / "state" / f"{name}.log"
        path = cls.world.write_config(f"{name}.yaml", mtls=cls.MTLS, decision_log=log_path)
        config = yaml.safe_load(path.read_text())
        if cls.MTLS:
            config["callers"] = cls.CALLERS
        config["metrics"] = {"address": "127.0.0.1:0"}
        config["ext_authz"] = {"fact_headers": {"resource": "x-crossgate-resource"}}
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        cls.daemon = Daemon(path, cls.world.root / f"{name}.stderr")
        cls.addClassCleanup(cls.daemon.stop)
        cls.log = LogFollower(log_path)
        cls.channel = cls.open_channel("gateway")
        cls.addClassCleanup(cls.channel.close)
        cls.authz = authz_grpc.AuthorizationStub(cls.channel)

    @classmethod
    def open_channel(cls, client):
        target = f"127.0.0.1:{cls.daemon.port}"
        if not cls.MTLS:
            return grpc.insecure_channel(target)
        key_path, cert_path = cls.world.client_certs[client]
        credentials = grpc.ssl_channel_credentials(root_certificates=cls.world.ca_pem.read_bytes(),
                                                   private_key=key_path.read_bytes(),
                                                   certificate_chain=cert_path.read_bytes())
        return grpc.secure_channel(target, credentials)

    def check(self, request):
        """One Check: the answer and the record it left (None when it left none)."""
        response = self.authz.Check(request, timeout=RPC_TIMEOUT)
        records = self.log.take(self)
        self.assertLessEqual(len(records), 1)
        record = records[0] if records else None
        if record is not None:
            self.assertEqual(record["request_id"], request.attributes.request.http.headers["x-request-id"])
            self.assertEqual(record["gateway"].get("spiffe_id", ""), fixture.GATEWAY if self.MTLS else "")
        return response, record

    def assert_denied(self, response, record, *reasons):
        self.assertEqual(response.status.code, GRPC_PERMISSION_DENIED)
        self.assertEqual(response.WhichOneof("http_response"), "denied_response")
        self.assertEqual(response.denied_response.status.code, 403)
        headers = denied_headers(response)
        self.assertEqual(headers["x-crossgate-reasons"], ",".join(reasons))
        self.assertEqual(headers["content-type"], "application/json")
        body = json.loads(response.denied_response.body)
        self.assertEqual(body["decision"], "DENY")
        self.assertEqual(body["reasons"], list(reasons))
        if record is None:
            self.assertIsNone(body["decision_id"])
            self.assertNotIn("x-crossgate-decision-id", headers)
        else:
            self.assertEqual(record["decision"], "DENY")
            self.assertEqual(record["reasons"], list(reasons))
            self.assertEqual(body["decision_id"], record["decision_id"])
            self.assertEqual(headers["x-crossgate-decision-id"], record["decision_id"])
        return body

    def token(self, spiffe_id=fixture.CLAIMS_ASSISTANT):
        return self.world.jwt_svid(spiffe_id)


class ExtAuthzMtls(ExtAuthzTest):
    """Envoy (the trusted gateway's certificate) asks over mTLS."""

    def test_allow_carries_decision_and_obligations_for_the_upstream(self):
        token = self.token()
        response, record = self.check(check_request(headers={"authorization": f"Bearer {token}"}))
        self.assertEqual(response.status.code, 0, response)
        self.assertEqual(response.WhichOneof("http_response"), "ok_response")
        self.assertEqual(record["decision"], "ALLOW")
        self.assertEqual(record["request"]["api"], "Converse")
        self.assertEqual(record["request"]["action"], "bedrock:InvokeModel")
        self.assertEqual(record["request"]["target_region"], "us-east-1")
        self.assertEqual(record["principal"]["evidence"], "jwt-svid")
        headers = ok_headers(response)
        decision_id = record["decision_id"]
        self.assertEqual(headers["x-crossgate-decision-id"], decision_id)
        self.assertEqual(headers["x-crossgate-workload"], "claims-assistant-prod")
        obligations = record["obligations"]
        self.assertEqual(headers["x-crossgate-role-arn"], obligations["role_arn"])
        self.assertEqual(headers["x-crossgate-role-arn"], "arn:aws:iam::444455556666:role/bedrock-invoker-claims")
        self.assertEqual(headers["x-crossgate-role-session-name"], "cg-" + decision_id)
        self.assertEqual(headers["x-crossgate-source-identity"], "claims-assistant-prod")
        self.assertEqual(json.loads(headers["x-crossgate-session-tags"]), obligations["session_tags"])
        self.assertEqual(int(headers["x-crossgate-duration-seconds"]), obligations["duration_seconds"])
        for option in response.ok_response.headers:
            self.assertEqual(option.append_action, option.OVERWRITE_IF_EXISTS_OR_ADD)
        # The token does not travel upstream, nor anything forged under crossgate's names.
        removed = set(response.ok_response.headers_to_remove)
        self.assertIn("authorization", removed)
        self.assertIn("x-crossgate-reasons", removed)
        self.assertNotIn(token, self.log.text())
        self.assertEqual(response.dynamic_metadata.fields["decision_id"].string_value, decision_id)

    def test_url_encoded_model_arn(self):
        arn = f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"
        path = "/model/" + urllib.parse.quote(arn, safe="") + "/invoke"
        response, record = self.check(check_request(path, headers={"authorization": f"Bearer {self.token()}"}))
        self.assertEqual(response.status.code, 0, response)
        self.assertEqual(record["request"]["resource"], arn)
        self.assertEqual(record["request"]["api"], "InvokeModel")

    def test_peer_x509_svid_reported_by_the_trusted_gateway(self):
        response, record = self.check(check_request(principal=fixture.CLAIMS_ASSISTANT))
        self.assertEqual(response.status.code, 0, record)
        self.assertEqual(record["principal"]["evidence"], "x509-svid")
        self.assertEqual(record["principal"]["spiffe_id"], fixture.CLAIMS_ASSISTANT)
        self.assertEqual(record["workload"], "claims-assistant-prod")

    def test_asserted_aws_session(self):
        headers = {"x-crossgate-aws-role-arn": "arn:aws:iam::111122223333:role/claims-assistant",
                   "x-crossgate-aws-source-identity": "claims-assistant-prod",
                   "x-crossgate-aws-session-name": "gateway-session",
                   "x-crossgate-aws-issued-at": str(int(self.world.now) - 60),
                   "x-crossgate-aws-expires-at": str(int(self.world.now) + 3000),
                   "x-crossgate-aws-session-tags": '{"team": "claims", "cost-center": "cc-42"}'}
        response, record = self.check(check_request(headers=headers))
        self.assertEqual(response.status.code, 0, record)
        self.assertEqual(record["principal"]["evidence"], "aws-session")
        self.assertTrue(record["principal"]["verified"])
        self.assertEqual(record["principal"]["session_tags"], {"team": "claims", "cost-center": "cc-42"})
        stripped = set(response.ok_response.headers_to_remove)
        self.assertIn("x-crossgate-aws-role-arn", stripped)
        self.assertIn("x-crossgate-aws-session-tags", stripped)

    def test_deny_unknown_path_is_refused_without_record(self):
        response, record = self.check(check_request("/model/x/explode",
                                                    headers={"authorization": f"Bearer {self.token()}"}))
        self.assertIsNone(record)
        body = self.assert_denied(response, None, "INVALID_REQUEST")
        self.assertIn("not a Bedrock operation", body["message"])

    def test_deny_wrong_method_and_unknown_host(self):
        response, record = self.check(check_request(method="GET"))
        self.assertIsNone(record)
        self.assertIn("takes POST, not GET", self.assert_denied(response, None, "INVALID_REQUEST")["message"])
        response, record = self.check(check_request(host="bedrock.example.com"))
        self.assertIsNone(record)
        self.assertIn("is not a Bedrock runtime", self.assert_denied(response, None, "INVALID_REQUEST")["message"])

    def test_deny_missing_identity(self):
        response, record = self.check(check_request())
        self.assert_denied(response, record, "UNATTRIBUTED", "NO_EXPLICIT_TRUST")
        self.assertEqual(record["principal"]["evidence"], "none")

    def test_deny_unattributed_identity(self):
        response, record = self.check(check_request(
            headers={"authorization": f"Bearer {self.token(fixture.UNREGISTERED)}"}))
        self.assertEqual(record["principal"]["spiffe_id"], fixture.UNREGISTERED)
        self.assert_denied(response, record, "UNATTRIBUTED", "NO_EXPLICIT_TRUST")

    def test_deny_policy_forbid(self):
        response, record = self.check(check_request(headers={
            "authorization": f"Bearer {self.token()}", "x-crossgate-data-classification": "eu-personal"}))
        self.assert_denied(response, record, "POLICY_FORBID")
        self.assertEqual([p["name"] for p in record["determining_policies"]], ["eu-personal-data-stays-in-the-eu"])

    def test_route_context_extensions_win_over_headers(self):
        response, record = self.check(check_request(
            headers={"authorization": f"Bearer {self.token()}", "x-crossgate-data-classification": "internal"},
            extensions={"data_classification": "eu-personal"}))
        self.assert_denied(response, record, "POLICY_FORBID")
        self.assertEqual(record["request"]["data_classification"], "eu-personal")

    def test_async_invoke_model_from_header(self):
        response, record = self.check(check_request("/async-invoke"))
        self.assertIsNone(record)
        self.assertIn("x-crossgate-resource", self.assert_denied(response, None, "INVALID_REQUEST")["message"])
        response, record = self.check(check_request(
            "/async-invoke", headers={"authorization": f"Bearer {self.token()}", "x-crossgate-resource": HAIKU}))
        self.assertEqual(response.status.code, 0, record)
        self.assertEqual(record["request"]["api"], "StartAsyncInvoke")
        self.assertEqual(record["request"]["resource"], HAIKU)

    def test_inline_agent_model_from_body(self):
        body = json.dumps({"foundationModel": HAIKU, "instruction": "answer claims questions",
                           "inputText": "hello"})
        response, record = self.check(check_request(
            "/agents/session-1", host="bedrock-agent-runtime.us-east-1.amazonaws.com",
            headers={"authorization": f"Bearer {self.token()}"}, body=body))
        self.assertIsNotNone(record)
        self.assertEqual(record["request"]["api"], "InvokeInlineAgent")
        self.assertEqual(record["request"]["action"], "bedrock:InvokeInlineAgent")
        self.assertEqual(record["request"]["resource"], HAIKU)
        # The example bundle permits model invocations only: agents are denied by default.
        self.assert_denied(response, record, "POLICY_NO_PERMIT")

    def test_caller_without_ask_is_refused(self):
        channel = self.open_channel("untrusted")
        self.addCleanup(channel.close)
        with self.assertRaises(grpc.RpcError) as raised:
            authz_grpc.AuthorizationStub(channel).Check(
                check_request(headers={"authorization": f"Bearer {self.token()}"}), timeout=RPC_TIMEOUT)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("does not have the role", raised.exception.details())
        self.assertEqual(self.log.take(self), [])

    def test_health_and_metrics_name_the_service(self):
        health = health_pb2_grpc.HealthStub(self.channel)
        answer = health.Check(health_pb2.HealthCheckRequest(service="envoy.service.auth.v3.Authorization"),
                              timeout=RPC_TIMEOUT)
        self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)
        self.check(check_request(headers={"authorization": f"Bearer {self.token()}"}))
        port = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", self.daemon.output()).group(1)
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        calls = re.search(r'crossgate_grpc_calls_total\{method="Check",code="OK"\} (\d+)', text)
        self.assertIsNotNone(calls, text)
        self.assertGreaterEqual(int(calls.group(1)), 1)
        self.assertRegex(text, r'crossgate_decisions_total\{decision="ALLOW"\} [1-9]')


class ExtAuthzPlaintext(ExtAuthzTest):
    """A local caller without a certificate: it may ask, but it is no trusted asserter."""

    MTLS = False

    def test_peer_principal_is_not_believed(self):
        response, record = self.check(check_request(principal=fixture.CLAIMS_ASSISTANT))
        self.assertEqual(record["principal"]["evidence"], "x509-svid")
        self.assertFalse(record["principal"]["verified"])
        self.assertIn("trusted asserter", record["principal"]["failure"])
        self.assert_denied(response, record, "UNATTRIBUTED", "NO_EXPLICIT_TRUST")

    def test_aws_session_headers_are_ignored(self):
        response, record = self.check(check_request(
            headers={"x-crossgate-aws-role-arn": "arn:aws:iam::111122223333:role/claims-assistant"}))
        self.assertEqual(record["principal"]["evidence"], "none")
        self.assert_denied(response, record, "UNATTRIBUTED", "NO_EXPLICIT_TRUST")

    def test_allow_with_token(self):
        response, record = self.check(check_request(headers={"authorization": f"Bearer {self.token()}"}))
        self.assertEqual(response.status.code, 0, record)
        self.assertEqual(ok_headers(response)["x-crossgate-decision-id"], record["decision_id"])


if __name__ == "__main__":
    unittest.main()
