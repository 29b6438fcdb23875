#!/usr/bin/python3
"""The load benchmark: crossgate's gRPC throughput and latency against an empty gRPC server.

  bench/load_benchmark.py [--build-dir build/default] [--repeats 3] [--duration 5] [--json FILE]

In one run on this machine it starts the echo server (bench/echo) and the daemon on a copy
of the example configuration (temporary folder, decision log there, durability: process),
and measures with crossgate_loadgen:
  (a) echo maximum rate           (b) Authorize maximum rate
  (c) AuthorizeBatch decisions/s   (d) ext_authz Check maximum rate (when the daemon serves it)
then, in open loop at half and at a quarter of each maximum, p50/p99/p99.9 measured from
the intended send times. Every figure is the median of --repeats runs, the runs of different targets
interleaved so that a noisy neighbour spreads over all of them. The main phase runs over
mTLS (as production does, and because only an mTLS caller may assert AWS sessions); a
second phase on plaintext listeners cross-checks the echo and Authorize maximum rates with
h2load (nghttp2-client), which cannot present a client certificate.
"""
import argparse
import json
import math
import os
import pathlib
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "deploy" / "example"
sys.path.insert(0, str(HERE))
import request_mix  # noqa: E402

GOALS = {"authorize_vs_echo": 0.8, "p99_us": 1000.0, "batch_decisions_per_s": 500_000}


# ---------------------------------------------------------------------------------------
# The world: a copy of the example, servers started on port 0.

class World:
    """A temporary copy of the example bundle, registry and keys, with two daemon
    configurations (mTLS and plaintext) and the request mixes."""

    def __init__(self, tmp: pathlib.Path, crossgate: str, rotate_bytes: int = 100 << 20):
        self.dir = tmp
        for name in ("bundle", "registry", "keys"):
            shutil.copytree(EXAMPLE / name, tmp / name)
        # Signed afresh with the (published) EXAMPLE keys, as tests/e2e/fixture.py does, so
        # that the copy loads even while someone edits the example without re-signing it.
        for folder, kind, key in (("bundle", "policy-bundle", "EXAMPLE-policy-owner.key.pem"),
                                  ("registry", "owner-registry", "EXAMPLE-registry.key.pem")):
            (tmp / folder / "signatures.json").unlink()
            subprocess.run([crossgate, "sign", "--dir", str(tmp / folder), "--key",
                            str(tmp / "keys" / key), "--kind", kind],
                           check=True, stdout=subprocess.DEVNULL)
        (tmp / "state").mkdir()
        self.keys = tmp / "keys"
        for name, source in (("mtls", "crossgate-mtls.yaml"), ("plaintext", "crossgate.yaml")):
            config = yaml.safe_load((EXAMPLE / source).read_text())
            config["listen"]["address"] = "127.0.0.1:0"
            config["decision_log"] = {"path": f"state/decisions-{name}.log", "durability": "process",
                                      "rotate_bytes": rotate_bytes, "retain_files": 2}
            config["state_dir"] = f"state/{name}"
            config.pop("metrics", None)
            (tmp / f"crossgate-{name}.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        mixes = request_mix.mixes(self.keys, lifetime=3600)
        for mix_name, entries in mixes.items():
            request_mix.write(tmp / mix_name, entries)

    def config(self, tls: bool) -> pathlib.Path:
        return self.dir / ("crossgate-mtls.yaml" if tls else "crossgate-plaintext.yaml")

    def mix(self, target: str, tls: bool) -> pathlib.Path:
        if target == "check":
            return self.dir / "check-mtls.jsonl"
        return self.dir / ("authorize-mtls.jsonl" if tls else "authorize-plaintext.jsonl")

    def client_tls(self) -> list:
        return ["--tls-ca", str(self.keys / "EXAMPLE-ca.pem"),
                "--tls-cert", str(self.keys / "EXAMPLE-gateway.pem"),
                "--tls-key", str(self.keys / "EXAMPLE-gateway.key.pem"),
                "--tls-server-name", "localhost"]


class Binaries:
    """The three programs, from a build folder or given one by one (the ctest smoke test)."""

    def __init__(self, crossgate, loadgen, echo):
        self.crossgate, self.loadgen, self.echo = str(crossgate), str(loadgen), str(echo)

    @staticmethod
    def from_build_dir(build: pathlib.Path):
        return Binaries(build / "server" / "crossgate", build / "bench" / "crossgate_loadgen",
                        build / "bench" / "crossgate_echo_server")


class Server:
    """A server process started on port 0; its port is read from its output."""

    def __init__(self, name, argv, log: pathlib.Path, pattern: str, timeout=30):
        self.name = name
        self.log = log
        self.out = open(log, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, log.read_text(errors="replace"))
            if match:
                self.port = int(match.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{name} did not start; its output ({log}):\n{log.read_text(errors='replace')}")

    def cpu_seconds(self):
        """User plus system CPU time the process has used so far (Linux /proc)."""
        fields = pathlib.Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def start_daemon(build: "Binaries", world: World, tls: bool) -> Server:
    name = "daemon-mtls" if tls else "daemon-plaintext"
    return Server(name, [build.crossgate, "serve", "--config", str(world.config(tls))],
                  world.dir / f"{name}.out", r"serving on 127\.0\.0\.1:(\d+)")


def start_echo(build: "Binaries", world: World, tls: bool) -> Server:
    argv = [build.echo, "--address", "127.0.0.1:0"]
    if tls:
        argv += ["--tls-cert", str(world.keys / "EXAMPLE-server.pem"),
                 "--tls-key", str(world.keys / "EXAMPLE-server.key.pem"),
                 "--client-ca", str(world.keys / "EXAMPLE-ca.pem")]
    name = "echo-mtls" if tls else "echo-plaintext"
    return Server(name, argv, world.dir / f"{name}.out", r"listening on 127\.0\.0\.1:(\d+)")


def loadgen(build: "Binaries", world: World, server: Server, target: str, tls: bool, *,
            duration, warmup, connections=4, outstanding=16, threads=1, rate=None,
            batch_size=100, echo_response_bytes=0) -> dict:
    argv = [build.loadgen, "--address", server.address,
            "--target", target, "--mix", str(world.mix(target, tls)),
            "--connections", str(connections), "--outstanding", str(outstanding),
            "--threads", str(threads), "--duration", str(duration), "--warmup", str(warmup),
            "--batch-size", str(batch_size), "--echo-response-bytes", str(echo_response_bytes)]
    if rate:
        argv += ["--rate", f"{rate:.0f}"]
    if tls:
        argv += world.client_tls()
    server_cpu = server.cpu_seconds()
    client_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + warmup + 120)
    if done.returncode != 0:
        raise RuntimeError(f"crossgate_loadgen {target} failed ({done.returncode}): {done.stderr.strip()}")
    run = json.loads(done.stdout)
    # CPU time per call, server and load generator: unlike rates, it hardly depends on how much
    # of the machine other processes take, so it is the steadier figure on a shared machine.
    server_cpu = server.cpu_seconds() - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = after.ru_utime + after.ru_stime - client_cpu.ru_utime - client_cpu.ru_stime
    calls = max(run["completed_calls"], 1)
    per_call = batch_size if target == "batch" else 1
    run["server_cpu_us_per_call"] = 1e6 * server_cpu / calls
    run["server_cpu_us_per_decision"] = 1e6 * server_cpu / (calls * per_call)
    run["client_cpu_us_per_call"] = 1e6 * client_cpu / calls
    return run


# ---------------------------------------------------------------------------------------
# h2load: the second, independent tool.

def h2load(build, world, server, target, *, duration, warmup, connections, outstanding,
           echo_response_bytes) -> dict:
    body = world.dir / f"{target}.body"
    subprocess.run([build.loadgen, "--target", target,
                    "--mix", str(world.mix(target, False)), "--dump-body", str(body),
                    "--echo-response-bytes", str(echo_response_bytes)], check=True)
    path = "/crossgate.bench.v1.Echo/Echo" if target == "echo" else "/crossgate.v1.DecisionService/Authorize"
    argv = ["h2load", "-c", str(connections), "-m", str(outstanding), "-t", "1",
            "-D", str(math.ceil(duration)), "--warm-up-time", str(math.ceil(warmup)), "-d", str(body),
            "-H", "content-type: application/grpc", "-H", "te: trailers",
            f"http://{server.address}{path}"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + warmup + 120)
    out = done.stdout
    rate = re.search(r"finished in [^,]+, ([\d.]+) req/s", out)
    counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                       r"(\d+) errored, (\d+) timeout", out)
    if done.returncode != 0 or not rate or not counts:
        raise RuntimeError(f"h2load failed ({done.returncode}):\n{out}\n{done.stderr}")
    return {"calls_per_s": float(rate.group(1)), "succeeded": int(counts.group(4)),
            "failed": int(counts.group(5)) + int(counts.group(6)) + int(counts.group(7))}


# ---------------------------------------------------------------------------------------

def median(runs, key):
    return statistics.median(r[key] for r in runs)


def check_clean(run, what):
    if run["errors"]:
        raise RuntimeError(f"{what}: {run['errors']} errors: {json.dumps(run)}")


def machine():
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "loadavg_before": os.getloadavg()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=pathlib.Path, default=ROOT / "build" / "default")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1, help="seconds before measuring")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--outstanding", type=int, default=16, help="closed loop, per connection")
    parser.add_argument("--threads", type=int, default=1, help="load generator threads")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--no-h2load", action="store_true", help="skip the h2load cross-check")
    parser.add_argument("--json", type=pathlib.Path, help="also write every figure here")
    args = parser.parse_args()
    build = Binaries.from_build_dir(args.build_dir.resolve())
    for binary in (build.crossgate, build.loadgen, build.echo):
        if not pathlib.Path(binary).exists():
            sys.exit(f"load_benchmark: {binary} is missing; build the targets crossgate, "
                     "crossgate_loadgen and crossgate_echo_server first")
    use_h2load = not args.no_h2load and shutil.which("h2load")
    if not args.no_h2load and not use_h2load:
        print("load_benchmark: h2load not found (Debian package nghttp2-client); no cross-check")

    report = {"machine": machine(), "settings": vars(args) | {"build_dir": str(args.build_dir.resolve()), "json": str(args.json)},
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    common = dict(duration=args.duration, warmup=args.warmup, connections=args.connections,
                  outstanding=args.outstanding, threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="crossgate-load-") as tmp:
        world = World(pathlib.Path(tmp), build.crossgate)
        report["mtls"] = phase(build, world, True, args, common, False)
        report["plaintext"] = phase(build, world, False, args, common, use_h2load)
    report["machine"]["loadavg_after"] = os.getloadavg()
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


def phase(build, world, tls, args, common, use_h2load):
    """One set of servers (mTLS or plaintext): maximum rates, then open-loop latency."""
    label = "mTLS" if tls else "plaintext"
    echo = start_echo(build, world, tls)
    daemon = start_daemon(build, world, tls)
    try:
        # A short Authorize run first: it warms the daemon's token cache and gives the size
        # of a real answer, which the echo server then sends back.
        probe = loadgen(build, world, daemon, "authorize", tls, duration=1, warmup=0.5,
                        connections=1, outstanding=4)
        check_clean(probe, f"{label} authorize probe")
        echo_bytes = round(probe["response_bytes_mean"])
        targets = {"echo": echo, "authorize": daemon, "batch": daemon}
        if tls and check_available(build, world, daemon):
            targets["check"] = daemon
        closed = {t: [] for t in targets}
        if not tls:
            targets.pop("batch")
            closed.pop("batch")
        for _ in range(args.repeats):
            for target, server in targets.items():
                run = loadgen(build, world, server, target, tls, batch_size=args.batch_size,
                              echo_response_bytes=echo_bytes, **common)
                check_clean(run, f"{label} {target}")
                closed[target].append(run)
                print(f"  {label} closed {target}: {run['calls_per_s']:.0f} calls/s, "
                      f"{run['decisions_per_s']:.0f} decisions/s, p99 {run['p99_us']:.0f} us, "
                      f"server CPU {run['server_cpu_us_per_call']:.0f} us/call, "
                      f"load generator CPU {run['client_cpu_us_per_call']:.0f} us/call", flush=True)
        result = {"echo_response_bytes": echo_bytes, "closed": {}, "open": {}, "h2load": {}}
        for target, runs in closed.items():
            result["closed"][target] = {
                "calls_per_s": median(runs, "calls_per_s"),
                "decisions_per_s": median(runs, "decisions_per_s"),
                "p50_us": median(runs, "p50_us"), "p99_us": median(runs, "p99_us"),
                "p999_us": median(runs, "p999_us"), "runs": [r["calls_per_s"] for r in runs],
                "server_cpu_us_per_call": median(runs, "server_cpu_us_per_call"),
                "server_cpu_us_per_decision": median(runs, "server_cpu_us_per_decision"),
                "client_cpu_us_per_call": median(runs, "client_cpu_us_per_call")}
        if tls:
            # Latency in open loop at half of each maximum rate (the goal's point) and at a
            # quarter. A server that cannot keep up shows it as growing latency and, past the
            # calls' 10 s deadline, errors: those are reported, not fatal.
            for key, fraction in (("open", 0.5), ("open_quarter", 0.25)):
                opened = {t: [] for t in targets}
                for _ in range(args.repeats):
                    for target, server in targets.items():
                        rate = result["closed"][target]["calls_per_s"] * fraction
                        run = loadgen(build, world, server, target, tls, rate=rate,
                                      batch_size=args.batch_size, echo_response_bytes=echo_bytes, **common)
                        opened[target].append(run)
                        print(f"  {label} open {target} at {rate:.0f}/s: p50 {run['p50_us']:.0f} us, "
                              f"p99 {run['p99_us']:.0f} us, p99.9 {run['p999_us']:.0f} us, "
                              f"send lag {run['max_send_lag_us']:.0f} us, errors {run['errors']}", flush=True)
                result[key] = {}
                for target, runs in opened.items():
                    result[key][target] = {
                        "rate": result["closed"][target]["calls_per_s"] * fraction,
                        "calls_per_s": median(runs, "calls_per_s"),
                        "p50_us": median(runs, "p50_us"), "p99_us": median(runs, "p99_us"),
                        "p999_us": median(runs, "p999_us"),
                        "max_send_lag_us": max(r["max_send_lag_us"] for r in runs),
                        "errors": sum(r["errors"] for r in runs)}
        if use_h2load:
            for target, server in (("echo", echo), ("authorize", daemon)):
                runs = [h2load(build, world, server, target, duration=args.duration, warmup=args.warmup,
                               connections=args.connections, outstanding=args.outstanding,
                               echo_response_bytes=echo_bytes) for _ in range(args.repeats)]
                result["h2load"][target] = {"calls_per_s": statistics.median(r["calls_per_s"] for r in runs),
                                            "failed": sum(r["failed"] for r in runs)}
                print(f"  {label} h2load {target}: {result['h2load'][target]['calls_per_s']:.0f} req/s", flush=True)
        return result
    finally:
        daemon.stop()
        echo.stop()


def check_available(build, world, daemon) -> bool:
    """Whether this build's load generator and daemon can do ext_authz Check."""
    if not world.mix("check", True).exists():
        print("  ext_authz Check: no request mix (the daemon does not serve Check yet); skipped")
        return False
    try:
        run = loadgen(build, world, daemon, "check", True, duration=0.5, warmup=0, connections=1, outstanding=1)
    except RuntimeError as e:
        print(f"  ext_authz Check: not measured ({e})")
        return False
    if run["errors"]:
        print(f"  ext_authz Check: not measured ({run['errors']} errors: {run['status_errors']})")
        return False
    return True


def run_ratios(target, baseline) -> str:
    """Each run's ratio to the baseline run just before it (the targets take turns), so the
    spread shows how much of a median's distance from a goal is the host's noise."""
    return " ".join(f"{t / b:.2f}" for t, b in zip(target["runs"], baseline["runs"]))


def print_report(report):
    m = report["machine"]
    print(f"\nmachine: {m['nproc']} CPUs, {m['cpu']}, load average {m['loadavg_before'][0]:.1f} before, "
          f"{m['loadavg_after'][0]:.1f} after; medians of {report['settings']['repeats']} runs")
    for phase_name in ("mtls", "plaintext"):
        p = report[phase_name]
        closed = p["closed"]
        echo = closed["echo"]["calls_per_s"]
        print(f"\n[{phase_name}] maximum rates (closed loop)")
        echo_cpu = closed["echo"]["server_cpu_us_per_call"]
        print(f"  {'target':<10} {'calls/s':>10} {'decisions/s':>12} {'vs echo':>8} {'p50 us':>8} "
              f"{'p99 us':>8} {'p99.9 us':>9} {'h2load req/s':>13} {'srv CPU us/call':>16} "
              f"{'echo/srv CPU':>13} {'gen CPU us/call':>16}")
        for target, c in closed.items():
            h2 = p["h2load"].get(target, {}).get("calls_per_s")
            print(f"  {target:<10} {c['calls_per_s']:>10.0f} {c['decisions_per_s']:>12.0f} "
                  f"{c['calls_per_s'] / echo:>8.2f} {c['p50_us']:>8.0f} {c['p99_us']:>8.0f} "
                  f"{c['p999_us']:>9.0f} {'' if h2 is None else f'{h2:.0f}':>13} "
                  f"{c['server_cpu_us_per_call']:>16.1f} {echo_cpu / c['server_cpu_us_per_call']:>13.2f} "
                  f"{c['client_cpu_us_per_call']:>16.1f}")
        for key, what in (("open", "half"), ("open_quarter", "a quarter of")):
            if not p.get(key):
                continue
            print(f"\n[{phase_name}] latency at {what} the maximum rate (open loop, from intended send times)")
            print(f"  {'target':<10} {'rate/s':>10} {'p50 us':>8} {'p99 us':>8} {'p99.9 us':>9} "
                  f"{'max send lag us':>16} {'errors':>7}")
            for target, o in p[key].items():
                print(f"  {target:<10} {o['rate']:>10.0f} {o['p50_us']:>8.0f} {o['p99_us']:>8.0f} "
                      f"{o['p999_us']:>9.0f} {o['max_send_lag_us']:>16.0f} {o['errors']:>7}")
    closed = report["mtls"]["closed"]
    ratio_b = closed["authorize"]["calls_per_s"] / closed["echo"]["calls_per_s"]
    print("\nratios (mTLS)")
    print(f"  (b)/(a) Authorize / echo: {ratio_b:.2f} (goal >= {GOALS['authorize_vs_echo']}); "
          f"run by run: {run_ratios(closed['authorize'], closed['echo'])}")
    if "check" in closed:
        print(f"  (d)/(a) Check / echo:     {closed['check']['calls_per_s'] / closed['echo']['calls_per_s']:.2f}; "
              f"run by run: {run_ratios(closed['check'], closed['echo'])}")
    else:
        print("  (d)/(a) Check / echo:     not measured")
    print(f"  (c) AuthorizeBatch:       {closed['batch']['decisions_per_s']:.0f} decisions/s "
          f"(goal >= {GOALS['batch_decisions_per_s']}); server CPU "
          f"{closed['batch']['server_cpu_us_per_decision']:.1f} us per decision")
    print(f"  server CPU per call, echo / Authorize: "
          f"{closed['echo']['server_cpu_us_per_call'] / closed['authorize']['server_cpu_us_per_call']:.2f}")
    opened = report["mtls"]["open"]
    if "authorize" in opened:
        print(f"  Authorize p99 at half the maximum: {opened['authorize']['p99_us']:.0f} us "
              f"(goal <= {GOALS['p99_us']:.0f}); echo's own: {opened['echo']['p99_us']:.0f} us")
    plain = report["plaintext"]["closed"]
    print(f"ratio (plaintext) Authorize / echo: {plain['authorize']['calls_per_s'] / plain['echo']['calls_per_s']:.2f}")
    h2 = report["plaintext"]["h2load"]
    if h2:
        print(f"  h2load Authorize / echo: {h2['authorize']['calls_per_s'] / h2['echo']['calls_per_s']:.2f}")


if __name__ == "__main__":
    main()
