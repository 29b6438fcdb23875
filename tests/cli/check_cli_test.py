"""`crossgate check` on the signed example and on broken copies of it made here: every exit
status, each lint rule, a validation error, failing and unreadable bundle tests, the coverage
gate, waivers, the JSON document, and the JUnit file read back with a real XML parser.

Each test copies deploy/example (bundle, registry, keys, configuration) into a temporary
folder, changes what it needs and re-signs with `crossgate sign` and the EXAMPLE keys, or
drops signatures.json and passes --allow-unsigned.

    CROSSGATE_BIN=build/x/server/crossgate /usr/bin/python3 -m unittest check_cli_test
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

import yaml

CROSSGATE_BIN = os.environ.get("CROSSGATE_BIN", "")
ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "example"
EXAMPLE_WAIVERS = ["registry/duplicate-identity=reporting-adhoc",
                   "registry/account-without-owner=555566667777"]
EXAMPLE_POLICIES = 7
EXAMPLE_CASES = 13
LINT_RULES = [
    "registry/duplicate-identity", "registry/workload-without-owner",
    "registry/account-without-owner", "registry/unknown-owner", "bundle/without-owner",
    "registry/trust-without-approver", "registry/trust-without-expiry",
    "registry/grant-too-long", "registry/grant-unapproved", "registry/grant-self-approved",
    "registry/unknown-workload", "registry/unknown-account"]


def run(*args):
    return subprocess.run([CROSSGATE_BIN, "check", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


class World:
    """A copy of the example in a temporary folder."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        for name in ("bundle", "registry", "keys"):
            shutil.copytree(EXAMPLE / name, self.root / name)
        shutil.copy(EXAMPLE / "crossgate.yaml", self.root / "crossgate.yaml")
        self.bundle, self.registry = self.root / "bundle", self.root / "registry"
        self.config = self.root / "crossgate.yaml"

    def sign(self, directory, key="EXAMPLE-policy-owner.key.pem", kind="policy-bundle"):
        (directory / "signatures.json").unlink(missing_ok=True)
        subprocess.run([CROSSGATE_BIN, "sign", "--dir", directory, "--key",
                        self.root / "keys" / key, "--kind", kind],
                       check=True, capture_output=True, timeout=60)

    def edit(self, path, old, new):
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1))

    def check(self, *args, waivers=True):
        extra = ["--waive", *EXAMPLE_WAIVERS] if waivers else []
        return run("--bundle", self.bundle, "--config", self.config, *extra, *args)


class CheckTest(unittest.TestCase):

    def setUp(self):
        if not CROSSGATE_BIN:
            self.skipTest("CROSSGATE_BIN is not set")
        directory = tempfile.TemporaryDirectory(prefix="crossgate-check-")
        self.addCleanup(directory.cleanup)
        self.world = World(directory.name)
        self.tmp = pathlib.Path(directory.name)

    def assertExit(self, result, status):
        self.assertEqual(result.returncode, status,
                         f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")

    def json_report(self, *args, status, **options):
        result = self.world.check("--format", "json", *args, **options)
        self.assertExit(result, status)
        return json.loads(result.stdout)

    def junit(self, *args, status, **options):
        path = self.tmp / "report.xml"
        result = self.world.check("--junit", path, *args, **options)
        self.assertExit(result, status)
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "testsuites")
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(sorted(suites), ["bundle tests", "lint", "validation"])
        for suite in suites.values():
            cases = suite.findall("testcase")
            self.assertEqual(int(suite.get("tests")), len(cases))
            self.assertEqual(int(suite.get("failures")),
                             sum(1 for c in cases if c.find("failure") is not None))
        return suites, result

    def unsigned(self, *directories):
        for directory in directories:
            (directory / "signatures.json").unlink()


class Example(CheckTest):
    """The example as published passes, with full coverage, in every output form."""

    def test_text(self):
        result = self.world.check("--min-coverage", "100")
        self.assertExit(result, 0)
        out = result.stdout
        self.assertIn("bundle    bedrock-cross-boundary revision 1 digest", out)
        self.assertIn("(signed by 1 key)", out)
        self.assertIn(f"validation: {EXAMPLE_POLICIES} policies, 0 errors", out)
        self.assertIn("lint: 2 findings (2 waived)", out)
        self.assertIn("waived: registry/duplicate-identity", out)
        self.assertIn(f"bundle tests: {EXAMPLE_CASES} cases, {EXAMPLE_CASES} passed, 0 failed", out)
        self.assertIn(f"coverage: {EXAMPLE_POLICIES} of {EXAMPLE_POLICIES} policies", out)
        self.assertTrue(out.rstrip().endswith("result: PASS"), out)

    def test_json(self):
        report = self.json_report("--min-coverage", "100", status=0)
        self.assertEqual(report["summary"]["result"], "pass")
        self.assertEqual(report["summary"]["exit_status"], 0)
        self.assertTrue(report["bundle"]["signed"])
        self.assertEqual(len(report["validation"]), EXAMPLE_POLICIES)
        self.assertEqual(len(report["tests"]), EXAMPLE_CASES)
        self.assertTrue(all(t["passed"] for t in report["tests"]))
        self.assertEqual(report["coverage"]["uncovered"], [])
        self.assertEqual(report["coverage"]["percent"], 100.0)
        self.assertEqual({f["rule"] for f in report["findings"]},
                         {"registry/duplicate-identity", "registry/account-without-owner"})
        self.assertTrue(all(f["waived"] for f in report["findings"]))
        shared = next(f for f in report["findings"] if f["rule"] == "registry/duplicate-identity")
        self.assertTrue(shared["file"].endswith("registry/workloads.yaml"), shared)
        self.assertEqual(shared["record_id"], "reporting-adhoc")
        self.assertGreater(shared["line"], 0)
        self.assertIn("shared-reporting", shared["message"])

    def test_junit(self):
        suites, _ = self.junit("--min-coverage", "100", status=0)
        self.assertEqual(len(suites["validation"].findall("testcase")), EXAMPLE_POLICIES)
        names = [c.get("name") for c in suites["validation"].findall("testcase")]
        self.assertIn("claims-assistant-may-invoke-anthropic (invocation.cedar:policy0)", names)
        lint = {c.get("name"): c for c in suites["lint"].findall("testcase")}
        self.assertEqual(sorted(lint), sorted(LINT_RULES))
        self.assertIsNotNone(lint["registry/duplicate-identity"].find("skipped"))
        self.assertEqual(suites["lint"].get("skipped"), "2")
        cases = suites["bundle tests"].findall("testcase")
        self.assertEqual(len(cases), EXAMPLE_CASES + 1)  # and "policy coverage"
        self.assertEqual(cases[-1].get("name"), "policy coverage")
        for suite in suites.values():
            self.assertEqual(suite.get("failures"), "0")

    def test_unwaived_findings_fail(self):
        result = self.world.check(waivers=False)
        self.assertExit(result, 1)
        self.assertIn("registry/duplicate-identity", result.stdout)
        self.assertIn("registry/account-without-owner", result.stdout)
        self.assertIn("workload `reporting-adhoc`", result.stdout)
        self.assertIn("result: FAIL: 2 lint findings", result.stdout)

    def test_stale_waiver_is_warned_about(self):
        result = self.world.check("--waive", "registry/grant-too-long=nothing")
        self.assertExit(result, 0)
        self.assertIn("--waive registry/grant-too-long=nothing matched no finding", result.stderr)


class Signatures(CheckTest):
    """Unusable input: exit status 2 with the reason."""

    def test_bundle_signed_with_the_registry_key(self):
        self.world.sign(self.world.bundle, key="EXAMPLE-registry.key.pem")
        result = self.world.check()
        self.assertExit(result, 2)
        self.assertIn("cannot load the policy bundle", result.stderr)
        self.assertIn("signature", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_test_file_edited_after_signing(self):
        # The tests are covered by the signature like the policies.
        self.world.edit(self.world.bundle / "tests" / "invocation.yaml", "decision: DENY",
                        "decision: ALLOW")
        result = self.world.check()
        self.assertExit(result, 2)
        self.assertIn("tests/invocation.yaml", result.stderr)

    def test_test_file_added_after_signing(self):
        (self.world.bundle / "tests" / "extra.yaml").write_text("cases: []\n")
        result = self.world.check()
        self.assertExit(result, 2)
        self.assertIn("tests/extra.yaml", result.stderr)

    def test_unsigned_needs_allow_unsigned(self):
        self.unsigned(self.world.bundle)
        self.assertExit(self.world.check(), 2)
        result = self.world.check("--allow-unsigned")
        self.assertExit(result, 0)
        self.assertIn("UNSIGNED", result.stderr)


class Unusable(CheckTest):

    def test_missing_bundle(self):
        result = run("--bundle", self.tmp / "nope", "--config", self.world.config)
        self.assertExit(result, 2)
        self.assertIn("nope", result.stderr)

    def test_manifest_does_not_parse(self):
        self.world.edit(self.world.bundle / "manifest.yaml", "revision: 1", "revision: [1")
        self.unsigned(self.world.bundle)
        result = self.world.check("--allow-unsigned")
        self.assertExit(result, 2)
        self.assertIn("manifest.yaml:", result.stderr)

    def test_policy_does_not_parse(self):
        self.world.edit(self.world.bundle / "policies" / "emergency.cedar", "forbid (", "forbid ((")
        self.unsigned(self.world.bundle)
        result = self.world.check("--allow-unsigned")
        self.assertExit(result, 2)
        self.assertIn("emergency.cedar:", result.stderr)

    def test_bad_options(self):
        for args in (["--config", self.world.config],                      # no --bundle
                     ["--bundle", self.world.bundle],                        # no keys
                     ["--bundle", self.world.bundle, "--config", self.world.config,
                      "--format", "xml"],
                     ["--bundle", self.world.bundle, "--config", self.world.config,
                      "--min-coverage", "101"],
                     ["--bundle", self.world.bundle, "--config", self.world.config,
                      "--waive", "registry/no-such-rule"],
                     ["--bogus"]):
            with self.subTest(args=args):
                result = run(*args)
                self.assertExit(result, 2)
                self.assertIn("usage: crossgate check", result.stderr)

    def test_help(self):
        result = run("--help")
        self.assertExit(result, 0)
        self.assertIn("Exit status: 0 clean; 1 lint findings", result.stdout)


class Lint(CheckTest):
    """A registry with one broken record per rule: each rule fires, on its record."""

    def break_everything(self):
        reg, w = self.world.registry, self.world
        w.edit(reg / "workloads.yaml", "    identity_owner: team-data-science\n", "")
        w.edit(reg / "workloads.yaml", "identity_owner: team-reporting\n    status: retired",
               "identity_owner: team-nobody\n    status: retired")
        w.edit(reg / "accounts.yaml", "    platform_owner: team-data-science\n", "")
        w.edit(reg / "trust.yaml", "    approved_by: jane.doe\n", "")
        w.edit(reg / "trust.yaml", "    expires_at: 2030-01-01T00:00:00Z\n", "", )
        w.edit(reg / "trust.yaml", "workload: churn-model-dev", "workload: churn-model-gone")
        w.edit(reg / "trust.yaml", 'source_account: "777788889999"',
               'source_account: "123412341234"')
        grants = (reg / "emergency.yaml").read_text()
        grant = grants[grants.index("  - id: eg-2026-0042"):]
        (reg / "emergency.yaml").write_text(
            grants
            + grant.replace("eg-2026-0042", "eg-self").replace("approved_by: carol.jones",
                                                               "approved_by: bob.smith")
            + grant.replace("eg-2026-0042", "eg-long").replace("04:00:00Z", "09:00:00Z")
            + grant.replace("eg-2026-0042", "eg-unapproved").replace(
                "    approved_by: carol.jones\n", "")
            + grant.replace("eg-2026-0042", "eg-nobody").replace(
                "workload: claims-assistant-prod", "workload: ghost"))
        w.edit(self.world.bundle / "manifest.yaml",
               "policy_owner:\n  id: team-ai-governance\n  name: AI Governance\n"
               "  contact: ai-governance@example.com\n", "")
        self.unsigned(self.world.bundle, reg)

    def test_every_rule(self):
        self.break_everything()
        report = self.json_report("--allow-unsigned", status=1, waivers=False)
        found = {}
        for f in report["findings"]:
            self.assertFalse(f["waived"])
            self.assertTrue(f["message"], f)
            self.assertTrue(f["record"], f)
            found.setdefault(f["rule"], []).append(f)
        self.assertEqual(sorted(found), sorted(LINT_RULES))
        expect = {
            "registry/workload-without-owner": ("workloads.yaml", "churn-model-dev"),
            "registry/unknown-owner": ("workloads.yaml", "legacy-batch"),
            "registry/duplicate-identity": ("workloads.yaml", "reporting-adhoc"),
            "registry/account-without-owner": ("accounts.yaml", "777788889999"),
            "bundle/without-owner": ("bundle/manifest.yaml", "bedrock-cross-boundary"),
            "registry/trust-without-approver": ("trust.yaml", "trust-claims-to-genai"),
            "registry/trust-without-expiry": ("trust.yaml", "trust-claims-to-genai"),
            "registry/unknown-workload": ("trust.yaml", "trust-churn-to-genai"),
            "registry/grant-self-approved": ("emergency.yaml", "eg-self"),
            "registry/grant-too-long": ("emergency.yaml", "eg-long"),
            "registry/grant-unapproved": ("emergency.yaml", "eg-unapproved"),
        }
        for rule, (file, record) in expect.items():
            with self.subTest(rule=rule):
                hits = [f for f in found[rule] if f["record_id"] == record]
                self.assertEqual(len(hits), 1, found[rule])
                self.assertTrue(hits[0]["file"].endswith(file), hits[0])
        records = {f["record_id"] for f in found["registry/unknown-account"]}
        self.assertEqual(records, {"trust-churn-to-genai"})
        workloads = {f["record_id"] for f in found["registry/unknown-workload"]}
        self.assertEqual(workloads, {"trust-churn-to-genai", "eg-nobody"})
        # The line is the record's: the trust record without approver starts on line 2.
        no_approver = found["registry/trust-without-approver"][0]
        self.assertEqual(no_approver["line"], 2)

    def test_junit_lists_findings_per_rule(self):
        self.break_everything()
        suites, _ = self.junit("--allow-unsigned", status=1, waivers=False)
        lint = {c.get("name"): c for c in suites["lint"].findall("testcase")}
        for rule in LINT_RULES:
            with self.subTest(rule=rule):
                failure = lint[rule].find("failure")
                self.assertIsNotNone(failure)
        long = lint["registry/grant-too-long"].find("failure")
        self.assertIn("emergency.yaml:", long.text)
        self.assertIn("emergency grant `eg-long`", long.text)
        self.assertIn("32400 s", long.get("message"))

    def test_rule_waived_whole(self):
        self.break_everything()
        report = self.json_report("--allow-unsigned", "--waive", *LINT_RULES, status=1,
                                  waivers=False)
        self.assertTrue(all(f["waived"] for f in report["findings"]))
        # What still fails is the bundle tests: the broken owners make every case DENY.
        self.assertEqual(report["summary"]["findings"], 0)
        self.assertEqual(report["summary"]["waived_findings"], len(report["findings"]))
        self.assertGreater(report["summary"]["tests_failed"], 0)


class Validation(CheckTest):

    def test_validation_error_is_located(self):
        self.world.edit(self.world.bundle / "policies" / "invocation.cedar",
                        'resource.provider == "amazon"', 'resource.provder == "amazon"')
        self.world.sign(self.world.bundle)
        result = self.world.check()
        self.assertExit(result, 1)
        self.assertRegex(result.stdout,
                         r"error: \S+/policies/invocation\.cedar:25:\d+: policy "
                         r"analytics-may-use-amazon-models \(invocation\.cedar:policy2\): "
                         r"UnsafeAttributeAccess: ")
        self.assertIn("1 validation errors", result.stdout)
        report = self.json_report(status=1)
        bad = [p for p in report["validation"] if p["errors"]]
        self.assertEqual(len(bad), 1)
        self.assertEqual(bad[0]["name"], "analytics-may-use-amazon-models")
        self.assertEqual(bad[0]["errors"][0]["kind"], "UnsafeAttributeAccess")
        self.assertEqual(bad[0]["errors"][0]["line"], 25)
        suites, _ = self.junit(status=1)
        failed = [c for c in suites["validation"].findall("testcase")
                  if c.find("failure") is not None]
        self.assertEqual([c.get("name") for c in failed],
                         ["analytics-may-use-amazon-models (invocation.cedar:policy2)"])
        self.assertEqual(failed[0].find("failure").get("type"), "UnsafeAttributeAccess")


class BundleTests(CheckTest):

    def test_failing_case_has_a_diff(self):
        self.world.edit(self.world.bundle / "tests" / "invocation.yaml",
                        "      decision: DENY\n      reasons: [POLICY_NO_PERMIT]",
                        "      decision: ALLOW\n      reasons: [POLICY_NO_PERMIT]")
        self.world.sign(self.world.bundle)
        result = self.world.check()
        self.assertExit(result, 1)
        self.assertRegex(result.stdout, r"FAIL \S+/tests/invocation\.yaml:\d+  the claims "
                                        r"assistant may not call Amazon models")
        self.assertIn("decision: expected ALLOW, got DENY", result.stdout)
        self.assertIn("result: FAIL: 1 failing tests", result.stdout)
        suites, _ = self.junit(status=1)
        failed = [c for c in suites["bundle tests"].findall("testcase")
                  if c.find("failure") is not None]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0].get("classname"), "bundle tests.invocation.yaml")
        self.assertIn("expected ALLOW, got DENY", failed[0].find("failure").text)

    def test_unreadable_case_and_xml_escaping(self):
        (self.world.bundle / "tests" / "odd.yaml").write_text(
            'time: 2026-11-27T12:00:00Z\ncases:\n'
            '  - name: "<&\\"quotes\\" & \'apostrophes\'>"\n'
            '    principal: {evidence: jwt-svid, spiffe_id: "spiffe://example.org/x"}\n'
            '    request: {api: Converse, resource: "anthropic.claude-3-haiku-20240307-v1:0",'
            ' source_account: "111122223333", source_region: us-east-1,'
            ' target_account: "444455556666", target_region: us-east-1}\n'
            '    expect: {decision: ALLOW}\n'
            '  - name: misspelt\n'
            '    principal: {evidence: jwt-svid}\n'
            '    request: {api: Converse, resource: x}\n'
            '    expect: {decison: ALLOW}\n')
        self.world.sign(self.world.bundle)
        suites, result = self.junit(status=1)
        cases = {c.get("name"): c for c in suites["bundle tests"].findall("testcase")}
        odd = cases["<&\"quotes\" & 'apostrophes'>"]
        self.assertIn("expected ALLOW, got DENY", odd.find("failure").text)
        misspelt = cases["misspelt"].find("failure").text
        self.assertIn("odd.yaml:10:", misspelt)
        self.assertIn("decison", misspelt)
        self.assertEqual(suites["bundle tests"].get("failures"), "2")


class Coverage(CheckTest):

    def drop_emergency_tests(self):
        (self.world.bundle / "tests" / "emergency.yaml").unlink()
        self.world.sign(self.world.bundle)

    def test_gate(self):
        self.drop_emergency_tests()
        result = self.world.check("--min-coverage", "100")
        self.assertExit(result, 1)
        self.assertIn("coverage: 6 of 7 policies", result.stdout)
        self.assertIn("not covered: emergency-is-models-only", result.stdout)
        self.assertIn("result: FAIL: coverage 85.7% below 100.0%", result.stdout)
        suites, _ = self.junit("--min-coverage", "100", status=1)
        coverage = [c for c in suites["bundle tests"].findall("testcase")
                    if c.get("name") == "policy coverage"][0]
        self.assertIn("emergency-is-models-only", coverage.find("failure").text)
        self.assertExit(self.world.check("--min-coverage", "85"), 0)
        self.assertExit(self.world.check(), 0)  # no gate, no failure

    def test_no_tests_at_all(self):
        shutil.rmtree(self.world.bundle / "tests")
        self.world.sign(self.world.bundle)
        result = self.world.check("--min-coverage", "1")
        self.assertExit(result, 1)
        self.assertIn("(the bundle has no tests/*.yaml)", result.stdout)
        self.assertIn("coverage: 0 of 7 policies", result.stdout)


class Workflow(unittest.TestCase):
    """The GitHub Actions example runs check with a JUnit report, then replay."""

    def test_workflow(self):
        path = ROOT / "deploy" / "github-actions" / "bundle-check.yml"
        doc = yaml.safe_load(path.read_text())
        on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
        self.assertIn("pull_request", on)
        self.assertTrue(any("bundle" in p for p in on["pull_request"]["paths"]))
        runs = "\n".join(step.get("run", "") for step in doc["jobs"]["check"]["steps"])
        self.assertRegex(runs, r"crossgate check [^\n]*\\\n[^\n]*--junit")
        self.assertIn("crossgate replay --log", runs)
        self.assertIn("cmake --build", runs)


if __name__ == "__main__":
    unittest.main()
