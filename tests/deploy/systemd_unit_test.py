#!/usr/bin/python3
"""deploy/systemd/crossgate.service and crossgate.sysusers.

  systemd_unit_test.py CROSSGATE

- The unit has the directives production needs (sandbox, state and configuration
  directories, reload and stop signals, restart policy), read statically.
- `systemd-analyze verify` accepts it with no warning at all (unknown keys and bad values
  are only warnings there, so any output fails), on a copy whose ExecStart names the built
  binary (verify checks that the program exists).
- `systemd-analyze security --offline=yes` rates its exposure at most 1.2 ("OK").
- `systemd-sysusers --dry-run` accepts the sysusers.d snippet and would create the user the
  unit runs as.
The systemd tools are skipped with a message where they are missing; the daemon itself
cannot be started under systemd in a container without it as PID 1.
"""
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "crossgate.service"
SYSUSERS = ROOT / "deploy" / "systemd" / "crossgate.sysusers"
CROSSGATE = sys.argv[1] if len(sys.argv) > 1 else None
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
SYSUSERS_TOOL = shutil.which("systemd-sysusers")

REQUIRED = {
    "Unit": {"Description": None},
    "Service": {
        "Type": "exec",
        "User": "crossgate",
        "Group": "crossgate",
        "ExecStart": "/usr/bin/crossgate serve --config /etc/crossgate/crossgate.yaml",
        "ExecReload": "/bin/kill -HUP $MAINPID",
        "KillSignal": "SIGTERM",
        "Restart": "on-failure",
        "StateDirectory": "crossgate",
        "ConfigurationDirectory": "crossgate",
        "ReadWritePaths": "/var/lib/crossgate",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "AmbientCapabilities": "",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter": "@system-service",
        "SystemCallArchitectures": "native",
        "MemoryDenyWriteExecute": "yes",
        "LockPersonality": "yes",
        "RestrictSUIDSGID": "yes",
        "RestrictNamespaces": "yes",
        "PrivateDevices": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectControlGroups": "yes",
    },
    "Install": {"WantedBy": "multi-user.target"},
}


def parse_unit(text):
    """{section: {key: [values in order]}}, continuation lines joined."""
    sections, section = {}, None
    lines = text.replace("\\\n", " ").splitlines()
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            section = sections.setdefault(m.group(1), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return sections


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        self.unit = parse_unit(UNIT.read_text())

    def test_required_directives(self):
        for section, keys in REQUIRED.items():
            for key, value in keys.items():
                with self.subTest(directive=f"[{section}] {key}"):
                    self.assertIn(key, self.unit.get(section, {}))
                    if value is not None:
                        self.assertIn(value, self.unit[section][key])
        service = self.unit["Service"]
        # Writable: the state directory only, and nothing re-opens the rest of the system.
        self.assertEqual(service["ReadWritePaths"], ["/var/lib/crossgate"])
        for key in ("ReadWriteDirectories", "InaccessiblePaths", "BindPaths", "LogsDirectory",
                    "CacheDirectory", "RuntimeDirectory"):
            self.assertNotIn(key, service)
        # The daemon drains for up to 10 s after SIGTERM; the stop timeout must be longer.
        timeout = service["TimeoutStopSec"][-1]
        self.assertRegex(timeout, r"^\d+s?$")
        self.assertGreater(int(timeout.rstrip("s")), 10)
        self.assertNotIn("root", service["User"])
        self.assertNotIn("DynamicUser", service)  # keys in /etc/crossgate are group-readable

    @unittest.skipUnless(SYSTEMD_ANALYZE and CROSSGATE, "systemd-analyze or the binary missing")
    def test_systemd_analyze_verify(self):
        with tempfile.TemporaryDirectory() as work:
            unit = pathlib.Path(work) / "crossgate.service"
            unit.write_text(UNIT.read_text().replace("/usr/bin/crossgate", CROSSGATE))
            r = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True,
                               text=True)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))
            r = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", "--threshold=12",
                                "--no-pager", str(unit)], capture_output=True, text=True)
            print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    @unittest.skipUnless(SYSUSERS_TOOL, "systemd-sysusers missing")
    def test_sysusers(self):
        with tempfile.TemporaryDirectory() as root:
            (pathlib.Path(root) / "etc").mkdir()
            # Into an empty root: never the machine's own /etc.
            r = subprocess.run([SYSUSERS_TOOL, f"--root={root}", str(SYSUSERS)],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            passwd = (pathlib.Path(root) / "etc" / "passwd").read_text()
            self.assertRegex(passwd, r"(?m)^crossgate:x:\d+:\d+:[^:]*:/var/lib/crossgate:")
            group = (pathlib.Path(root) / "etc" / "group").read_text()
            self.assertRegex(group, r"(?m)^crossgate:x:\d+:")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
