#!/usr/bin/python3
"""deploy/prometheus/crossgate-alerts.yaml is complete: every alert has a severity, a summary,
a description and a runbook_url whose anchor is a heading of docs/operations.md, and
crossgate-alerts.test.yaml (run by `promtool test rules`) has a case where it fires and one
where it does not.

  alert_rules_test.py
"""
import pathlib
import re
import sys
import unittest

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "crossgate-alerts.yaml"
TESTS = ROOT / "deploy" / "prometheus" / "crossgate-alerts.test.yaml"
RUNBOOK = ROOT / "docs" / "operations.md"


def github_anchors(markdown):
    """The anchors GitHub gives a Markdown file's headings."""
    anchors, seen = set(), {}
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        m = None if in_code else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


class AlertRules(unittest.TestCase):
    def setUp(self):
        self.rules = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
        self.alerts = [r for r in self.rules if "alert" in r]

    def test_every_rule_is_documented(self):
        anchors = github_anchors(RUNBOOK.read_text())
        names = [r["alert"] for r in self.alerts]
        self.assertEqual(len(names), len(set(names)), "alert names repeat")
        for rule in self.alerts:
            with self.subTest(alert=rule["alert"]):
                self.assertIn(rule.get("labels", {}).get("severity"),
                              {"critical", "warning", "info"})
                annotations = rule.get("annotations", {})
                for key in ("summary", "description", "runbook_url"):
                    self.assertTrue(annotations.get(key), f"no {key}")
                url = annotations["runbook_url"]
                self.assertRegex(url, r"^docs/operations\.md#[a-z0-9-]+$")
                anchor = url.split("#", 1)[1]
                self.assertIn(anchor, anchors, f"docs/operations.md has no heading #{anchor}")
                self.assertEqual(anchor, rule["alert"].lower(),
                                 "the runbook section is named after the alert")

    def test_runbook_links_resolve(self):
        text = RUNBOOK.read_text()
        anchors = github_anchors(text)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            with self.subTest(link=target):
                path, _, anchor = target.partition("#")
                if re.match(r"[a-z]+://", path):
                    continue
                file = RUNBOOK if not path else (RUNBOOK.parent / path).resolve()
                if not path.startswith("../../shared/"):  # shared/ is beside the checkout
                    self.assertTrue(file.exists(), f"{target}: no such file")
                if anchor and file.suffix == ".md" and file.exists():
                    have = anchors if file == RUNBOOK else github_anchors(file.read_text())
                    self.assertIn(anchor, have, f"{target}: no such heading")

    def test_every_alert_fires_and_stays_quiet_in_the_unit_tests(self):
        doc = yaml.safe_load(TESTS.read_text())
        self.assertEqual(doc["rule_files"], [RULES.name])
        firing, quiet = set(), set()
        for case in doc["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
        for rule in self.alerts:
            with self.subTest(alert=rule["alert"]):
                self.assertIn(rule["alert"], firing, "no test case where it fires")
                self.assertIn(rule["alert"], quiet, "no test case where it stays quiet")
        self.assertGreaterEqual(len(self.alerts), 9)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
