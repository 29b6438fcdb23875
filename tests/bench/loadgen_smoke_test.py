#!/usr/bin/python3
"""Smoke test of the load benchmark's tools (not a timed test): crossgate_loadgen runs for
about a second against the real daemon (mTLS, the example configuration copied to a
temporary folder) and the real echo server, and must report sane numbers: a non-zero rate,
p50 <= p99 <= p99.9, no errors, and the decisions the request mix expects. A mix with a
wrong expectation and an unusable mix must be reported, not hidden.

Environment: CROSSGATE_BIN, CROSSGATE_LOADGEN, CROSSGATE_ECHO_SERVER (the programs).
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import load_benchmark as lb  # noqa: E402

SHORT = dict(duration=1, warmup=0.2, connections=2, outstanding=4)


class LoadgenSmokeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crossgate-loadgen-smoke-")
        cls.bins = lb.Binaries(os.environ["CROSSGATE_BIN"], os.environ["CROSSGATE_LOADGEN"],
                               os.environ["CROSSGATE_ECHO_SERVER"])
        cls.world = lb.World(pathlib.Path(cls.tmp.name), cls.bins.crossgate)
        cls.daemon = lb.start_daemon(cls.bins, cls.world, tls=True)
        cls.echo = lb.start_echo(cls.bins, cls.world, tls=True)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.echo.stop()
        cls.tmp.cleanup()

    def run_loadgen(self, server, target, **options):
        return lb.loadgen(self.bins, self.world, server, target, True, **(SHORT | options))

    def assert_sane(self, run):
        self.assertEqual(run["errors"], 0, json.dumps(run))
        self.assertGreater(run["calls"], 0)
        self.assertGreater(run["calls_per_s"], 0)
        self.assertEqual(run["ok"], run["calls"])
        self.assertLessEqual(run["p50_us"], run["p99_us"])
        self.assertLessEqual(run["p99_us"], run["p999_us"])
        self.assertLessEqual(run["p999_us"], run["max_us"])
        self.assertGreater(run["p50_us"], 0)

    def test_authorize_closed_loop(self):
        run = self.run_loadgen(self.daemon, "authorize")
        self.assert_sane(run)
        self.assertEqual(run["mode"], "closed")
        self.assertEqual(run["decisions"], run["calls"])
        self.assertEqual(run["wrong_decisions"], 0)
        # The mix holds both answers: the realistic share of denials is really sent.
        self.assertGreater(run["allows"], 0)
        self.assertLess(run["allows"], run["decisions"])
        # Every answer is a record in the decision log.
        log = self.world.dir / "state" / "decisions-mtls.log"
        self.assertGreaterEqual(sum(1 for _ in open(log)), run["calls"])

    def test_authorize_open_loop(self):
        run = self.run_loadgen(self.daemon, "authorize", rate=200)
        self.assert_sane(run)
        self.assertEqual(run["mode"], "open")
        self.assertEqual(run["rate_target"], 200)
        self.assertGreaterEqual(run["max_send_lag_us"], 0)

    def test_batch_counts_every_decision(self):
        run = self.run_loadgen(self.daemon, "batch", batch_size=20)
        self.assert_sane(run)
        self.assertEqual(run["decisions"], 20 * run["calls"])
        self.assertGreater(run["decisions_per_s"], run["calls_per_s"])

    def test_ext_authz_check(self):
        run = self.run_loadgen(self.daemon, "check")
        self.assert_sane(run)
        self.assertEqual(run["decisions"], run["calls"])
        self.assertEqual(run["wrong_decisions"], 0)
        self.assertGreater(run["allows"], 0)
        self.assertLess(run["allows"], run["decisions"])

    def test_echo_answers_the_asked_size(self):
        run = self.run_loadgen(self.echo, "echo", echo_response_bytes=700)
        self.assert_sane(run)
        self.assertGreaterEqual(run["response_bytes_mean"], 700)

    def test_a_wrong_expectation_is_counted_as_an_error(self):
        mix = self.world.dir / "authorize-mtls.jsonl"
        flipped = self.world.dir / "flipped.jsonl"
        lines = [json.loads(line) for line in mix.read_text().splitlines()]
        for entry in lines:
            entry["expect"] = "DENY" if entry["expect"] == "ALLOW" else "ALLOW"
        flipped.write_text("".join(json.dumps(e) + "\n" for e in lines))
        done = subprocess.run([self.bins.loadgen, "--address", self.daemon.address, "--target", "authorize",
                               "--mix", str(flipped), "--duration", "0.3", "--warmup", "0",
                               *self.world.client_tls()], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        run = json.loads(done.stdout)
        self.assertGreater(run["wrong_decisions"], 0)
        self.assertEqual(run["errors"], run["wrong_decisions"])

    def test_an_unusable_mix_names_its_line(self):
        bad = self.world.dir / "bad.jsonl"
        bad.write_text('{"request": {"action": "Converse"}}\n{"request": {"no_such_field": 1}}\n')
        done = subprocess.run([self.bins.loadgen, "--address", self.daemon.address, "--target", "authorize",
                               "--mix", str(bad)], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 2)
        self.assertIn("bad.jsonl:2", done.stderr)
        self.assertIn("AuthorizeRequest", done.stderr)


if __name__ == "__main__":
    unittest.main()
