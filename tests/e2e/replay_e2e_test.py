"""End-to-end test of `crossgate replay`: the real daemon records decisions, then the
command replays its log against a candidate bundle.

The daemon (`crossgate serve`, plaintext on 127.0.0.1 port 0) runs bundle A, the signed
example bundle of a fixture.py world, with a decision log that rotates every few records,
so the log is several files and each but the first begins with a "log-start" record. A known set
of requests is sent over Python grpcio, the daemon is stopped, and the log is replayed:

  - against candidate B, an unsigned copy of A without the forbid
    `restricted-data-stays-in-its-region` and with the anthropic permit admitting
    restricted data but no longer confidential data: exactly the expected decisions change,
    in the expected direction; JSON and text output; exit status 1;
  - against A itself: nothing changes; exit status 0;
  - with unusable input: exit status 2 and the reason.

Environment: CROSSGATE_BIN (the crossgate binary); PYTHONPATH must hold the generated
modules (build/default/proto/python) and this folder. Run with /usr/bin/python3.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import unittest

import grpc
import yaml

import fixture
from crossgate.v1 import decision_pb2_grpc as pb_grpc
# The daemon runner and request builders of the Python end-to-end suite.
from test_daemon_python import HAIKU, RPC_TIMEOUT, Daemon, decision_name, oidc, request, svid

CROSSGATE_BIN = os.environ.get("CROSSGATE_BIN", "")

PROFILE = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"  # processes in three US regions
NOVA_PROFILE = "us.amazon.nova-pro-v1:0"
GUARDRAIL = "arn:aws:bedrock:us-east-1:444455556666:guardrail/abc123def456"
EU_HAIKU = "arn:aws:bedrock:eu-central-1::foundation-model/" + HAIKU
GENAI_EU = "999900001111"
THREE_HOPS = [("claims-assistant-prod", "agent"), ("claims-deploy-pipeline", "tool"),
              ("claims-assistant-prod", "tool")]

# What each request is under A, and what becomes of it under B.
UNCHANGED, ALLOW_TO_DENY, DENY_TO_ALLOW, REASONS_CHANGED = (
    "unchanged", "allow_to_deny", "deny_to_allow", "reasons_changed")


def replay(*args, stdin=None):
    return subprocess.run([CROSSGATE_BIN, "replay", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=60)


class Replay(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not CROSSGATE_BIN:
            raise unittest.SkipTest("CROSSGATE_BIN is not set")
        directory = tempfile.TemporaryDirectory(prefix="crossgate-replay-e2e-")
        cls.addClassCleanup(directory.cleanup)
        cls.world = fixture.World.create(directory.name, CROSSGATE_BIN)
        cls.log = cls.world.root / "state" / "replay.log"
        cls.config = cls.world.write_config("replay.yaml", mtls=False, decision_log=cls.log)
        # Rotate as often as allowed (records are about 2 KB): the log becomes several files.
        document = yaml.safe_load(cls.config.read_text())
        document["decision_log"]["rotate_bytes"] = 4096
        cls.config.write_text(yaml.safe_dump(document, sort_keys=False))
        cls.expected = cls.record_decisions()
        cls.candidate = cls.make_candidate_b()

    # ---- the recorded world ----------------------------------------------------------------

    @classmethod
    def requests(cls):
        """(request, decision and reasons under A, what B makes of it)."""
        w = cls.world
        claims = lambda: svid(w.jwt_svid(fixture.CLAIMS_ASSISTANT))  # noqa: E731
        return [
            (request(claims(), request_id="internal", resource=PROFILE), ("ALLOW", []), UNCHANGED),
            (request(claims(), request_id="confidential", data_classification="confidential"),
             ("ALLOW", []), ALLOW_TO_DENY),
            (request(claims(), request_id="restricted-profile", resource=PROFILE,
                     data_classification="restricted"), ("DENY", ["POLICY_FORBID"]), DENY_TO_ALLOW),
            (request(claims(), request_id="restricted-local", data_classification="restricted"),
             ("DENY", ["POLICY_NO_PERMIT"]), DENY_TO_ALLOW),
            (request(claims(), request_id="restricted-nova", resource=NOVA_PROFILE,
                     data_classification="restricted"),
             ("DENY", ["POLICY_FORBID"]), REASONS_CHANGED),
            (request(svid(w.jwt_svid(fixture.UNREGISTERED)), request_id="unregistered"),
             ("DENY", ["UNATTRIBUTED", "NO_EXPLICIT_TRUST"]), UNCHANGED),
            (request(svid(w.jwt_svid(fixture.CHURN_MODEL)), request_id="dev-into-prod",
                     source_account="777788889999"), ("DENY", None), UNCHANGED),
            (request(svid(w.jwt_svid(fixture.CLAIMS_ASSISTANT, lifetime=300, issued_ago=900)),
                     request_id="expired-token"), ("DENY", None), UNCHANGED),
            (request(oidc(w.github_token()), request_id="pipeline", action="ApplyGuardrail",
                     resource=GUARDRAIL), ("ALLOW", []), UNCHANGED),
            # Decided at its recorded time, the emergency grant is still inside its window.
            (request(claims(), request_id="emergency", resource=EU_HAIKU, target_account=GENAI_EU,
                     target_region="eu-central-1", emergency_grant_id=fixture.VALID_GRANT),
             ("ALLOW", []), UNCHANGED),
            (request(claims(), request_id="chain-with-ticket", call_chain=THREE_HOPS,
                     context={"ticket": "CHG-1"}), ("ALLOW", []), UNCHANGED),
            (request(claims(), request_id="chain-without-ticket", call_chain=THREE_HOPS),
             ("DENY", ["POLICY_FORBID"]), UNCHANGED),
        ]

    @classmethod
    def record_decisions(cls):
        """Runs the daemon under A for the requests; {kind: {decision id: request id}}."""
        expected = {UNCHANGED: {}, ALLOW_TO_DENY: {}, DENY_TO_ALLOW: {}, REASONS_CHANGED: {}}
        daemon = Daemon(cls.config, cls.world.root / "replay.stderr")
        try:
            with grpc.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
                stub = pb_grpc.DecisionServiceStub(channel)
                for req, (decision, reasons), kind in cls.requests():
                    response = stub.Authorize(req, timeout=RPC_TIMEOUT)
                    # The premise: A decides as the test expects.
                    got = (decision_name(response), list(response.reason_codes))
                    if got[0] != decision or (reasons is not None and got[1] != reasons):
                        raise AssertionError(f"{req.request_id}: under A {got}, expected "
                                             f"{(decision, reasons)}")
                    expected[kind][response.decision_id] = req.request_id
                    # Rotated files are named by the millisecond: keep them apart.
                    time.sleep(0.01)
        finally:
            status = daemon.stop()
        if status != 0:
            raise AssertionError(f"crossgate serve exited with {status}:\n{daemon.output()}")
        return expected

    @classmethod
    def make_candidate_b(cls):
        candidate = cls.world.root / "candidate-b"
        shutil.copytree(cls.world.bundle_dir, candidate,
                        ignore=shutil.ignore_patterns("signatures.json"))
        boundaries = candidate / "policies" / "boundaries.cedar"
        text = boundaries.read_text()
        forbid = ('@id("restricted-data-stays-in-its-region")\n'
                  "forbid (principal, action, resource)\n"
                  'when { context.crossRegion && context.dataClassification == "restricted" };\n')
        assert forbid in text
        boundaries.write_text(text.replace(forbid, ""))
        invocation = candidate / "policies" / "invocation.cedar"
        text = invocation.read_text()
        assert 'context.dataClassification != "restricted"' in text
        invocation.write_text(text.replace('context.dataClassification != "restricted"',
                                           'context.dataClassification != "confidential"'))
        return candidate

    def log_files(self):
        """The rotated files, oldest first (their names sort by time), then the active one."""
        return sorted(str(p) for p in self.log.parent.glob(self.log.name + ".2*")) + [str(self.log)]

    def expected_count(self, kind):
        return len(self.expected[kind])

    # ---- the tests -----------------------------------------------------------------------

    def test_the_log_is_rotated_with_log_start_records(self):
        files = self.log_files()
        self.assertGreater(len(files), 2)
        starts = [json.loads(pathlib.Path(f).read_text().splitlines()[0]) for f in files[1:]]
        self.assertTrue(all(s.get("type") == "log-start" for s in starts), starts)

    def test_candidate_b_json_names_exactly_the_changed_decisions(self):
        result = replay("--log", *self.log_files(), "--bundle", self.candidate,
                        "--config", self.config, "--allow-unsigned", "--format", "json")
        self.assertEqual(result.returncode, 1, result.stderr)
        report = json.loads(result.stdout)
        counts = report["counts"]
        total = len(self.requests())
        self.assertEqual(counts["replayed"], total)
        self.assertEqual(counts["unchanged"], self.expected_count(UNCHANGED))
        self.assertEqual(counts["allow_to_deny"], self.expected_count(ALLOW_TO_DENY))
        self.assertEqual(counts["deny_to_allow"], self.expected_count(DENY_TO_ALLOW))
        self.assertEqual(counts["reasons_changed"], self.expected_count(REASONS_CHANGED))
        self.assertEqual(counts["now_refused"], 0)
        self.assertEqual(counts["unreadable"], 0)
        self.assertEqual(counts["skipped"], len(self.log_files()) - 1)  # the log-start lines
        self.assertEqual(report["gate"], "fail")
        for kind in (ALLOW_TO_DENY, DENY_TO_ALLOW, REASONS_CHANGED):
            listed = {c["decision_id"]: c["request_id"] for c in report["changes"][kind]}
            self.assertEqual(listed, self.expected[kind], kind)
        self.assertEqual(report["changes"]["now_refused"], [])

        (lost,) = report["changes"][ALLOW_TO_DENY]
        self.assertEqual(lost["workload"], "claims-assistant-prod")
        self.assertEqual(lost["action"], "bedrock:InvokeModel")
        self.assertEqual(lost["before"]["decision"], "ALLOW")
        self.assertEqual(lost["after"], {"decision": "DENY", "reasons": ["POLICY_NO_PERMIT"],
                                         "determining_policies": []})
        (nova,) = report["changes"][REASONS_CHANGED]
        self.assertEqual(nova["before"]["reasons"], ["POLICY_FORBID"])
        self.assertEqual(nova["after"]["reasons"], ["POLICY_NO_PERMIT"])
        for gained in report["changes"][DENY_TO_ALLOW]:
            self.assertEqual([p["name"] for p in gained["after"]["determining_policies"]],
                             ["claims-assistant-may-invoke-anthropic"])

        bundle = report["candidate"]["bundle"]
        self.assertEqual(bundle["name"], "bedrock-cross-boundary")
        self.assertFalse(bundle["signed"])
        self.assertNotEqual(bundle["digest"], self.world.bundle_digest)
        self.assertEqual(report["candidate"]["registry"]["digest"], self.world.registry_digest)
        self.assertIn("WARNING: --allow-unsigned", result.stderr)

    def test_candidate_b_text_lists_the_changes_under_their_kind(self):
        result = replay("--log", *self.log_files(), "--bundle", self.candidate,
                        "--config", self.config, "--allow-unsigned")
        self.assertEqual(result.returncode, 1, result.stderr)
        out = result.stdout
        self.assertIn("result: FAIL", out)
        sections = {"ALLOW -> DENY:": ALLOW_TO_DENY, "DENY -> ALLOW:": DENY_TO_ALLOW,
                    "reasons changed:": REASONS_CHANGED}
        current, seen = None, {kind: set() for kind in sections.values()}
        for line in out.splitlines():
            title = next((t for t in sections if line.startswith(t)), None)
            if title:
                current = sections[title]
                self.assertEqual(line, f"{title} {self.expected_count(current)}")
            elif current and line.startswith("  ") and not line.startswith("    "):
                seen[current].add(line.split()[0])
            elif not line.strip():
                current = None
        for kind in seen:
            self.assertEqual(seen[kind], set(self.expected[kind]), kind)
        self.assertIn("ALLOW -> DENY [POLICY_NO_PERMIT]", out)
        self.assertIn("DENY [POLICY_FORBID] -> DENY [POLICY_NO_PERMIT]", out)
        self.assertIn(f"records replayed        {len(self.requests())}", out)

    def test_bundle_a_against_its_own_log_changes_nothing(self):
        result = replay("--log", *self.log_files(), "--bundle", self.world.bundle_dir,
                        "--config", self.config, "--format", "json")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["counts"]["replayed"], len(self.requests()))
        self.assertEqual(report["counts"]["unchanged"], len(self.requests()))
        self.assertEqual(report["gate"], "pass")
        self.assertTrue(all(v == [] for v in report["changes"].values()), report["changes"])
        self.assertEqual(report["candidate"]["bundle"]["digest"], self.world.bundle_digest)
        self.assertTrue(report["candidate"]["bundle"]["signed"])
        self.assertNotIn("WARNING", result.stderr)

    def test_the_log_on_stdin(self):
        text = "".join(pathlib.Path(f).read_text() for f in self.log_files())
        result = replay("--log", "-", "--bundle", self.world.bundle_dir, "--config", self.config,
                        stdin=text)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("result: PASS", result.stdout)
        self.assertIn(f"  unchanged             {len(self.requests())}", result.stdout)

    def test_unusable_input_is_exit_status_2(self):
        logs = self.log_files()
        # The unsigned candidate without --allow-unsigned: the loader's message.
        result = replay("--log", *logs, "--bundle", self.candidate, "--config", self.config)
        self.assertEqual(result.returncode, 2)
        self.assertIn("signatures.json is missing", result.stderr)
        result = replay("--log", self.world.root / "absent.log", "--bundle", self.world.bundle_dir,
                        "--config", self.config)
        self.assertEqual(result.returncode, 2)
        self.assertIn("absent.log: no such file", result.stderr)
        result = replay("--log", *logs, "--bundle", self.world.bundle_dir, "--config", self.config,
                        "--format", "yaml")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--format must be text or json", result.stderr)
        # A file of nothing but unreadable lines is the wrong file, never a pass.
        garbage = self.world.root / "garbage.log"
        garbage.write_bytes(b"\x1f\x8b\x08 not a log\n")
        result = replay("--log", garbage, "--bundle", self.world.bundle_dir,
                        "--config", self.config)
        self.assertEqual(result.returncode, 2)
        self.assertIn("no decision record could be read", result.stderr)


if __name__ == "__main__":
    unittest.main()
