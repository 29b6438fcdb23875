"""Gateway hardening end-to-end tests of `crossgate serve`: who may connect, certificate
rotation, and what an overloaded or abused daemon does.

  CallerCertificates  certificates made here (a CA, the gateway, an unlisted caller, a caller
                      with too few roles, one without a SPIFFE ID, an expired one, one from
                      another CA, none): who is answered, who is refused and how, and the
                      refusals in /metrics
  CertificateReload   the serving certificate replaced on disk: new connections get the new
                      one, open connections keep working; garbage, a key that does not
                      match and an expired certificate are refused, reported, and the last
                      good certificate keeps serving
  Overload            max_concurrent_calls, max_message_bytes, max_batch_size and deadlines,
                      with the real daemon and Python grpcio: refusals are quick and counted,
                      never recorded as decisions, and the daemon serves normally afterwards;
                      a burst of oversized requests leaves its memory bounded

Every daemon listens on 127.0.0.1 port 0 (metrics too) in a world that fixture.py builds.

Environment: CROSSGATE_BIN (the crossgate binary); PYTHONPATH must hold the generated
modules (build/default/proto/python) and this folder. Run with /usr/bin/python3.
"""
import asyncio
import calendar
import ipaddress
import json
import os
import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import grpc
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import fixture
from crossgate.v1 import decision_pb2 as pb
from crossgate.v1 import decision_pb2_grpc as pb_grpc
from test_operations import Daemon, Metrics

CROSSGATE_BIN = os.environ.get("CROSSGATE_BIN", "")
RPC_TIMEOUT = 10

WORKLOADS_PROD, GENAI_PROD = "111122223333", "444455556666"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-pro-v1:0"
MONITOR = "spiffe://example.org/monitoring/status-reader"


# ---- the world -----------------------------------------------------------------------------

def world():
    return fixture.shared_world(CROSSGATE_BIN, "crossgate-gateway-")


def serial_of(cert_pem):
    return x509.load_pem_x509_certificate(cert_pem).serial_number


def request(request_id, token=None, **fields):
    """The claims assistant (with a token: ALLOW) calling Claude Haiku in the GenAI account."""
    values = dict(request_id=request_id, action="Converse", resource=HAIKU,
                  source_account=WORKLOADS_PROD, source_region="us-east-1",
                  target_account=GENAI_PROD, target_region="us-east-1",
                  data_classification="internal")
    identity = fields.pop("identity", None) or (pb.IdentityEvidence(jwt_svid=token) if token
                                                 else pb.IdentityEvidence())
    values.update(fields)
    return pb.AuthorizeRequest(identity=identity, **values)


def under_address_sanitizer(pid):
    """Whether the daemon runs with AddressSanitizer (its runtime is mapped in)."""
    maps = pathlib.Path(f"/proc/{pid}/maps").read_text()
    return "libasan" in maps or "libclang_rt.asan" in maps


def status_kib(pid, field):
    """VmRSS (resident now) or VmHWM (the most resident since start or reset_peak_rss)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def reset_peak_rss(pid):
    """Starts VmHWM again from the current RSS (Linux 4.0+); False where that is not allowed."""
    try:
        pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class GatewayTest(unittest.TestCase):
    """A folder and helpers per class; daemons are stopped at the end of the class."""

    @classmethod
    def setUpClass(cls):
        cls.world = world()
        cls.dir = pathlib.Path(tempfile.mkdtemp(prefix=cls.__name__ + "-", dir=cls.world.root))
        cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)

    @classmethod
    def write_config(cls, name, *, mtls, tls=None, callers=None, limits=None, **top):
        """The world's configuration, with metrics on port 0, `tls` and `limits` keys merged
        and `callers` replaced."""
        log = cls.dir / f"{name}.log"
        base = cls.world.write_config(f"gateway-{uuid.uuid4().hex}.yaml", mtls=mtls, decision_log=log)
        config = yaml.safe_load(base.read_text())
        base.unlink()
        config["metrics"] = {"address": "127.0.0.1:0"}
        if tls:
            config["tls"].update({k: str(v) if isinstance(v, pathlib.Path) else v for k, v in tls.items()})
        if callers is not None:
            config["callers"] = callers
        config["limits"].update(limits or {})
        config.update(top)
        path = cls.dir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path, log

    @classmethod
    def start(cls, config, name):
        daemon = Daemon(config, cls.dir / f"{name}-{uuid.uuid4().hex[:6]}.stderr")
        cls.addClassCleanup(daemon.kill)
        return daemon

    def records(self, log, prefix):
        """The decision records whose request id starts with `prefix`."""
        if not log.exists():
            return []
        return [r for r in map(json.loads, log.read_text().splitlines()) if r["request_id"].startswith(prefix)]

    def refused_count(self, daemon, reason):
        return daemon.metrics().value("crossgate_refused_calls_total", 0, reason=reason)


# ==== 1. who may connect =====================================================================

class CallerCertificates(GatewayTest):
    """One mTLS daemon; a client per certificate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = fixture._Certificates()
        other_ca = fixture._Certificates()  # same subject name, another key: not trusted
        uri = x509.UniformResourceIdentifier
        now = time.time()
        cls.ca_pem = cls.dir / "ca.pem"
        cls.ca_pem.write_bytes(ca.ca.public_bytes(serialization.Encoding.PEM))

        def write(name, pair):
            key, cert = cls.dir / f"{name}.key.pem", cls.dir / f"{name}.pem"
            key.write_bytes(pair[0])
            cert.write_bytes(pair[1])
            return key, cert

        cls.clients = {
            "gateway": write("gateway", ca.issue("bedrock-proxy", [uri(fixture.GATEWAY)])),
            "unlisted": write("unlisted", ca.issue("other", [uri(fixture.OTHER_CALLER)])),
            "monitor": write("monitor", ca.issue("monitor", [uri(MONITOR)])),
            "no-spiffe-id": write("no-spiffe-id", ca.issue("gateway.example.org",
                                                           [x509.DNSName("gateway.example.org")])),
            "expired": write("expired", ca.issue("bedrock-proxy", [uri(fixture.GATEWAY)],
                                                 now - 3 * 86400, now - 86400)),
            "other-ca": write("other-ca", other_ca.issue("bedrock-proxy", [uri(fixture.GATEWAY)])),
        }
        server_key, server_cert = write("server", ca.issue(
            "localhost", [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]))
        config, cls.log = cls.write_config(
            "callers", mtls=True,
            tls={"cert": server_cert, "key": server_key, "client_ca": cls.ca_pem},
            callers=[{"spiffe_id": fixture.GATEWAY, "roles": ["ask", "assert_aws_session", "read_status"]},
                     {"spiffe_id": MONITOR, "roles": ["read_status"]}])
        cls.daemon = cls.start(config, "callers")

    def stub(self, client):
        """A new channel (a new TLS connection) presenting `client`'s certificate, or none."""
        key = cert = None
        if client is not None:
            key_path, cert_path = self.clients[client]
            key, cert = key_path.read_bytes(), cert_path.read_bytes()
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_pem.read_bytes(),
                                                   private_key=key, certificate_chain=cert)
        channel = grpc.secure_channel(self.daemon.target, credentials)
        self.addCleanup(channel.close)
        return pb_grpc.DecisionServiceStub(channel)

    def assert_refused(self, client, call, argument, code):
        """The call fails with `code`, leaves no record, and the gateway is still answered."""
        request_id = argument.request_id if hasattr(argument, "request_id") else None
        with self.assertRaises(grpc.RpcError) as raised:
            getattr(self.stub(client), call)(argument, timeout=RPC_TIMEOUT)
        self.assertEqual(raised.exception.code(), code, raised.exception.details())
        if request_id:
            self.assertEqual(self.records(self.log, request_id), [], f"{client}: a refused call was recorded")
        self.assert_gateway_answered()
        return raised.exception.details()

    def assert_gateway_answered(self):
        req = request(f"gw-{uuid.uuid4().hex}", action="InvokeModel", resource=NOVA, source_account=GENAI_PROD,
                      identity=pb.IdentityEvidence(x509_svid=pb.X509SvidEvidence()))
        response = self.stub("gateway").Authorize(req, timeout=RPC_TIMEOUT)
        self.assertEqual(pb.Decision.Name(response.decision), "ALLOW", list(response.reason_codes))
        (record,) = self.records(self.log, req.request_id)
        self.assertEqual(record["gateway"]["spiffe_id"], fixture.GATEWAY)

    def test_gateway_is_answered(self):
        self.assert_gateway_answered()
        status = self.stub("gateway").GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)
        self.assertTrue(status.serving)

    def test_handshake_refusals_never_reach_the_service(self):
        # No certificate, an expired one, one from a CA the daemon does not trust (with the
        # gateway's own SPIFFE ID): the TLS handshake fails, the service never sees a call.
        calls_before = self.daemon.metrics().value("crossgate_grpc_calls_total", 0, method="Authorize",
                                                   code="OK")
        for client in [None, "expired", "other-ca"]:
            with self.subTest(client=client):
                req = request(f"hs-{client}-{uuid.uuid4().hex}", identity=pb.IdentityEvidence(
                    x509_svid=pb.X509SvidEvidence()))
                self.assert_refused(client, "Authorize", req, grpc.StatusCode.UNAVAILABLE)
                self.assert_refused(client, "GetStatus", pb.GetStatusRequest(), grpc.StatusCode.UNAVAILABLE)
        metrics = self.daemon.metrics()
        # Only the gateway's own calls (two per refusal check) reached the service.
        self.assertEqual(metrics.value("crossgate_grpc_calls_total", 0, method="Authorize", code="OK"),
                         calls_before + 6)
        self.assertIsNone(metrics.value("crossgate_grpc_calls_total", method="Authorize", code="UNAVAILABLE"))

    def test_unlisted_caller_is_permission_denied_and_counted(self):
        before = self.refused_count(self.daemon, "not_allowed")
        req = request(f"unlisted-{uuid.uuid4().hex}", identity=pb.IdentityEvidence(
            aws_session=pb.AwsSessionEvidence(role_arn="arn:aws:iam::111122223333:role/claims-assistant")))
        details = self.assert_refused("unlisted", "Authorize", req, grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn(fixture.OTHER_CALLER, details)
        self.assert_refused("unlisted", "AuthorizeBatch", pb.AuthorizeBatchRequest(requests=[req]),
                            grpc.StatusCode.PERMISSION_DENIED)
        self.assert_refused("unlisted", "GetStatus", pb.GetStatusRequest(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(self.refused_count(self.daemon, "not_allowed"), before + 3)

    def test_certificate_without_spiffe_id_is_unauthenticated_and_counted(self):
        before = self.refused_count(self.daemon, "unauthenticated")
        details = self.assert_refused("no-spiffe-id", "Authorize", request(f"nospiffe-{uuid.uuid4().hex}"),
                                      grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("SPIFFE ID", details)
        self.assertEqual(self.refused_count(self.daemon, "unauthenticated"), before + 1)

    def test_caller_without_the_role_is_refused_and_counted(self):
        before = self.refused_count(self.daemon, "missing_role")
        # The monitor may read the status ...
        self.assertTrue(self.stub("monitor").GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT).serving)
        # ... but may not ask for decisions.
        details = self.assert_refused("monitor", "Authorize", request(f"monitor-{uuid.uuid4().hex}"),
                                      grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn(MONITOR, details)
        self.assertEqual(self.refused_count(self.daemon, "missing_role"), before + 1)


# ==== 2. certificate rotation =================================================================

class CertificateReload(GatewayTest):
    """The serving certificate and key replaced on disk while the daemon runs (reload_seconds 1)."""

    WAIT = 20  # seconds for a change to show (two reload intervals, plus a slow machine)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ca = fixture._Certificates()
        cls.ca_pem = cls.dir / "ca.pem"
        cls.ca_pem.write_bytes(cls.ca.ca.public_bytes(serialization.Encoding.PEM))
        cls.client = cls.dir / "gateway.key.pem", cls.dir / "gateway.pem"
        key, cert = cls.ca.issue("bedrock-proxy", [x509.UniformResourceIdentifier(fixture.GATEWAY)])
        cls.client[0].write_bytes(key)
        cls.client[1].write_bytes(cert)
        cls.cert_path, cls.key_path = cls.dir / "server.pem", cls.dir / "server.key.pem"

    def issue_server(self, name, **validity):
        """A server certificate for 127.0.0.1 named `name` (a DNS SAN): (key PEM, cert PEM)."""
        return self.ca.issue(name, [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
                             **validity)

    def install(self, key_pem, cert_pem):
        """Replaces the files the way a certificate manager does: write aside, then rename."""
        for path, data in [(self.key_path, key_pem), (self.cert_path, cert_pem)]:
            aside = path.with_name(path.name + ".tmp")
            aside.write_bytes(data)
            os.replace(aside, path)

    def config(self, name):
        return self.write_config(name, mtls=True, tls={"cert": self.cert_path, "key": self.key_path,
                                                       "client_ca": self.ca_pem, "reload_seconds": 1})[0]

    def peer_serial(self, daemon):
        """The serial of the certificate the daemon presents on a new TLS connection."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cafile=str(self.ca_pem))
        context.check_hostname = False  # the name is checked by grpc below; here only the serial matters
        context.load_cert_chain(str(self.client[1]), str(self.client[0]))
        context.set_alpn_protocols(["h2"])
        with socket.create_connection(("127.0.0.1", daemon.port), timeout=5) as raw:
            with context.wrap_socket(raw) as tls:
                return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True)).serial_number

    def channel(self, daemon):
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_pem.read_bytes(),
                                                   private_key=self.client[0].read_bytes(),
                                                   certificate_chain=self.client[1].read_bytes())
        channel = grpc.secure_channel(daemon.target, credentials)
        self.addCleanup(channel.close)
        return channel

    def status_over(self, channel):
        return pb_grpc.DecisionServiceStub(channel).GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT).serving

    def reloads(self, daemon, result):
        return daemon.metrics().value("crossgate_tls_reloads_total", 0, result=result)

    def wait_until(self, probe, what):
        deadline = time.monotonic() + self.WAIT
        last = None
        while time.monotonic() < deadline:
            last = probe()
            if last:
                return last
            time.sleep(0.2)
        self.fail(f"not true after {self.WAIT} s: {what} (last: {last!r})")

    def test_rotation_and_broken_versions(self):
        key_a, cert_a = self.issue_server("crossgate-a.test")
        self.install(key_a, cert_a)
        daemon = self.start(self.config("rotation"), "rotation")
        self.assertEqual(self.peer_serial(daemon), serial_of(cert_a))
        self.assertEqual(self.reloads(daemon, "success"), 1)
        expiry = x509.load_pem_x509_certificate(cert_a).not_valid_after  # naive, UTC
        self.assertEqual(daemon.metrics().value("crossgate_tls_certificate_expiry_timestamp_seconds"),
                         calendar.timegm(expiry.utctimetuple()))
        before = self.channel(daemon)  # a connection made while A is served
        self.assertTrue(self.status_over(before))

        # B: a new serial and another name. New connections get it, the open one keeps working.
        key_b, cert_b = self.issue_server("crossgate-b.test")
        self.install(key_b, cert_b)
        self.wait_until(lambda: self.peer_serial(daemon) == serial_of(cert_b), "certificate B served")
        self.assertTrue(self.status_over(self.channel(daemon)))
        self.assertTrue(self.status_over(before))
        self.assertEqual(self.reloads(daemon, "success"), 2)
        self.assertIn("tls: new certificate serial", daemon.output())

        # Broken versions: each is seen, refused, reported, and B keeps serving.
        key_c, cert_c = self.issue_server("crossgate-c.test")
        expired_key, expired_cert = self.issue_server("crossgate-expired.test", not_before=time.time() - 7200,
                                                      not_after=time.time() - 3600)
        broken = [
            ("garbage", key_b, b"this is not a certificate\n", "holds no PEM certificate"),
            ("key of another certificate", key_b, cert_c, "does not belong to the certificate"),
            ("expired", expired_key, expired_cert, "has expired"),
            ("truncated", key_c, cert_c[: len(cert_c) // 2], str(self.cert_path)),
        ]
        for what, key, cert, message in broken:
            with self.subTest(broken=what):
                failures = self.reloads(daemon, "failure")
                self.install(key, cert)
                self.wait_until(lambda: self.reloads(daemon, "failure") > failures, f"{what} refused")
                self.assertIn(message, daemon.output())
                self.assertIn("the previous certificate and key stay in use", daemon.output())
                # Longer than gRPC's own reload interval: the broken files never reach it.
                time.sleep(2.5)
                self.assertEqual(self.peer_serial(daemon), serial_of(cert_b))
                self.assertTrue(self.status_over(self.channel(daemon)))
                self.assertTrue(self.status_over(before))
                self.assertTrue(daemon.alive())

        # A good version after the broken ones is picked up again.
        key_d, cert_d = self.issue_server("crossgate-d.test")
        self.install(key_d, cert_d)
        self.wait_until(lambda: self.peer_serial(daemon) == serial_of(cert_d), "certificate D served")
        self.assertTrue(self.status_over(self.channel(daemon)))
        self.assertEqual(self.reloads(daemon, "success"), 3)
        # No private key material in the operations log.
        self.assertNotIn("PRIVATE KEY", daemon.output())
        self.assertEqual(daemon.stop(), 0, daemon.output())

    def test_broken_files_at_start_are_refused_naming_the_file(self):
        key_a, cert_a = self.issue_server("crossgate-a.test")
        key_b, _ = self.issue_server("crossgate-b.test")
        for what, key, cert, message in [("garbage", key_a, b"garbage\n", "holds no PEM certificate"),
                                         ("mismatch", key_b, cert_a, "does not belong to the certificate")]:
            with self.subTest(broken=what):
                self.install(key, cert)
                done = subprocess.run([CROSSGATE_BIN, "serve", "--config", str(self.config(f"start-{what}"))],
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn(message, done.stderr)
                self.assertIn(str(self.cert_path if what == "garbage" else self.key_path), done.stderr)


# ==== 3. overload ===========================================================================

class Overload(GatewayTest):
    """A plaintext daemon with small limits, called by many clients at once."""

    BATCH = 1000  # items of a "slow" batch: each item is decided and recorded
    LIMITS = {"max_concurrent_calls": 1, "max_batch_size": BATCH, "max_message_bytes": 4 << 20,
              "max_memory_bytes": 32 << 20}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        config, cls.log = cls.write_config("overload", mtls=False, limits=cls.LIMITS)
        cls.daemon = cls.start(config, "overload")
        cls.token = cls.world.jwt_svid(fixture.CLAIMS_ASSISTANT, lifetime=1800)

    def stub(self):
        channel = grpc.insecure_channel(self.daemon.target)
        self.addCleanup(channel.close)
        return pb_grpc.DecisionServiceStub(channel)

    def batch(self, prefix, size):
        return pb.AuthorizeBatchRequest(requests=[request(f"{prefix}-{i}", self.token) for i in range(size)])

    def assert_serving_normally(self):
        req = request(f"normal-{uuid.uuid4().hex}", self.token)
        response = self.stub().Authorize(req, timeout=RPC_TIMEOUT)
        self.assertEqual(pb.Decision.Name(response.decision), "ALLOW", list(response.reason_codes))
        self.assertEqual(len(self.records(self.log, req.request_id)), 1)
        self.assertTrue(self.daemon.alive())

    def test_calls_beyond_max_concurrent_calls_are_refused(self):
        clients = 6
        refused_before = self.refused_count(self.daemon, "overloaded")
        prefix = f"conc-{uuid.uuid4().hex[:8]}"
        batches = [self.batch(f"{prefix}-{n}", self.BATCH) for n in range(clients)]
        stubs = [self.stub() for _ in range(clients)]
        for stub in stubs:  # connect first, so that the calls start together
            stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)
        start = threading.Barrier(clients)
        outcomes = [None] * clients

        def call(n):
            start.wait()
            try:
                outcomes[n] = ("answered", stubs[n].AuthorizeBatch(batches[n], timeout=120))
            except grpc.RpcError as error:
                outcomes[n] = (error.code(), error.details())

        threads = [threading.Thread(target=call, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        answered = [n for n, (kind, _) in enumerate(outcomes) if kind == "answered"]
        refused = [n for n, (kind, _) in enumerate(outcomes) if kind == grpc.StatusCode.RESOURCE_EXHAUSTED]
        self.assertEqual(sorted(answered + refused), list(range(clients)), outcomes)
        self.assertTrue(answered, "no call was answered")
        self.assertTrue(refused, "with one call allowed at a time, no concurrent batch was refused")
        for n in refused:
            self.assertIn("calls at once", outcomes[n][1])
            self.assertEqual(self.records(self.log, f"{prefix}-{n}-"), [], f"refused batch {n} was recorded")
        for n in answered:
            results = outcomes[n][1].results
            self.assertEqual(len(results), self.BATCH)
            self.assertEqual(len(self.records(self.log, f"{prefix}-{n}-")), self.BATCH)
        self.assertEqual(self.refused_count(self.daemon, "overloaded"), refused_before + len(refused))
        self.assert_serving_normally()

    def test_message_over_max_message_bytes(self):
        req = request(f"huge-{uuid.uuid4().hex}", self.token, data_classification="x" * (5 << 20))
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub().Authorize(req, timeout=RPC_TIMEOUT)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, raised.exception.details())
        self.assertEqual(self.records(self.log, req.request_id), [])
        self.assert_serving_normally()

    def test_batch_over_max_batch_size(self):
        before = self.refused_count(self.daemon, "batch_too_large")
        prefix = f"toolarge-{uuid.uuid4().hex[:8]}"
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub().AuthorizeBatch(self.batch(prefix, self.BATCH + 1), timeout=60)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn(f"at most {self.BATCH}", raised.exception.details())
        self.assertEqual(self.records(self.log, prefix), [])
        self.assertEqual(self.refused_count(self.daemon, "batch_too_large"), before + 1)
        self.assert_serving_normally()

    def test_expired_deadline_stops_the_evaluation(self):
        # A big batch with a deadline far shorter than deciding it takes: the daemon stops
        # deciding when the deadline passes, and counts it.
        refused_before = self.refused_count(self.daemon, "deadline")
        prefix = f"late-{uuid.uuid4().hex[:8]}"
        stub = self.stub()
        stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)  # connected: the deadline is all work
        # Every item with its own token, so that each is verified (a signature check). How
        # long such a batch takes on this machine sets the deadline: a third of it.
        def fresh_batch(name):
            return pb.AuthorizeBatchRequest(requests=[
                request(f"{name}-{i}", self.world.jwt_svid(fixture.CLAIMS_ASSISTANT, lifetime=600))
                for i in range(self.BATCH)])
        measure, batch = fresh_batch(f"measure-{prefix}"), fresh_batch(prefix)
        started = time.monotonic()
        self.assertEqual(len(stub.AuthorizeBatch(measure, timeout=120).results), self.BATCH)
        deadline = (time.monotonic() - started) / 3
        with self.assertRaises(grpc.RpcError) as raised:
            stub.AuthorizeBatch(batch, timeout=deadline)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self.wait_for(lambda: self.refused_count(self.daemon, "deadline") > refused_before,
                      "the abandoned batch counted as refused for its deadline")
        self.assertLess(len(self.records(self.log, prefix + "-")), self.BATCH,
                        "every item of a batch past its deadline was still decided")
        self.assert_serving_normally()

    def wait_for(self, probe, what, timeout=30):
        deadline = time.monotonic() + timeout
        while not probe():
            if time.monotonic() > deadline:
                self.fail(f"not true after {timeout} s: {what}")
            time.sleep(0.1)

    def test_burst_of_oversized_requests_keeps_memory_bounded(self):
        if under_address_sanitizer(self.daemon.pid):
            self.skipTest("AddressSanitizer keeps freed memory in quarantine: RSS says nothing here")
        self.assert_serving_normally()
        before = status_kib(self.daemon.pid, "VmRSS")
        peak_is_reset = reset_peak_rss(self.daemon.pid)
        oversized = request("oversized", self.token, data_classification="x" * (5 << 20))

        async def burst():
            async with grpc.aio.insecure_channel(self.daemon.target) as channel:
                stub = pb_grpc.DecisionServiceStub(channel)

                async def one():
                    try:
                        await stub.Authorize(oversized, timeout=60)
                        return "answered"
                    except grpc.RpcError as error:
                        return error.code()
                return await asyncio.gather(*(one() for _ in range(16)))

        peak = before
        for _ in range(2):  # 2 x 16 requests of 5 MiB, 16 at a time: 160 MiB sent in all
            codes = asyncio.run(burst())
            self.assertEqual(set(codes), {grpc.StatusCode.RESOURCE_EXHAUSTED}, codes)
            peak = max(peak, status_kib(self.daemon.pid, "VmHWM" if peak_is_reset else "VmRSS"))
        print(f"\n  daemon RSS {before} KiB before, {peak} KiB at the most", file=sys.stderr)
        # Each message is refused by its length as it arrives and dropped (about 24 MiB of
        # growth here, whatever the memory quota): holding the 16 in flight would take 80 MiB.
        self.assertLess(peak - before, 64 * 1024, f"RSS grew from {before} KiB to {peak} KiB")
        self.assert_serving_normally()


if __name__ == "__main__":
    unittest.main()
