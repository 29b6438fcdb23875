#!/usr/bin/python3
"""deploy/container/Dockerfile, without a container engine (this machine has none).

  container_test.py CROSSGATE

- Its instructions, parsed here, keep the invariants: two stages (debian:12 building with
  scripts/setup.sh and the default CMake preset, debian:12-slim running), the runtime stage
  copies only the binary from the build stage, runs as a non-root numeric user, has
  HEALTHCHECK (`crossgate health`), STOPSIGNAL SIGTERM, EXPOSE of the gRPC and metrics ports,
  one VOLUME for every write, and the exec-form ENTRYPOINT `crossgate serve --config
  /etc/crossgate/crossgate.yaml`; no secret is copied or set.
- dockerfile-utils (a real Dockerfile parser and linter, from npm) finds no problem.
- The runtime packages exist in Debian (`apt-cache show`), and they hold every shared library
  the built binary needs (readelf -d NEEDED, resolved by ldd, owned per dpkg -S), apart from
  libc6 and libgcc-s1 which debian:12-slim has.
- The HEALTHCHECK command, run by /bin/sh as Docker would run it, says SERVING (exit 0)
  against the real daemon, and exit 2 with nothing listening.
"""
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_tools  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "container" / "Dockerfile"
IGNORE = ROOT / "deploy" / "container" / "Dockerfile.dockerignore"
EXAMPLE = ROOT / "deploy" / "example"
CROSSGATE = sys.argv[1] if len(sys.argv) > 1 else None
IN_SLIM_BASE = {"libc6", "libgcc-s1"}


def instructions(text):
    """[(INSTRUCTION, arguments)] with continuation lines joined and comments dropped."""
    out, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and not current:
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        current += " " + stripped if current else stripped
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        if current:
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
        current = ""
    return out


def stages(instrs):
    result = []
    for word, args in instrs:
        if word == "FROM":
            result.append([])
        if result:
            result[-1].append((word, args))
    return result


class Dockerfile(unittest.TestCase):
    def setUp(self):
        self.instrs = instructions(DOCKERFILE.read_text())
        self.stages = stages(self.instrs)
        self.build, self.runtime = self.stages[0], self.stages[-1]

    def args(self, stage, word):
        return [a for w, a in stage if w == word]

    def test_two_stages(self):
        self.assertEqual(len(self.stages), 2)
        self.assertRegex(self.build[0][1], r"^debian:12 AS build$")
        self.assertRegex(self.runtime[0][1], r"^debian:12-slim( AS \w+)?$")
        runs = " && ".join(self.args(self.build, "RUN"))
        self.assertIn("./scripts/setup.sh", runs)
        self.assertIn("cmake --preset default", runs)
        self.assertIn("cmake --build --preset default --target crossgate", runs)

    def test_runtime_stage(self):
        rt = self.runtime
        copies = self.args(rt, "COPY") + self.args(rt, "ADD")
        self.assertEqual(copies, ["--from=build /crossgate /usr/bin/crossgate"])
        users = self.args(rt, "USER")
        self.assertTrue(users, "no USER")
        user = users[-1].split(":")[0]
        self.assertNotIn(user, ("root", "0"))
        self.assertRegex(user, r"^\d+$", "a numeric user lets Kubernetes check runAsNonRoot")
        # Nothing runs as root after USER.
        last_user = max(i for i, (w, _) in enumerate(rt) if w == "USER")
        self.assertFalse([w for w, _ in rt[last_user:] if w in ("RUN", "COPY", "ADD")])
        self.assertEqual(self.args(rt, "STOPSIGNAL"), ["SIGTERM"])
        self.assertEqual(self.args(rt, "VOLUME"), ['["/var/lib/crossgate"]'])
        self.assertEqual(self.args(rt, "WORKDIR")[-1], "/var/lib/crossgate")
        exposed = " ".join(self.args(rt, "EXPOSE")).split()
        self.assertEqual(sorted(exposed), ["50051/tcp", "9464/tcp"])
        healthchecks = self.args(rt, "HEALTHCHECK")
        self.assertEqual(len(healthchecks), 1)
        self.assertRegex(healthchecks[0], r"\bCMD crossgate health --address ")
        self.assertEqual(self.args(rt, "ENTRYPOINT"),
                         ['["/usr/bin/crossgate", "serve", "--config", '
                          '"/etc/crossgate/crossgate.yaml"]'])
        self.assertFalse(self.args(rt, "CMD"))

    def test_no_secrets(self):
        for word, args in self.instrs:
            if word in ("COPY", "ADD"):
                self.assertNotRegex(args, r"(?i)\.pem|\.key|keys/|secret|\.jwks")
            if word in ("ENV", "ARG"):
                self.assertNotRegex(args, r"(?i)(password|secret|token|private)[A-Z_]*=")
        ignored = IGNORE.read_text()
        for pattern in ("**/*.key.pem", ".git", "build", "deploy/example/state"):
            self.assertIn(pattern, ignored.splitlines())

    def test_linter(self):
        linter = deploy_tools.dockerfile_utils()
        if linter is None:
            self.skipTest("dockerfile-utils could not be had (see the message above)")
        r = subprocess.run([linter, "lint", str(DOCKERFILE)], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))

    def runtime_packages(self):
        runs = " ".join(self.args(self.runtime, "RUN"))
        m = re.search(r"apt-get install -y --no-install-recommends (.*?) &&", runs)
        self.assertIsNotNone(m)
        return m.group(1).split()

    @unittest.skipUnless(shutil.which("apt-cache"), "no apt-cache")
    def test_runtime_packages_exist_in_debian(self):
        packages = self.runtime_packages()
        # One call (apt-cache reads its lists once); a name it does not know has no entry.
        r = subprocess.run(["apt-cache", "show", "--no-all-versions", *packages],
                           capture_output=True, text=True)
        known = set(re.findall(r"(?m)^Package: (\S+)$", r.stdout))
        for package in packages:
            with self.subTest(package=package):
                self.assertIn(package, known)

    @unittest.skipUnless(CROSSGATE and shutil.which("readelf") and shutil.which("dpkg"),
                         "the binary, readelf or dpkg missing")
    def test_runtime_packages_cover_the_binary(self):
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]",
                            subprocess.run(["readelf", "-d", CROSSGATE], capture_output=True,
                                           text=True, check=True).stdout)
        ldd = subprocess.run(["ldd", CROSSGATE], capture_output=True, text=True,
                             check=True).stdout
        paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
        packages = set(self.runtime_packages()) | IN_SLIM_BASE
        self.assertTrue(needed)
        # A sanitizer build links its runtime; the image is built without sanitizers.
        needed = [n for n in needed if not re.match(r"lib(asan|ubsan|lsan|tsan)\.so", n)]
        # Every name a library may be known to dpkg by (merged /usr: /lib/... for some),
        # asked in one call: "package:arch: /path" per file found.
        candidates = {}
        for soname in needed:
            self.assertIn(soname, paths, f"ldd does not resolve {soname}")
            real = os.path.realpath(paths[soname])
            candidates[soname] = [real, paths[soname], real.replace("/usr/lib/", "/lib/", 1),
                                  paths[soname].replace("/usr/lib/", "/lib/", 1)]
        r = subprocess.run(["dpkg", "-S", *{c for cs in candidates.values() for c in cs}],
                           capture_output=True, text=True)
        owners = {}
        for line in r.stdout.splitlines():
            package, _, path = line.partition(": ")
            owners[path.strip()] = package.split(":")[0]
        for soname in needed:
            with self.subTest(library=soname):
                owner = next((owners[c] for c in candidates[soname] if c in owners), None)
                self.assertIsNotNone(owner, f"no Debian package owns {paths[soname]}")
                self.assertIn(owner, packages, f"{soname} is in {owner}, not installed")

    @unittest.skipUnless(CROSSGATE, "the binary is not given")
    def test_healthcheck_command_against_the_daemon(self):
        hc = self.args(self.runtime, "HEALTHCHECK")[0]
        command = hc.split(" CMD ", 1)[1]
        work = pathlib.Path(tempfile.mkdtemp())
        daemon = None
        try:
            shutil.copytree(EXAMPLE, work / "example")
            shutil.rmtree(work / "example" / "state", ignore_errors=True)
            config = work / "example" / "crossgate.yaml"
            config.write_text(re.sub(r"(?m)^(  address: 127\.0\.0\.1:)\d+$", r"\g<1>0",
                                     config.read_text()))
            with open(work / "err", "w") as err:
                daemon = subprocess.Popen([CROSSGATE, "serve", "--config", str(config)],
                                          stderr=err)
            port = None
            for _ in range(200):
                m = re.search(r"serving on 127\.0\.0\.1:(\d+)", (work / "err").read_text())
                if m or daemon.poll() is not None:
                    port = m and m.group(1)
                    break
                time.sleep(0.05)
            self.assertTrue(port, (work / "err").read_text())
            bindir = work / "bin"
            bindir.mkdir()
            (bindir / "crossgate").symlink_to(CROSSGATE)
            env = dict(os.environ, PATH=f"{bindir}:/usr/bin:/bin",
                       CROSSGATE_HEALTH_ADDRESS=f"127.0.0.1:{port}", CROSSGATE_HEALTH_ARGS="")
            r = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual((r.returncode, r.stdout), (0, "SERVING\n"), r.stderr)
            env["CROSSGATE_HEALTH_ARGS"] = "--service crossgate.v1.DecisionService"
            r = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual((r.returncode, r.stdout), (0, "SERVING\n"), r.stderr)
            daemon.send_signal(signal.SIGTERM)
            self.assertEqual(daemon.wait(timeout=30), 0)
            daemon = None
            r = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        finally:
            if daemon is not None:
                daemon.kill()
                daemon.wait()
            shutil.rmtree(work, ignore_errors=True)
        self.assertEqual(shlex.split(command)[:2], ["crossgate", "health"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
