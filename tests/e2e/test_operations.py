"""Operations end-to-end tests of `crossgate serve`: what happens to a running daemon when its
sources, its disk and its process are treated the way production treats them.

  ReloadUnderLoad  bundle versions replaced under a steady stream of calls (good, broken,
                   badly signed, older, same revision with other content), SIGHUP
  UrlSource        a bundle served over HTTP with ETags: 304s while unchanged, new revisions
                   picked up by polling
  ColdStart        a restart with the source gone (deleted file, HTTP 500) serves the last
                   good copy from state_dir, and a tampered copy is refused
  Staleness        max_staleness_seconds with a source that starts failing: STALE_POLICY,
                   the age in GetStatus and the metrics
  CrashRecovery    kill -9 under load (process and fsync durability): every answer is in the
                   log, the log verifies, a restart continues the chain
  DiskFull         the log cannot grow (RLIMIT_FSIZE, a full tmpfs): LOG_UNAVAILABLE denials,
                   nothing partial in the file, recovery when space is back
  Rotation         rotate_bytes and retain_files: log-start records chain the files, and
                   many rotations within one millisecond lose no file
  Prometheus       `promtool check metrics`, and a real Prometheus server scraping the daemon

Every daemon listens on 127.0.0.1 port 0 (metrics too) in a world that fixture.py builds
(its own keys; bundles re-signed here with the real `crossgate sign`). Chains are checked in
Python and, when the binary has it, with `crossgate log verify`.

Environment: CROSSGATE_BIN (the crossgate binary); PYTHONPATH must hold the generated
modules (build/default/proto/python) and this folder. Run with /usr/bin/python3.
"""
import asyncio
import collections
import hashlib
import http.server
import io
import json
import os
import pathlib
import re
import resource
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request
import uuid

import grpc
import yaml

import fixture
import health_pb2
import health_pb2_grpc
from crossgate.v1 import decision_pb2 as pb
from crossgate.v1 import decision_pb2_grpc as pb_grpc

CROSSGATE_BIN = os.environ.get("CROSSGATE_BIN", "")
GENESIS = "0" * 64
RPC_TIMEOUT = 10
MIN_WAIT_SECONDS = 20

WORKLOADS_PROD, GENAI_PROD = "111122223333", "444455556666"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
UNATTRIBUTED_REASONS = ["UNATTRIBUTED", "NO_EXPLICIT_TRUST"]


# ---- the world ------------------------------------------------------------------------------

def world():
    return fixture.shared_world(CROSSGATE_BIN, "crossgate-ops-")


def sha256(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


_has_log_verify = None


def has_log_verify():
    """Whether this crossgate has `crossgate log verify`."""
    global _has_log_verify
    if _has_log_verify is None:
        done = subprocess.run([CROSSGATE_BIN, "log", "verify", "--help"], capture_output=True, text=True)
        _has_log_verify = done.returncode == 0 and "verify" in done.stdout
    return _has_log_verify


# ---- policy bundle versions -----------------------------------------------------------------

Version = collections.namedtuple("Version", "revision directory archive digest allows")


class Bundles:
    """Versions of the world's example policy bundle, each with one extra policy file that
    makes its revision visible in every answer: `@id("revision-N")`, a permit when N is odd
    (ALLOW, the policy among the determining ones) and a forbid when N is even (DENY,
    POLICY_FORBID, determined by it alone)."""

    def __init__(self, world, root):
        self.world = world
        self.root = pathlib.Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def revision_policy(revision, allows):
        effect = "permit" if allows else "forbid"
        return f'@id("revision-{revision}")\n{effect} (principal, action, resource);\n'

    def make(self, revision, *, allows=None, policy=None, key="policy-owner", tamper=False, label=""):
        """A signed version (directory and .tar.gz bytes). `policy` replaces the revision
        policy's text (e.g. a syntax error); `key` names the world's signing key; `tamper`
        edits a signed file after signing."""
        if allows is None:
            allows = revision % 2 == 1
        directory = self.root / f"rev{revision}{label}-{uuid.uuid4().hex[:6]}"
        shutil.copytree(self.world.bundle_dir, directory, ignore=shutil.ignore_patterns("signatures.json"))
        manifest = directory / "manifest.yaml"
        text, count = re.subn(r"(?m)^revision: \d+", f"revision: {revision}", manifest.read_text())
        assert count == 1, "the example manifest has no `revision:` line"
        manifest.write_text(text)
        (directory / "policies" / "revision.cedar").write_text(
            policy if policy is not None else self.revision_policy(revision, allows))
        subprocess.run([CROSSGATE_BIN, "sign", "--dir", str(directory),
                        "--key", str(self.world.keys_dir / f"{key}.key.pem"), "--kind", "policy-bundle"],
                       check=True, capture_output=True, text=True)
        if tamper:
            with open(directory / "policies" / "revision.cedar", "a") as f:
                f.write("// edited after signing\n")
        return Version(revision, directory, self.archive(directory), fixture.bundle_digest(directory), allows)

    @staticmethod
    def archive(directory):
        """The folder as a .tar.gz with one top folder (`tar czf bundle.tar.gz bundle/`)."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(directory, arcname="bundle")
        return buffer.getvalue()


def publish(path, data):
    """Replaces the file at `path` atomically (a watcher sees the old or the new one)."""
    path = pathlib.Path(path)
    staging = path.with_name(path.name + ".staging")
    staging.write_bytes(data)
    os.replace(staging, path)


def replace_folder_contents(target, source):
    """Makes the folder `target` hold exactly the files of `source` (in place, not atomic)."""
    for child in pathlib.Path(target).iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in pathlib.Path(source).iterdir():
        if child.is_dir():
            shutil.copytree(child, pathlib.Path(target) / child.name)
        else:
            shutil.copy2(child, pathlib.Path(target) / child.name)


# ---- an HTTP bundle server ------------------------------------------------------------------

class BundleServer:
    """Serves one .tar.gz at /bundle.tar.gz with a strong ETag and If-None-Match (304), or a
    chosen error status. Every request is remembered: (If-None-Match or None, status)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.body, self.etag, self.status = b"", None, 404
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                condition = self.headers.get("If-None-Match")
                with server.lock:
                    body, etag, status = server.body, server.etag, server.status
                    if self.path != "/bundle.tar.gz":
                        status = 404
                    elif status == 200 and condition is not None and condition == etag:
                        status = 304
                    server.requests.append((condition, status))
                if status == 200:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/gzip")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("ETag", etag)
                    self.end_headers()
                    self.wfile.write(body)
                elif status == 304:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                else:
                    self.send_error(status)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/bundle.tar.gz"

    def serve(self, version):
        with self.lock:
            self.body = version.archive
            self.etag = '"' + sha256(version.archive)[:24] + '"'
            self.status = 200
            return self.etag

    def fail(self, status=500):
        with self.lock:
            self.status = status

    def seen(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# ---- the daemon -----------------------------------------------------------------------------

class Daemon:
    """`crossgate serve` as a subprocess; stderr goes to a file read for the ports."""

    def __init__(self, config, stderr_path, preexec_fn=None):
        self.config, self.stderr_path = pathlib.Path(config), pathlib.Path(stderr_path)
        self.started_at = time.time()
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen([CROSSGATE_BIN, "serve", "--config", str(config)],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=stderr, preexec_fn=preexec_fn)
        self.pid = self.process.pid
        try:
            self.port = int(self._wait_for(r"serving on 127\.0\.0\.1:(\d+)", timeout=30))
        except BaseException:
            self.kill()
            raise
        metrics = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", self.output())
        self.metrics_port = int(metrics.group(1)) if metrics else None
        self._channels = []

    def output(self):
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def _wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                raise RuntimeError(f"crossgate serve exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.02)
        raise RuntimeError(f"crossgate serve did not print /{pattern}/ in {timeout} s:\n{self.output()}")

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def channel(self):
        channel = grpc.insecure_channel(self.target)
        self._channels.append(channel)
        return channel

    def stub(self):
        return pb_grpc.DecisionServiceStub(self.channel())

    def status(self):
        return self.stub().GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)

    def health(self):
        health = health_pb2_grpc.HealthStub(self.channel())
        return health.Check(health_pb2.HealthCheckRequest(), timeout=RPC_TIMEOUT).status

    def metrics_text(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            return r.read().decode()

    def metrics(self):
        return Metrics(self.metrics_text())

    def alive(self):
        return self.process.poll() is None

    def _close_channels(self):
        # An open client connection holds a SIGTERM drain for seconds (GOAWAY handshake).
        for channel in self._channels:
            channel.close()
        self._channels = []

    def stop(self):
        """SIGTERM, then the exit status (SIGKILL after 15 s)."""
        self._close_channels()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self):
        """SIGKILL (kill -9), then the exit status."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close_channels()
        return self.process.returncode


class Metrics:
    """A parsed Prometheus text exposition: value(name, **labels) of one sample."""

    LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$")
    LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

    def __init__(self, text):
        self.text = text
        self.samples = []
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            match = self.LINE.match(line)
            if not match:
                raise AssertionError(f"not a sample line: {line!r}")
            labels = dict(self.LABEL.findall(match.group(2) or ""))
            self.samples.append((match.group(1), labels, float(match.group(3))))

    def value(self, name, default=None, **labels):
        found = [v for n, l, v in self.samples if n == name and all(l.get(k) == w for k, w in labels.items())]
        if len(found) > 1:
            raise AssertionError(f"{name}{labels} matches {len(found)} samples")
        return found[0] if found else default


# ---- requests -------------------------------------------------------------------------------

_request_numbers = iter(range(1, 1 << 62))
_request_lock = threading.Lock()


def make_request(token=None, **fields):
    """The claims assistant (when `token` is given) calling Claude Haiku in the GenAI account:
    ALLOW under the example bundle; without a token, DENY (UNATTRIBUTED)."""
    with _request_lock:
        number = next(_request_numbers)
    values = dict(request_id=f"ops-{number}", action="Converse", resource=HAIKU,
                  source_account=WORKLOADS_PROD, source_region="us-east-1",
                  target_account=GENAI_PROD, target_region="us-east-1",
                  data_classification="internal")
    values.update(fields)
    identity = pb.IdentityEvidence(jwt_svid=token) if token else pb.IdentityEvidence()
    return pb.AuthorizeRequest(identity=identity, **values)


def decision_name(response):
    return pb.Decision.Name(response.decision)


Answer = collections.namedtuple("Answer", "thread started request_id response")


class Load:
    """`threads` client threads (a channel each) calling Authorize back to back until
    stopped. Answers and errors are kept; with `stop_on_error` a thread stops at its first
    error (for a daemon that is killed)."""

    def __init__(self, target, threads, request_factory, stop_on_error=False):
        self.target, self.factory, self.stop_on_error = target, request_factory, stop_on_error
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answers, self.errors = [], []
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, index):
        with grpc.insecure_channel(self.target) as channel:
            stub = pb_grpc.DecisionServiceStub(channel)
            while not self.stopping.is_set():
                req = self.factory(index)
                started = time.monotonic()
                try:
                    response = stub.Authorize(req, timeout=RPC_TIMEOUT)
                except grpc.RpcError as error:
                    with self.lock:
                        self.errors.append((index, req.request_id, error.code(), error.details()))
                    if self.stop_on_error:
                        return
                    time.sleep(0.01)
                    continue
                with self.lock:
                    self.answers.append(Answer(index, started, req.request_id, response))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def count(self):
        with self.lock:
            return len(self.answers)

    def wait_for_answers(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.count()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=RPC_TIMEOUT + 5)

    def __exit__(self, *exc):
        self.stop()


def burst(target, requests, concurrency):
    """Sends every request with up to `concurrency` calls in flight (grpc.aio); returns the
    responses in request order. Any failed call raises."""
    async def run():
        async with grpc.aio.insecure_channel(target) as channel:
            stub = pb_grpc.DecisionServiceStub(channel)
            gate = asyncio.Semaphore(concurrency)

            async def one(req):
                async with gate:
                    return await stub.Authorize(req, timeout=60)
            return await asyncio.gather(*(one(r) for r in requests))
    return asyncio.run(run())


# ---- decision log ---------------------------------------------------------------------------

def chain_files(active):
    """The rotated files of `active`, oldest first, then `active` (as the daemon names them)."""
    active = pathlib.Path(active)
    rotated = sorted(p for p in active.parent.iterdir()
                     if p.name.startswith(active.name + ".") and p.name[len(active.name) + 1:][:1].isdigit())
    return rotated + ([active] if active.exists() else [])


# ---- the base class -------------------------------------------------------------------------

class OperationsTest(unittest.TestCase):
    """A fresh folder per test, daemons stopped (or killed) at the end, helpers to wait and
    to check decision logs."""

    def setUp(self):
        self.world = world()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=self._testMethodName[:40] + "-", dir=self.world.root))
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.bundles = Bundles(self.world, self.dir / "versions")
        self.tokens = {}

    # -- configuration and processes --

    def write_config(self, name="crossgate.yaml", *, bundle=None, log=None, registry=None, **top):
        """The world's plaintext configuration with `policy_bundle` (dict, merged), `log`
        (decision_log keys, merged) and top-level keys replaced."""
        base = self.world.write_config(f"ops-{uuid.uuid4().hex}.yaml", mtls=False,
                                       decision_log=self.dir / "decisions.log")
        config = yaml.safe_load(base.read_text())
        base.unlink()
        if bundle:
            source = config["policy_bundle"]
            if "url" in bundle:
                source.pop("path", None)
            source.update(bundle)
        if registry:
            config["owner_registry"].update(registry)
        config["decision_log"].update(log or {})
        config.update({k: (str(v) if isinstance(v, pathlib.Path) else v) for k, v in top.items()})
        path = self.dir / name
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def start(self, config, name="daemon", preexec_fn=None):
        stderr = self.dir / f"{name}-{uuid.uuid4().hex[:6]}.stderr"
        daemon = Daemon(config, stderr, preexec_fn=preexec_fn)
        self.addCleanup(daemon.kill)
        return daemon

    def token(self, thread=0):
        """A JWT-SVID for the claims assistant, one per client thread (valid 10 minutes)."""
        if thread not in self.tokens:
            self.tokens[thread] = self.world.jwt_svid(fixture.CLAIMS_ASSISTANT, lifetime=600)
        return self.tokens[thread]

    # -- waiting --

    def wait_until(self, probe, timeout, what, interval=0.1):
        """Calls `probe` until it returns something true; fails naming `what` and the last value.

        Every wait here is for something that must happen; `timeout` is what a quiet machine
        needs, and at least MIN_WAIT_SECONDS is allowed (a sanitizer build of the daemon on
        a loaded two-CPU machine is several times slower). No test relies on a wait running
        out."""
        timeout = max(timeout, MIN_WAIT_SECONDS)
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                value = probe()
                if value:
                    return value
                last = value
            except grpc.RpcError as error:
                last = f"RpcError {error.code()}: {error.details()}"
            if time.monotonic() >= deadline:
                self.fail(f"not true after {timeout} s: {what} (last: {last!r})")
            time.sleep(interval)

    def wait_for_revision(self, daemon, revision, timeout=8):
        def probe():
            status = daemon.status()
            return status if status.policy_bundle.revision == revision else None
        return self.wait_until(probe, timeout, f"policy bundle revision {revision} active")

    def wait_for_load_failures(self, daemon, count, timeout=8):
        def probe():
            failures = daemon.metrics().value("crossgate_loads_total", 0, kind="policy-bundle", result="failure")
            return True if failures >= count else None
        self.wait_until(probe, timeout, f"{count} failed policy bundle loads")
        return daemon.metrics().value("crossgate_loads_total", 0, kind="policy-bundle", result="failure")

    # -- the decision log --

    def read_log(self, files):
        """Every record of `files` (chain order), checking that each line ends with a newline,
        is a JSON object and continues the chain (seq + 1, prev = SHA-256 of the line before;
        a chain starting at seq 1 starts from the genesis hash). Returns [(line, record)]."""
        out = []
        for path in files:
            data = pathlib.Path(path).read_bytes()
            if data:
                self.assertTrue(data.endswith(b"\n"), f"{path}: the last line is partial: {data[-200:]!r}")
            for number, raw in enumerate(data.decode().split("\n")[:-1], start=1):
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as error:
                    self.fail(f"{path}:{number}: not JSON ({error}): {raw[:200]!r}")
                if out:
                    previous_line, previous = out[-1]
                    self.assertEqual(record["seq"], previous["seq"] + 1, f"{path}:{number}: seq gap")
                    self.assertEqual(record["prev"], sha256(previous_line), f"{path}:{number}: broken chain")
                elif record["seq"] == 1:
                    self.assertEqual(record["prev"], GENESIS, f"{path}:{number}: seq 1 not from genesis")
                out.append((raw, record))
        return out

    def verify_log(self, files):
        """Checks the chain in Python and, if available, with `crossgate log verify`."""
        files = [pathlib.Path(f) for f in files]
        records = self.read_log(files)
        if has_log_verify():
            done = subprocess.run([CROSSGATE_BIN, "log", "verify", *map(str, files)],
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, f"crossgate log verify:\n{done.stdout}{done.stderr}")
            if records:
                self.assertIn(f"ok: {len(records)} records, seq {records[0][1]['seq']}..{records[-1][1]['seq']}",
                              done.stdout)
        return records


# ==== 1. reload under load =====================================================================

class ReloadUnderLoad(OperationsTest):
    """Bundle versions replaced while clients call without pause."""

    THREADS = 3

    def check_answer(self, answer, good, test_started_revisions):
        response = answer.response
        revision = response.bundle_revision
        self.assertIn(revision, good, f"{answer.request_id} answered under revision {revision}, never activated")
        version = good[revision]
        names = sorted(p.name for p in response.determining_policies)
        revision_policies = [n for n in names if n.startswith("revision-")]
        self.assertEqual(revision_policies, [f"revision-{revision}"],
                         f"{answer.request_id}: policies {names} do not belong to revision {revision}")
        if version.allows:
            self.assertEqual(decision_name(response), "ALLOW", list(response.reason_codes))
            self.assertEqual(list(response.reason_codes), [])
            self.assertEqual(names, ["claims-assistant-may-invoke-anthropic", f"revision-{revision}"])
        else:
            self.assertEqual(decision_name(response), "DENY")
            self.assertEqual(list(response.reason_codes), ["POLICY_FORBID"])
        # A call that started after a revision was seen active is answered by it or a later one.
        for seen_at, active in test_started_revisions:
            if answer.started > seen_at:
                self.assertGreaterEqual(revision, active,
                                        f"{answer.request_id} started after revision {active} was active")

    def test_reload_under_load(self):
        archive = self.dir / "bundle.tar.gz"
        v1 = self.bundles.make(1)
        publish(archive, v1.archive)
        config = self.write_config(bundle={"path": str(archive), "poll_seconds": 1},
                                   metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        # Everything is prepared before the load starts.
        v3, v2_older, v4 = self.bundles.make(3), self.bundles.make(2), self.bundles.make(4)
        v4_other = self.bundles.make(4, allows=True, label="other")
        v5_syntax = self.bundles.make(5, policy='@id("revision-5")\npermit (principal, action, resource\n')
        v6_wrong_key = self.bundles.make(6, key="registry")
        v7_tampered = self.bundles.make(7, tamper=True)
        v8 = self.bundles.make(8)
        good = {1: v1, 3: v3, 4: v4, 8: v8}
        seen = [(time.monotonic(), 1)]  # (when GetStatus showed it, revision)

        def activate(version):
            publish(archive, version.archive)
            status = self.wait_for_revision(daemon, version.revision)
            seen.append((time.monotonic(), version.revision))
            self.assertEqual(status.policy_bundle.digest, version.digest)
            self.assertEqual(status.last_load_error, "")
            return status

        def refuse(version, failures, error_pattern):
            active = seen[-1][1]
            publish(archive, version.archive)
            self.assertEqual(self.wait_for_load_failures(daemon, failures), failures)
            status = daemon.status()
            self.assertTrue(status.serving)
            self.assertEqual(status.policy_bundle.revision, active, status.last_load_error)
            self.assertEqual(status.policy_bundle.digest, good[active].digest)
            self.assertRegex(status.last_load_error, error_pattern)
            self.assertTrue(status.HasField("last_load_error_at"))
            return status

        factory = lambda thread: make_request(self.token(thread))  # noqa: E731
        with Load(daemon.target, self.THREADS, factory) as load:
            self.assertGreater(load.wait_for_answers(20), 0, "no answers before the first reload")
            activate(v3)
            refuse(v2_older, 1, r"revision 2 is lower than the active 3 \(rollback refused\)")
            activate(v4)
            refuse(v4_other, 2, r"revision 4 is already active with other content")
            refuse(v5_syntax, 3, r"policies/revision\.cedar:\d+:\d+: expected")
            refuse(v6_wrong_key, 4, r"1 valid signature required, 0 found.*unknown key")
            refuse(v7_tampered, 5, r"differs from its listed digest: policies/revision\.cedar")
            activate(v8)
            time.sleep(0.5)  # answers under the last version too
        answers = load.answers

        self.assertEqual(load.errors, [], "calls failed during reloads")
        self.assertGreaterEqual(len(answers), 100, "too little traffic to say anything")
        for answer in answers:
            self.check_answer(answer, good, seen)
        self.assertEqual({a.response.bundle_revision for a in answers}, set(good),
                         "every good revision answers some calls")
        # One client never sees an older revision after a newer one.
        for thread in range(self.THREADS):
            revisions = [a.response.bundle_revision for a in answers if a.thread == thread]
            self.assertEqual(revisions, sorted(revisions), f"thread {thread} went back to an older revision")

        metrics = daemon.metrics()
        self.assertEqual(metrics.value("crossgate_loads_total", kind="policy-bundle", result="failure"), 5)
        self.assertEqual(metrics.value("crossgate_loads_total", kind="policy-bundle", result="success"), 4)
        self.assertEqual(metrics.value("crossgate_active_revision", kind="policy-bundle"), 8)
        self.assertEqual(metrics.value("crossgate_active_version_info", kind="policy-bundle", revision="8",
                                       digest=v8.digest), 1)
        self.assertEqual(metrics.value("crossgate_grpc_calls_total", 0, method="Authorize", code="OK"),
                         len(answers))

        # The log has every answer, with the version that answered it.
        self.assertEqual(daemon.stop(), 0, daemon.output())
        records = {r["decision_id"]: r for _, r in self.verify_log([self.dir / "decisions.log"])}
        self.assertEqual(len(records), len(answers))
        for answer in answers:
            record = records[answer.response.decision_id]
            self.assertEqual(record["bundle"]["revision"], answer.response.bundle_revision)
            self.assertEqual(record["bundle"]["digest"], good[answer.response.bundle_revision].digest)
            self.assertEqual(record["decision"], decision_name(answer.response))
        output = daemon.output()
        for error in ["rollback refused", "already active with other content"]:
            self.assertIn(error, output)

    def test_sighup_reloads_without_waiting_for_the_poll(self):
        folder = self.dir / "bundle"
        shutil.copytree(self.bundles.make(1).directory, folder)
        config = self.write_config(bundle={"path": str(folder), "poll_seconds": 3600},
                                   metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        self.assertEqual(daemon.status().policy_bundle.revision, 1)
        successes = lambda: daemon.metrics().value("crossgate_loads_total", 0, kind="policy-bundle",  # noqa: E731
                                                   result="success")
        self.assertEqual(successes(), 1)

        v3 = self.bundles.make(3)
        replace_folder_contents(folder, v3.directory)
        time.sleep(1.5)
        self.assertEqual(daemon.status().policy_bundle.revision, 1, "polled although poll_seconds is 3600")
        with Load(daemon.target, 2, lambda t: make_request(self.token(t))) as load:
            load.wait_for_answers(10)
            daemon.process.send_signal(signal.SIGHUP)
            status = self.wait_for_revision(daemon, 3, timeout=5)
            self.assertEqual(status.policy_bundle.digest, v3.digest)
            time.sleep(0.3)
        self.assertEqual(load.errors, [])
        self.assertEqual({a.response.bundle_revision for a in load.answers}, {1, 3})
        self.assertIn("SIGHUP: reloading", daemon.output())
        self.assertEqual(successes(), 2)

        # SIGHUP forces a load even when nothing changed: a broken version left in place is
        # tried again (and refused again), the active one keeps serving.
        (folder / "policies" / "revision.cedar").write_text("forbid (principal,")
        failures = lambda: daemon.metrics().value("crossgate_loads_total", 0, kind="policy-bundle",  # noqa: E731
                                                  result="failure")
        for expected in (1, 2):
            daemon.process.send_signal(signal.SIGHUP)
            self.wait_until(lambda: failures() >= expected or None, 5, f"{expected} failed loads after SIGHUP")
        self.assertEqual(failures(), 2)
        status = daemon.status()
        self.assertEqual((status.policy_bundle.revision, status.serving), (3, True))
        self.assertNotEqual(status.last_load_error, "")
        self.assertEqual(daemon.stop(), 0)


# ==== 1b. a URL source ==========================================================================

class UrlSource(OperationsTest):
    """A bundle served over HTTP with an ETag, polled every second."""

    def test_etag_polling(self):
        server = BundleServer()
        self.addCleanup(server.close)
        v1 = self.bundles.make(1)
        etag1 = server.serve(v1)
        config = self.write_config(bundle={"url": server.url, "poll_seconds": 1},
                                   metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        self.assertEqual(daemon.status().policy_bundle.digest, v1.digest)
        # Unchanged: conditional requests answered 304, no second download.
        self.wait_until(lambda: sum(1 for _, s in server.seen() if s == 304) >= 3, 8, "three 304 answers")
        requests = server.seen()
        self.assertEqual(requests[0], (None, 200), "the first fetch is unconditional")
        self.assertEqual([s for _, s in requests].count(200), 1, requests)
        self.assertEqual({c for c, _ in requests[1:]}, {etag1}, "every poll sends If-None-Match")
        self.assertEqual(set(s for _, s in requests[1:]), {304})

        response = daemon.stub().Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)
        self.assertEqual((decision_name(response), response.bundle_revision), ("ALLOW", 1))

        # A new revision is fetched by the next poll (a conditional request that gets 200).
        v2 = self.bundles.make(2)
        before = len(server.seen())
        etag2 = server.serve(v2)
        status = self.wait_for_revision(daemon, 2, timeout=6)
        self.assertEqual(status.policy_bundle.digest, v2.digest)
        after = server.seen()[before:]
        self.assertIn((etag1, 200), after)
        self.wait_until(lambda: (etag2, 304) in server.seen(), 5, "a 304 for the new ETag")
        response = daemon.stub().Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)
        self.assertEqual((decision_name(response), list(response.reason_codes), response.bundle_revision),
                         ("DENY", ["POLICY_FORBID"], 2))

        # A server error keeps the active version and is reported.
        server.fail(503)
        self.wait_until(lambda: "503" in daemon.status().last_load_error, 5, "the 503 in last_load_error")
        status = daemon.status()
        self.assertEqual((status.policy_bundle.revision, status.serving), (2, True))
        metrics = daemon.metrics()
        self.assertGreaterEqual(metrics.value("crossgate_loads_total", kind="policy-bundle", result="failure"), 1)
        self.assertEqual(metrics.value("crossgate_loads_total", kind="policy-bundle", result="success"), 2)
        self.assertEqual(daemon.stop(), 0)


# ==== 2. cold start from the last good copy ====================================================

class ColdStart(OperationsTest):
    """A restart whose source cannot be used serves the copy saved in state_dir."""

    def saved_manifest(self, state):
        return yaml.safe_load((state / "last-good-policy-bundle" / "manifest.yaml").read_text())

    def run_first_daemon(self, config, activate_next):
        """Starts, moves to revision 3, stops: revision 3 is the last good copy."""
        daemon = self.start(config, "first")
        self.assertEqual(daemon.status().policy_bundle.revision, 1)
        v3 = self.bundles.make(3)
        activate_next(v3)
        self.wait_for_revision(daemon, 3)
        self.assertEqual(daemon.stop(), 0, daemon.output())
        return v3

    def assert_serves_saved(self, daemon, version):
        self.assertEqual(daemon.health(), health_pb2.HealthCheckResponse.SERVING)
        status = daemon.status()
        self.assertTrue(status.serving)
        self.assertEqual((status.policy_bundle.revision, status.policy_bundle.digest),
                         (version.revision, version.digest))
        self.assertEqual(list(status.policy_bundle.signer_key_ids), [self.world.policy_key_id])
        response = daemon.stub().Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)
        self.assertEqual((decision_name(response), response.bundle_revision), ("ALLOW", version.revision))
        self.assertIn("serving the last good policy-bundle", daemon.output())

    def test_deleted_path_source(self):
        archive, state = self.dir / "bundle.tar.gz", self.dir / "state"
        publish(archive, self.bundles.make(1).archive)
        config = self.write_config(bundle={"path": str(archive), "poll_seconds": 1}, state_dir=state)
        v3 = self.run_first_daemon(config, lambda v: publish(archive, v.archive))
        self.assertEqual(self.saved_manifest(state)["revision"], 3)

        archive.unlink()
        time.sleep(1.5)
        daemon = self.start(config, "second")
        self.assert_serves_saved(daemon, v3)
        # The saved copy is as old as its saving, not as the restart (staleness counts it).
        self.assertGreaterEqual(daemon.status().policy_bundle.age_seconds, 1)
        self.wait_until(lambda: "not found" in daemon.status().last_load_error, 5,
                        "the missing source in last_load_error")
        # The source comes back with a new revision: it is picked up.
        v4 = self.bundles.make(4)
        publish(archive, v4.archive)
        self.assertEqual(self.wait_for_revision(daemon, 4).policy_bundle.digest, v4.digest)
        self.assertEqual(self.saved_manifest(state)["revision"], 4)
        self.assertEqual(daemon.stop(), 0)

    def test_url_source_failing_with_500(self):
        server = BundleServer()
        self.addCleanup(server.close)
        state = self.dir / "state"
        server.serve(self.bundles.make(1))
        config = self.write_config(bundle={"url": server.url, "poll_seconds": 1}, state_dir=state)
        v3 = self.run_first_daemon(config, server.serve)

        server.fail(500)
        daemon = self.start(config, "second")
        self.assert_serves_saved(daemon, v3)
        self.wait_until(lambda: "500" in daemon.status().last_load_error, 5, "HTTP 500 in last_load_error")
        # The server recovers with the same version: nothing changes; then a new revision is
        # activated.
        server.serve(v3)
        time.sleep(2.5)
        self.assertEqual(daemon.status().policy_bundle.revision, 3)
        v5 = self.bundles.make(5)
        server.serve(v5)
        self.assertEqual(self.wait_for_revision(daemon, 5).policy_bundle.digest, v5.digest)
        self.assertEqual(daemon.stop(), 0)

    def test_tampered_saved_copy_is_not_served(self):
        archive, state = self.dir / "bundle.tar.gz", self.dir / "state"
        publish(archive, self.bundles.make(1).archive)
        config = self.write_config(bundle={"path": str(archive), "poll_seconds": 1}, state_dir=state)
        self.run_first_daemon(config, lambda v: publish(archive, v.archive))
        archive.unlink()
        saved_policy = state / "last-good-policy-bundle" / "policies" / "revision.cedar"
        saved_policy.write_text(saved_policy.read_text().replace("permit", "forbid"))

        daemon = self.start(config, "second")
        self.assertEqual(daemon.health(), health_pb2.HealthCheckResponse.NOT_SERVING)
        status = daemon.status()
        self.assertFalse(status.serving)
        self.assertNotEqual(status.last_load_error, "")
        with self.assertRaises(grpc.RpcError) as raised:
            daemon.stub().Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertNotIn("serving the last good", daemon.output())
        # A good source brings it up.
        v4 = self.bundles.make(4)
        publish(archive, v4.archive)
        self.wait_for_revision(daemon, 4)
        # The health status follows the activation (GetStatus may show it first).
        self.wait_until(lambda: daemon.health() == health_pb2.HealthCheckResponse.SERVING,
                        5, "health SERVING")
        self.assertEqual(daemon.stop(), 0)


# ==== 3. staleness ==============================================================================

class Staleness(OperationsTest):
    """max_staleness_seconds with a URL source that starts failing."""

    MAX_STALENESS = 3

    def test_stale_policy_denies_until_the_source_answers_again(self):
        server = BundleServer()
        self.addCleanup(server.close)
        v1 = self.bundles.make(1)
        server.serve(v1)
        config = self.write_config(bundle={"url": server.url, "poll_seconds": 1},
                                   registry={"poll_seconds": 1},
                                   max_staleness_seconds=self.MAX_STALENESS,
                                   metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        stub = daemon.stub()
        ask = lambda: stub.Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)  # noqa: E731
        # Fresh for longer than the limit while the source answers (304s confirm it).
        time.sleep(self.MAX_STALENESS + 1.5)
        response = ask()
        self.assertEqual(decision_name(response), "ALLOW", list(response.reason_codes))
        self.assertLess(daemon.metrics().value("crossgate_active_version_age_seconds", kind="policy-bundle"),
                        self.MAX_STALENESS)

        server.fail(500)
        failed_at = time.monotonic()
        stale = self.wait_until(lambda: (r := ask()).decision == pb.DENY and r, self.MAX_STALENESS + 6,
                                "a STALE_POLICY denial", interval=0.2)
        # The last confirmation was at most one poll before the failure began.
        self.assertGreaterEqual(time.monotonic() - failed_at, self.MAX_STALENESS - 1.2)
        self.assertEqual(list(stale.reason_codes), ["STALE_POLICY"])
        self.assertFalse(stale.HasField("obligations"))
        self.assertEqual(stale.bundle_revision, 1)

        status = daemon.status()
        self.assertTrue(status.serving)
        self.assertIn("500", status.last_load_error)
        self.assertEqual(status.policy_bundle.revision, 1)
        self.assertTrue(status.policy_bundle.HasField("confirmed_at"), "GetStatus has no confirmed_at")
        self.assertGreater(status.policy_bundle.age_seconds, self.MAX_STALENESS - 1)
        self.assertLessEqual(status.policy_bundle.age_seconds, time.monotonic() - failed_at + 2)
        metrics = daemon.metrics()
        self.assertGreater(metrics.value("crossgate_active_version_age_seconds", kind="policy-bundle"),
                           self.MAX_STALENESS)
        self.assertLess(metrics.value("crossgate_active_version_age_seconds", kind="owner-registry"),
                        self.MAX_STALENESS)
        self.assertGreaterEqual(metrics.value("crossgate_decision_reasons_total", reason="STALE_POLICY"), 1)

        # Back: the next poll (a 304) confirms the version and decisions are ALLOW again.
        server.serve(v1)
        recovered = self.wait_until(lambda: (r := ask()).decision == pb.ALLOW and r, 6, "ALLOW again",
                                    interval=0.2)
        self.assertEqual(list(recovered.reason_codes), [])
        self.assertLess(daemon.metrics().value("crossgate_active_version_age_seconds", kind="policy-bundle"),
                        self.MAX_STALENESS)
        # The source is current again, so the error is gone from GetStatus.
        self.assertEqual(daemon.status().last_load_error, "")
        self.assertEqual(daemon.stop(), 0)
        records = [r for _, r in self.verify_log([self.dir / "decisions.log"])]
        by_id = {r["decision_id"]: r for r in records}
        self.assertEqual(by_id[stale.decision_id]["reasons"], ["STALE_POLICY"])
        self.assertIn("STALE_POLICY", " ".join(by_id[stale.decision_id]["notes"]))


    def test_a_broken_new_version_does_not_keep_the_old_one_fresh(self):
        server = BundleServer()
        self.addCleanup(server.close)
        server.serve(self.bundles.make(1))
        config = self.write_config(bundle={"url": server.url, "poll_seconds": 1},
                                   registry={"poll_seconds": 1},
                                   max_staleness_seconds=self.MAX_STALENESS)
        daemon = self.start(config)
        stub = daemon.stub()
        ask = lambda: stub.Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)  # noqa: E731
        self.assertEqual(decision_name(ask()), "ALLOW")
        # The source now answers (and then answers 304 for) a version that fails to verify:
        # revision 1 is no longer what the source holds, so it ages.
        server.serve(self.bundles.make(2, tamper=True))
        stale = self.wait_until(lambda: (r := ask()).decision == pb.DENY and r, self.MAX_STALENESS + 6,
                                "a STALE_POLICY denial", interval=0.2)
        self.assertEqual(list(stale.reason_codes), ["STALE_POLICY"])
        self.assertEqual(stale.bundle_revision, 1)
        self.assertNotEqual(daemon.status().last_load_error, "")
        # A good new revision is fresh again.
        server.serve(self.bundles.make(3))
        self.wait_for_revision(daemon, 3)
        self.assertEqual(decision_name(ask()), "ALLOW")
        self.assertEqual(daemon.status().last_load_error, "")
        self.assertEqual(daemon.stop(), 0)


# ==== 4. kill -9 under load =====================================================================

class CrashRecovery(OperationsTest):
    """kill -9 while clients call: nothing answered is missing from the log."""

    THREADS = 4

    def kill_under_load_and_restart(self, durability):
        log_path = self.dir / "decisions.log"
        config = self.write_config(log={"durability": durability}, metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config, "first")
        counter = iter(range(1 << 62))
        # Two ALLOWs, then a DENY (no evidence), so that records differ.
        factory = lambda t: make_request(self.token(t) if next(counter) % 3 else None)  # noqa: E731
        # A first round, then the metrics while nothing is in flight (they are consistent).
        with Load(daemon.target, self.THREADS, factory) as warmup:
            self.assertGreaterEqual(warmup.wait_for_answers(100), 100, "the load did not get going")
        self.assertEqual(warmup.errors, [])
        metrics = daemon.metrics()
        with Load(daemon.target, self.THREADS, factory, stop_on_error=True) as load:
            self.assertGreaterEqual(load.wait_for_answers(100), 100, "the load did not get going")
            self.assertEqual(daemon.kill(), -signal.SIGKILL)
            for t in load.threads:
                t.join(timeout=RPC_TIMEOUT + 5)
        answers = warmup.answers + load.answers
        self.assertEqual(len(load.errors), self.THREADS, "every client thread ends at an error")
        syncs = metrics.value("crossgate_decision_log_fsync_seconds_count", 0)
        batches = metrics.value("crossgate_decision_log_batch_records_count")
        self.assertEqual(metrics.value("crossgate_decision_log_batch_records_sum"),
                         metrics.value("crossgate_decision_log_records_total"))
        if durability == "fsync":
            # Every batch (group commit: the records that arrived during the previous sync)
            # is synced once.
            self.assertGreater(syncs, 0, "fsync durability without a single fdatasync")
            self.assertEqual(syncs, batches)
        else:
            self.assertEqual(syncs, 0)

        records = self.verify_log([log_path])
        self.assertEqual(records[0][1]["seq"], 1)
        logged = {r["decision_id"]: r for _, r in records}
        missing = [a.request_id for a in answers if a.response.decision_id not in logged]
        self.assertEqual(missing, [], f"{len(missing)} answered decisions are not in the log")
        for answer in answers:
            record = logged[answer.response.decision_id]
            self.assertEqual((record["request_id"], record["decision"], record["reasons"]),
                             (answer.request_id, decision_name(answer.response), list(answer.response.reason_codes)))
        self.assertEqual(len(logged), len(records), "a decision id is in the log twice")
        unanswered = len(records) - len(answers)
        self.assertGreaterEqual(unanswered, 0)
        self.assertLessEqual(unanswered, self.THREADS, "more records than calls in flight")

        # A restart on the same log continues its chain.
        last_line, last = records[-1]
        daemon = self.start(config, "second")
        stub = daemon.stub()
        fresh = [stub.Authorize(make_request(self.token()), timeout=RPC_TIMEOUT) for _ in range(5)]
        self.assertEqual(daemon.stop(), 0, daemon.output())
        after = self.verify_log([log_path])
        self.assertEqual([line for line, _ in after[:len(records)]], [line for line, _ in records])
        continued = [r for _, r in after[len(records):]]
        self.assertEqual([r["decision_id"] for r in continued], [a.decision_id for a in fresh])
        self.assertEqual(continued[0]["seq"], last["seq"] + 1)
        self.assertEqual(continued[0]["prev"], sha256(last_line))
        return len(answers), unanswered

    def test_kill_9_with_process_durability(self):
        self.kill_under_load_and_restart("process")

    def test_kill_9_with_fsync_durability(self):
        self.kill_under_load_and_restart("fsync")


# ==== 5. the log cannot grow ====================================================================

class DiskFull(OperationsTest):
    """When the decision log cannot be written, answers are DENY (LOG_UNAVAILABLE); when it
    can again, they are not, and the chain goes on."""

    def call(self, daemon, req):
        try:
            return daemon.stub().Authorize(req, timeout=RPC_TIMEOUT)
        except grpc.RpcError as error:
            try:
                daemon.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            code = daemon.process.returncode
            died = (f"the daemon died: {signal.Signals(-code).name}" if code is not None and code < 0
                    else f"the daemon exited with {code}" if code is not None else "the daemon is still running")
            self.fail(f"Authorize failed with {error.code()} ({error.details()}); {died}\n{daemon.output()}")

    def fill_until_unavailable(self, daemon, max_requests=600):
        """ALLOW answers until the first LOG_UNAVAILABLE denial: (allowed, denial)."""
        allowed = []
        for _ in range(max_requests):
            req = make_request(self.token())
            response = self.call(daemon, req)
            if decision_name(response) != "ALLOW":
                return allowed, response
            allowed.append(response)
        self.fail(f"no LOG_UNAVAILABLE after {max_requests} requests")

    @staticmethod
    def long_id():
        """A request id that makes a record too big for whatever room the record that did not
        fit left (less than one record; at most 2048 bytes are allowed)."""
        return f"ops-long-{uuid.uuid4().hex}-" + "x" * 1900

    def check_unavailable_then_recover(self, daemon, log_path, make_room, size_limit=None):
        allowed, denial = self.fill_until_unavailable(daemon)
        self.assertGreater(len(allowed), 5)
        self.assertEqual(list(denial.reason_codes), ["LOG_UNAVAILABLE"])
        self.assertEqual(decision_name(denial), "DENY")
        self.assertFalse(denial.HasField("obligations"))
        self.assertNotEqual(denial.decision_id, "")
        denials = [denial]
        for _ in range(4):
            response = self.call(daemon, make_request(self.token(), request_id=self.long_id()))
            self.assertEqual((decision_name(response), list(response.reason_codes)), ("DENY", ["LOG_UNAVAILABLE"]))
            denials.append(response)
        # A request denied anyway keeps its own reasons, and LOG_UNAVAILABLE comes last.
        response = self.call(daemon, make_request(request_id=self.long_id()))
        self.assertEqual(list(response.reason_codes), UNATTRIBUTED_REASONS + ["LOG_UNAVAILABLE"])
        denials.append(response)
        self.assertTrue(daemon.alive())

        metrics = daemon.metrics()
        self.assertEqual(metrics.value("crossgate_log_unavailable_denials_total"), len(denials))
        self.assertEqual(metrics.value("crossgate_decision_reasons_total", reason="LOG_UNAVAILABLE"), len(denials))
        self.assertGreaterEqual(metrics.value("crossgate_decision_log_write_failures_total"), len(denials))
        self.assertEqual(metrics.value("crossgate_decisions_total", decision="ALLOW"), len(allowed))
        self.assertEqual(metrics.value("crossgate_decisions_total", decision="DENY"), len(denials))
        self.assertEqual(metrics.value("crossgate_decision_log_records_total"), len(allowed))

        # Nothing partial was left: the file is whole lines, exactly the answered records.
        if size_limit is not None:
            self.assertLessEqual(log_path.stat().st_size, size_limit)
        records = self.verify_log([log_path])
        self.assertEqual([r["decision_id"] for _, r in records], [a.decision_id for a in allowed])
        self.assertEqual(log_path.stat().st_size, sum(len(line) + 1 for line, _ in records))

        make_room()
        response = self.call(daemon, make_request(self.token()))
        self.assertEqual((decision_name(response), list(response.reason_codes)), ("ALLOW", []))
        more = [self.call(daemon, make_request(self.token())) for _ in range(3)]
        self.assertEqual(daemon.stop(), 0, daemon.output())
        after = self.verify_log([log_path])
        self.assertEqual([r["decision_id"] for _, r in after],
                         [a.decision_id for a in allowed + [response] + more])
        self.assertEqual(after[len(records)][1]["prev"], sha256(records[-1][0]))
        return len(allowed), len(denials)

    def test_file_size_limit(self):
        """RLIMIT_FSIZE: write(2) fails with EFBIG (if SIGXFSZ does not kill the daemon first);
        raising the limit of the running process (prlimit) brings the log back."""
        limit = 40 * 1024
        log_path = self.dir / "decisions.log"
        config = self.write_config(metrics={"address": "127.0.0.1:0"})
        # Only the limit is set: SIGXFSZ keeps its default action (terminate), as under a
        # real `ulimit -f`; the daemon must cope with that itself.
        set_limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))  # noqa: E731
        daemon = self.start(config, preexec_fn=set_limit)
        self.check_unavailable_then_recover(
            daemon, log_path, size_limit=limit,
            make_room=lambda: resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE,
                                               (resource.RLIM_INFINITY, resource.RLIM_INFINITY)))

    def test_full_filesystem(self):
        """A small tmpfs filled up (ENOSPC); removing a filler file makes room."""
        if os.geteuid() != 0 or not shutil.which("mount"):
            self.skipTest("mounting a tmpfs needs root")
        mount = self.dir / "tmpfs"
        mount.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(mount)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs: {done.stderr.strip()}")

        def unmount():
            if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(mount)], capture_output=True)
        self.addCleanup(unmount)
        filler = mount / "filler"
        stat = os.statvfs(mount)
        free = stat.f_bavail * stat.f_frsize
        filler.write_bytes(b"\0" * (free - 40 * 1024))
        log_path = mount / "decisions.log"
        config = self.write_config(log={"path": str(log_path)}, metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        self.check_unavailable_then_recover(daemon, log_path, make_room=filler.unlink)


# ==== 6. rotation and retention =================================================================

class Rotation(OperationsTest):
    """rotate_bytes and retain_files; files chained by log-start records."""

    BURST = 2000

    def run_load(self, daemon, answers, threads=3):
        with Load(daemon.target, threads, lambda t: make_request(self.token(t))) as load:
            self.assertGreaterEqual(load.wait_for_answers(answers), answers)
        self.assertEqual(load.errors, [])
        return load.answers

    def check_file_links(self, files):
        """Each file after the first starts with a log-start record naming the file before
        and chained to its last line."""
        for older, newer in zip(files, files[1:]):
            last_line = older.read_text().split("\n")[-2]
            first_line = newer.read_text().split("\n")[0]
            first = json.loads(first_line)
            self.assertEqual(first["type"], "log-start", f"{newer.name} does not start with log-start")
            self.assertEqual(first["previous_file"], older.name)
            self.assertEqual(first["prev"], sha256(last_line))
            self.assertEqual(first["seq"], json.loads(last_line)["seq"] + 1)
            self.assertNotIn("decision_id", first)

    def test_rotation_and_retention(self):
        log_path = self.dir / "decisions.log"
        rotate_bytes, retain = 4096, 3
        config = self.write_config(log={"rotate_bytes": rotate_bytes, "retain_files": retain},
                                   metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        answers = self.run_load(daemon, 80)
        rotations = daemon.metrics().value("crossgate_decision_log_rotations_total")
        self.assertGreater(rotations, retain + 1, "too few rotations for retention to delete files")
        self.assertEqual(daemon.stop(), 0, daemon.output())

        files = chain_files(log_path)
        rotated = files[:-1]
        self.assertEqual(files[-1], log_path)
        self.assertEqual(len(rotated), retain, [f.name for f in files])
        for f in rotated:
            self.assertRegex(f.name, r"^decisions\.log\.\d{8}T\d{6}\.\d{3}Z$")
            self.assertGreaterEqual(f.stat().st_size, rotate_bytes, f"{f.name} rotated before rotate_bytes")
        self.assertTrue((self.dir / "decisions.log.head").exists())
        self.check_file_links(files)
        records = self.verify_log(files)
        # The oldest file kept starts with the log-start naming a file deleted by retention.
        first = records[0][1]
        self.assertEqual(first["type"], "log-start")
        self.assertFalse((self.dir / first["previous_file"]).exists())
        self.assertGreater(first["seq"], 1)
        # Retention deleted whole files: every answer is either in the kept files or older
        # than all of them; the kept files hold no record that was not answered.
        logged = {r["decision_id"] for _, r in records if "decision_id" in r}
        answered = [a.response.decision_id for a in answers]
        self.assertLessEqual(logged, set(answered))
        deleted_files = rotations - retain
        deleted_decisions = (first["seq"] - 1) - (deleted_files - 1)  # minus their log-start lines
        self.assertEqual(len(answered) - len(logged), deleted_decisions)

    def test_fast_rotation_loses_nothing(self):
        """Many rotations in a short time, nothing deleted: every record of the chain from
        seq 1 is in some file, and one file per rotation."""
        log_path = self.dir / "decisions.log"
        config = self.write_config(log={"rotate_bytes": 4096, "retain_files": 0},
                                   metrics={"address": "127.0.0.1:0"})
        daemon = self.start(config)
        # Many calls in flight make batches of records that fill a file each, so that
        # several rotations fall within one millisecond (rotated files are named by it).
        # A batch holds up to one record per call in flight: at least BURST / 64 rotations.
        requests = [make_request(self.token()) for _ in range(self.BURST)]
        answers = burst(daemon.target, requests, concurrency=64)
        rotations = daemon.metrics().value("crossgate_decision_log_rotations_total")
        self.assertEqual(daemon.stop(), 0, daemon.output())
        files = chain_files(log_path)
        self.assertGreaterEqual(rotations, self.BURST / 64)
        self.assertEqual(len(files) - 1, rotations, "a rotated file was overwritten or lost")
        self.check_file_links(files)
        records = self.verify_log(files)
        self.assertEqual(records[0][1]["seq"], 1)
        self.assertEqual(sorted(r["decision_id"] for _, r in records if "decision_id" in r),
                         sorted(a.decision_id for a in answers))


# ==== 7. Prometheus =============================================================================

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus(OperationsTest):
    """The /metrics output passes promtool, and a real Prometheus scrapes it."""

    ALLOWS, DENIES = 7, 4

    def traffic(self, daemon):
        stub = daemon.stub()
        for _ in range(self.ALLOWS):
            self.assertEqual(decision_name(stub.Authorize(make_request(self.token()), timeout=RPC_TIMEOUT)), "ALLOW")
        for _ in range(self.DENIES):
            self.assertEqual(decision_name(stub.Authorize(make_request(), timeout=RPC_TIMEOUT)), "DENY")
        stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_TIMEOUT)

    def test_promtool_check_metrics(self):
        promtool = shutil.which("promtool") or ("/usr/bin/promtool" if os.path.exists("/usr/bin/promtool") else None)
        if promtool is None:
            self.skipTest("promtool is not installed (Debian package prometheus; scripts/setup.sh installs it)")
        daemon = self.start(self.write_config(metrics={"address": "127.0.0.1:0"}))
        self.traffic(daemon)
        text = daemon.metrics_text()
        done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual((done.stdout + done.stderr).strip(), "", "promtool has complaints")
        metrics = Metrics(text)
        self.assertEqual(metrics.value("crossgate_decisions_total", decision="ALLOW"), self.ALLOWS)
        self.assertEqual(metrics.value("crossgate_decisions_total", decision="DENY"), self.DENIES)
        self.assertEqual(metrics.value("crossgate_decision_log_records_total"), self.ALLOWS + self.DENIES)
        self.assertEqual(metrics.value("crossgate_serving"), 1)
        self.assertIn("# TYPE crossgate_decisions_total counter", text)
        self.assertIn("# TYPE crossgate_decision_latency_seconds histogram", text)
        self.assertEqual(metrics.value("crossgate_decision_latency_seconds_count"), self.ALLOWS + self.DENIES)
        self.assertEqual(daemon.stop(), 0)

    def test_prometheus_scrapes_the_daemon(self):
        binary = shutil.which("prometheus") or ("/usr/bin/prometheus" if os.path.exists("/usr/bin/prometheus") else None)
        if binary is None:
            self.skipTest("prometheus is not installed (Debian package prometheus; scripts/setup.sh installs it)")
        daemon = self.start(self.write_config(metrics={"address": "127.0.0.1:0"}))
        self.traffic(daemon)
        config = self.dir / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "crossgate", "scrape_interval": "1s", "scrape_timeout": "1s",
                                "static_configs": [{"targets": [f"127.0.0.1:{daemon.metrics_port}"]}]}],
        }))
        port = free_port()
        output = self.dir / "prometheus.out"
        with open(output, "wb") as out:
            prometheus = subprocess.Popen(
                [binary, f"--config.file={config}", f"--storage.tsdb.path={self.dir / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{port}"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

        def shut_down():
            if prometheus.poll() is None:
                prometheus.terminate()
                try:
                    prometheus.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    prometheus.kill()
                    prometheus.wait()
        self.addCleanup(shut_down)

        def query(expression):
            if prometheus.poll() is not None:
                self.fail(f"prometheus exited with {prometheus.returncode}:\n{output.read_text(errors='replace')}")
            url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    answer = json.loads(r.read())
            except OSError:
                return None
            self.assertEqual(answer["status"], "success", answer)
            return {tuple(sorted(s["metric"].items())): float(s["value"][1]) for s in answer["data"]["result"]}

        def single(expression):
            result = query(expression)
            return next(iter(result.values())) if result and len(result) == 1 else None

        self.wait_until(lambda: single('up{job="crossgate"}') == 1, 60, 'up{job="crossgate"} == 1', interval=0.5)
        self.wait_until(lambda: single('crossgate_decisions_total{job="crossgate",decision="ALLOW"}') is not None,
                        10, "crossgate_decisions_total scraped", interval=0.5)
        self.assertEqual(single('crossgate_decisions_total{job="crossgate",decision="ALLOW"}'), self.ALLOWS)
        self.assertEqual(single('crossgate_decisions_total{job="crossgate",decision="DENY"}'), self.DENIES)
        self.assertEqual(single('sum(crossgate_decisions_total{job="crossgate"})'), self.ALLOWS + self.DENIES)
        self.assertEqual(single('crossgate_active_revision{job="crossgate",kind="policy-bundle"}'), 1)
        # More traffic shows up in the next scrapes.
        self.traffic(daemon)
        self.wait_until(lambda: single('crossgate_decisions_total{job="crossgate",decision="ALLOW"}') == 2 * self.ALLOWS,
                        10, "the second round of traffic scraped", interval=0.5)
        shut_down()
        self.assertEqual(prometheus.returncode, 0, output.read_text(errors="replace"))
        self.assertEqual(daemon.stop(), 0)


if __name__ == "__main__":
    unittest.main()
