#!/usr/bin/python3
"""The Grafana dashboard and the alert rules use only metrics the daemon really exports.

  dashboard_metrics_test.py CROSSGATE PYTHON_PROTO_DIR [PROMTOOL]

Starts the real daemon (`crossgate serve`) on a copy of deploy/example/crossgate.yaml with the
gRPC and metrics addresses on 127.0.0.1 port 0, sends it two requests with
deploy/example/first_request.py (an ALLOW and a DENY), reads /metrics, stops it with SIGTERM
(exit 0), does the same without requests on deploy/example/crossgate-mtls.yaml (for the TLS
metrics), and checks:
  - deploy/grafana/crossgate-dashboard.json parses, has unique panel ids, and every PromQL
    expression in it names only metrics present in /metrics (a histogram's _bucket, _sum and
    _count included), with label names those metrics carry;
  - every expression parses as PromQL (promtool check rules, on a rules file made of them
    with Grafana's variables replaced);
  - deploy/prometheus/crossgate-alerts.yaml uses only metrics present in /metrics (or `up`).
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "example"
DASHBOARD = ROOT / "deploy" / "grafana" / "crossgate-dashboard.json"
ALERTS = ROOT / "deploy" / "prometheus" / "crossgate-alerts.yaml"
CROSSGATE, PROTO_DIR = sys.argv[1], sys.argv[2]
PROMTOOL = sys.argv[3] if len(sys.argv) > 3 else shutil.which("promtool")

# PromQL words that are not metric names.
FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes",
    "clamp", "clamp_max", "clamp_min", "count", "count_over_time", "count_values", "delta",
    "deriv", "exp", "floor", "group", "histogram_quantile", "holt_winters", "idelta", "increase",
    "irate", "label_join", "label_replace", "last_over_time", "ln", "log2", "log10", "max",
    "max_over_time", "min", "min_over_time", "predict_linear", "quantile", "quantile_over_time",
    "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev",
    "stdvar", "sum", "sum_over_time", "time", "timestamp", "topk", "vector",
}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "offset", "bool", "inf", "nan"}
# Labels Prometheus adds at scrape time, and the histogram bucket label.
TARGET_LABELS = {"job", "instance"}


def grafana_to_promql(expr):
    """Grafana's variables replaced so that the expression is plain PromQL."""
    return (expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
            .replace("$__range", "1h").replace("$job", ".*").replace("$instance", ".*"))


def scrape(config_name="crossgate.yaml", ask=True):
    """The daemon's /metrics text, after an ALLOW and a DENY when `ask`: {family: type},
    {name: labels}. The mTLS example has no metrics section: one is added."""
    work = pathlib.Path(tempfile.mkdtemp())
    daemon = None
    try:
        shutil.copytree(EXAMPLE, work / "example")
        shutil.rmtree(work / "example" / "state", ignore_errors=True)
        config = work / "example" / config_name
        text = config.read_text()
        if "\nmetrics:" not in text:
            text += "metrics:\n  address: 127.0.0.1:9464\n"
        text, count = re.subn(r"(?m)^(  address: 127\.0\.0\.1:)\d+$", r"\g<1>0", text)
        assert count == 2, f"expected the listen and metrics addresses in {config_name}"
        config.write_text(text)
        with open(work / "daemon.err", "w") as err:
            daemon = subprocess.Popen([CROSSGATE, "serve", "--config", str(config)], stderr=err)
        port = metrics_port = None
        for _ in range(200):
            log = (work / "daemon.err").read_text()
            m = re.search(r"serving on 127\.0\.0\.1:(\d+)", log)
            mm = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", log)
            if m and mm:
                port, metrics_port = m.group(1), mm.group(1)
                break
            if daemon.poll() is not None:
                break
            time.sleep(0.05)
        if port is None:
            raise AssertionError("the daemon did not report its ports:\n" +
                                 (work / "daemon.err").read_text())
        env = dict(os.environ, PYTHONPATH=PROTO_DIR)
        for extra in ([], ["--deny"]) if ask else ():
            subprocess.run([sys.executable, str(EXAMPLE / "first_request.py"),
                            "--address", f"127.0.0.1:{port}", *extra],
                           env=env, check=True, stdout=subprocess.DEVNULL, timeout=60)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as r:
            body = r.read().decode()
        daemon.send_signal(signal.SIGTERM)
        status = daemon.wait(timeout=30)
        daemon = None
        if status != 0:
            raise AssertionError(f"crossgate serve exited {status} after SIGTERM")
    finally:
        if daemon is not None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(work, ignore_errors=True)

    families, labels = {}, {}
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            families[name] = kind
            names = [name]
            if kind == "histogram":
                names = [name + "_bucket", name + "_sum", name + "_count"]
            for n in names:
                labels.setdefault(n, set())
        elif line and not line.startswith("#"):
            m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s", line)
            if m and m.group(3):
                labels.setdefault(m.group(1), set()).update(
                    re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3)))
    return families, labels


def metric_uses(expr):
    """[(metric, {matcher label names})] and the grouping labels of one PromQL expression."""
    no_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    grouping = set()
    for group in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)",
                            no_strings):
        grouping.update(x.strip() for x in group.split(",") if x.strip())
    uses = []
    # Metric names: identifiers not followed by "(" (functions), outside {...} and by (...).
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ",
                      no_strings)
    # (Not preceded by a digit or a dot: the unit of a duration such as 5m, or 1e3.)
    for m in re.finditer(r"(?<![a-zA-Z0-9_:.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?",
                         stripped):
        name, matchers = m.group(1), m.group(2) or ""
        rest = stripped[m.end():].lstrip()
        if name.lower() in FUNCTIONS | KEYWORDS or rest.startswith("("):
            continue
        uses.append((name, set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))))
    return uses, grouping


def dashboard_exprs():
    doc = json.loads(DASHBOARD.read_text())
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((f'panel {p["id"]} "{p["title"]}" {t["refId"]}', t["expr"]))
            walk(p.get("panels", []))
    walk(doc["panels"])
    for v in doc["templating"]["list"]:
        q = v.get("query")
        if isinstance(q, dict) and "query" in q:
            m = re.fullmatch(r"label_values\((.*),\s*\w+\)", q["query"])
            out.append((f'variable {v["name"]}', m.group(1) if m else q["query"]))
    return doc, out


class MetricNames(unittest.TestCase):
    families = labels = None

    @classmethod
    def setUpClass(cls):
        cls.families, cls.labels = scrape()
        # The TLS metrics exist only on a daemon serving TLS.
        tls_families, tls_labels = scrape("crossgate-mtls.yaml", ask=False)
        for name in tls_families:
            cls.families.setdefault(name, tls_families[name])
        for name, labels in tls_labels.items():
            cls.labels.setdefault(name, set()).update(labels)

    def check_exprs(self, exprs, allowed_extra=()):
        for where, expr in exprs:
            with self.subTest(where=where):
                uses, grouping = metric_uses(grafana_to_promql(expr))
                self.assertTrue(uses, f"{where}: no metric found in {expr!r}")
                known = set()
                for name, matcher_labels in uses:
                    if name in allowed_extra:
                        continue
                    self.assertIn(name, self.labels,
                                  f"{where}: {name} is not in the daemon's /metrics ({expr!r})")
                    have = self.labels[name]
                    known |= have
                    if have:  # a family with no sample yet shows no labels to compare
                        unknown = matcher_labels - have - TARGET_LABELS - {"le"}
                        self.assertFalse(unknown, f"{where}: {name} has no label {unknown}")
                if known:
                    unknown = grouping - known - TARGET_LABELS
                    self.assertFalse(unknown, f"{where}: grouping by unknown labels {unknown}")

    def test_dashboard_metrics_exist(self):
        doc, exprs = dashboard_exprs()
        self.assertGreater(len(exprs), 20)
        ids = []

        def walk(panels):
            for p in panels:
                ids.append(p["id"])
                walk(p.get("panels", []))
        walk(doc["panels"])
        self.assertEqual(len(ids), len(set(ids)), "panel ids are not unique")
        self.check_exprs(exprs)
        used = {n for _, e in exprs for n, _ in metric_uses(grafana_to_promql(e))[0]}
        # The dashboard covers what the brief asks for.
        for family in ("crossgate_decisions_total", "crossgate_decision_reasons_total",
                       "crossgate_decision_latency_seconds_bucket", "crossgate_batch_size_bucket",
                       "crossgate_identity_verifications_total",
                       "crossgate_token_cache_lookups_total", "crossgate_loads_total",
                       "crossgate_active_version_info", "crossgate_active_version_age_seconds",
                       "crossgate_decision_log_records_total", "crossgate_decision_log_bytes_total",
                       "crossgate_decision_log_write_failures_total",
                       "crossgate_decision_log_fsync_seconds_bucket", "crossgate_grpc_calls_total",
                       "crossgate_emergency_decisions_total", "crossgate_serving"):
            self.assertIn(family, used)
        print(f"dashboard: {len(exprs)} expressions over {len(used)} metrics, all in /metrics")

    def test_alert_metrics_exist(self):
        doc = yaml.safe_load(ALERTS.read_text())
        exprs = [(r["alert"], r["expr"]) for g in doc["groups"] for r in g["rules"]]
        self.check_exprs(exprs, allowed_extra=("up",))

    @unittest.skipUnless(PROMTOOL, "promtool not found")
    def test_dashboard_promql_parses(self):
        _, exprs = dashboard_exprs()
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:expr_{i}", "expr": grafana_to_promql(e)}
            for i, (_, e) in enumerate(exprs)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump(rules, f)
            f.flush()
            r = subprocess.run([PROMTOOL, "check", "rules", f.name], capture_output=True,
                               text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
