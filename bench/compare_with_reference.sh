#!/usr/bin/env bash
# Runs crossgate's Cedar benchmark (bench/cedar_oopsla_bench) and the reference implementation
# (@cedar-policy/cedar-wasm, pinned in bench/reference/package.json) one after the other on the
# same OOPSLA data, then prints per-scenario median and p99 latencies and their ratios.
# Both runs happen in one invocation on one machine, because absolute numbers from a shared VM
# are only comparable with numbers taken under the same conditions.
#
#   bench/compare_with_reference.sh [BUILD_DIR]
#
# BUILD_DIR defaults to build/default. A relative BUILD_DIR is taken from the current
# directory when it exists there, otherwise from the repository root, so the script works from
# any directory. Results go to BUILD_DIR/bench-results/{crossgate,cedar-wasm,comparison}.json.
#
# Environment:
#   CROSSGATE_OOPSLA_DIR   data directory (default: <repo>/../shared/bench/oopsla)
#   CROSSGATE_WASM_ROUNDS  timed rounds per scenario for cedar-wasm (default: 5 for n5, 2 for n50)
#   CROSSGATE_WASM_WARMUP  warm-up rounds per scenario for cedar-wasm (default: 1)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
reference_src="$repo_root/bench/reference"

die() {
  echo "compare_with_reference: $*" >&2
  exit 1
}

# --- Data ---------------------------------------------------------------------------------
# The OOPSLA data is not part of the repository. Without it there is nothing to compare, which
# is not an error on a machine that simply lacks the shared folder; a CROSSGATE_OOPSLA_DIR
# that points nowhere, though, is a mistake worth failing on.
if [ -n "${CROSSGATE_OOPSLA_DIR:-}" ]; then
  [ -d "$CROSSGATE_OOPSLA_DIR" ] || die "CROSSGATE_OOPSLA_DIR=$CROSSGATE_OOPSLA_DIR is not a directory"
  oopsla_dir=$(cd "$CROSSGATE_OOPSLA_DIR" && pwd)
else
  oopsla_dir="$repo_root/../shared/bench/oopsla"
  if [ ! -d "$oopsla_dir" ]; then
    echo "compare_with_reference: OOPSLA benchmark data not found at $oopsla_dir" \
         "(set CROSSGATE_OOPSLA_DIR to use another copy); skipping."
    exit 0
  fi
  oopsla_dir=$(cd "$oopsla_dir" && pwd)
fi

# --- Build directory and C++ benchmark ----------------------------------------------------
build_arg=${1:-build/default}
case "$build_arg" in
  /*) build_dir=$build_arg ;;
  *) if [ -d "$build_arg" ]; then build_dir="$PWD/$build_arg"; else build_dir="$repo_root/$build_arg"; fi ;;
esac
default_build_dir="$repo_root/build/default"
bench_bin="$build_dir/bench/cedar_oopsla_bench"

if [ ! -x "$bench_bin" ]; then
  # Only the preset's own directory is configured here: for any other directory we cannot know
  # which options it was meant to have, so building it is left to the caller.
  if [ "$(realpath -m "$build_dir")" = "$(realpath -m "$default_build_dir")" ]; then
    echo "compare_with_reference: building cedar_oopsla_bench with the default preset"
    (cd "$repo_root" && cmake --preset default && cmake --build --preset default --target cedar_oopsla_bench)
  else
    die "$bench_bin not found; build it first, e.g." \
        "cmake -S $repo_root -B $build_dir -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo &&" \
        "cmake --build $build_dir --target cedar_oopsla_bench"
  fi
fi
[ -x "$bench_bin" ] || die "$bench_bin is still missing after the build"
build_dir=$(cd "$build_dir" && pwd)
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
case "$build_type" in
  Release | RelWithDebInfo) ;;
  *) echo "compare_with_reference: warning: $build_dir has CMAKE_BUILD_TYPE='$build_type';" \
          "latencies of an unoptimised build say little" >&2 ;;
esac

# --- Reference implementation -------------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH (scripts/setup.sh installs it)"
command -v npm >/dev/null || die "npm is not on PATH (scripts/setup.sh installs it)"

# npm ci installs exactly what the committed lock file names. It runs in the build directory
# so that node_modules never lands in the source tree, and only when the installed copy is not
# the pinned version or was installed from a different lock file (npm ci wipes node_modules
# and goes to the registry every time, which is slow and needs the network).
node_dir="$build_dir/reference-node"
pinned=$(node -e 'console.log(require(process.argv[1]).dependencies["@cedar-policy/cedar-wasm"])' \
  "$reference_src/package.json")
installed=$(node -e '
  try { console.log(require(process.argv[1]).version); } catch { console.log("none"); }' \
  "$node_dir/node_modules/@cedar-policy/cedar-wasm/package.json")
if [ "$installed" != "$pinned" ] ||
   ! cmp -s "$reference_src/package-lock.json" "$node_dir/package-lock.json"; then
  echo "compare_with_reference: installing @cedar-policy/cedar-wasm@$pinned into $node_dir"
  mkdir -p "$node_dir"
  cp "$reference_src/package.json" "$reference_src/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund)
fi

# --- Runs ---------------------------------------------------------------------------------
# One after the other, never concurrently: on a 2-core machine they would disturb each other.
results="$build_dir/bench-results"
mkdir -p "$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

echo "compare_with_reference: running $bench_bin"
# --benchmark_format=json makes stdout the same JSON as the --benchmark_out file, so stdout is
# dropped; the program's own answer checks go to stderr and stay visible.
"$bench_bin" --oopsla-dir "$oopsla_dir" --benchmark_format=json \
  --benchmark_out="$results/crossgate.json" --benchmark_out_format=json >/dev/null

echo "compare_with_reference: running cedar-wasm $pinned on node $(node --version) (takes a few minutes)"
wasm_args=(--oopsla-dir "$oopsla_dir" --out "$results/cedar-wasm.json" --modules-dir "$node_dir")
if [ -n "${CROSSGATE_WASM_ROUNDS:-}" ]; then wasm_args+=(--rounds "$CROSSGATE_WASM_ROUNDS"); fi
if [ -n "${CROSSGATE_WASM_WARMUP:-}" ]; then wasm_args+=(--warmup "$CROSSGATE_WASM_WARMUP"); fi
node "$reference_src/cedar_wasm_bench.mjs" "${wasm_args[@]}"

# --- Comparison ---------------------------------------------------------------------------
# The JSON handling is done in node, which is needed anyway; jq may not be installed.
export CMP_CROSSGATE="$results/crossgate.json"
export CMP_WASM="$results/cedar-wasm.json"
export CMP_OUT="$results/comparison.json"
export CMP_BUILD_DIR="$build_dir"
export CMP_BUILD_TYPE="$build_type"
export CMP_OOPSLA_DIR="$oopsla_dir"
export CMP_CPU_MODEL
CMP_CPU_MODEL=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
export CMP_NPROC
CMP_NPROC=$(nproc)
export CMP_LOAD_BEFORE="$load_before"
export CMP_LOAD_AFTER
CMP_LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
export CMP_DATE
CMP_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export CMP_COMMIT
CMP_COMMIT=$(git -C "$repo_root" rev-parse HEAD 2>/dev/null || echo unknown)
export CMP_DIRTY
CMP_DIRTY=$([ -n "$(git -C "$repo_root" status --porcelain 2>/dev/null)" ] && echo true || echo false)

node - <<'EOF'
const fs = require('fs');
const env = process.env;
const crossgate = JSON.parse(fs.readFileSync(env.CMP_CROSSGATE, 'utf8'));
const wasm = JSON.parse(fs.readFileSync(env.CMP_WASM, 'utf8'));

// Google Benchmark names the runs oopsla/<app>/<n>/iterations:.../manual_time; aggregates
// (only present with --benchmark_repetitions) are skipped, the per-run counters are what we want.
function crossgateRun(scenario) {
  const run = crossgate.benchmarks.find(
    (b) => b.run_type !== 'aggregate' && b.name.startsWith(`oopsla/${scenario}/`));
  if (!run) throw new Error(`no crossgate result for ${scenario} in ${env.CMP_CROSSGATE}`);
  return run;
}

const scenarios = wasm.scenarios.map((w) => {
  const c = crossgateRun(w.name);
  return {
    name: w.name,
    crossgate_p50_us: c.p50_us,
    crossgate_p99_us: c.p99_us,
    crossgate_decisions: c.decisions,
    cedar_wasm_p50_us: w.p50_us,
    cedar_wasm_p99_us: w.p99_us,
    cedar_wasm_calls: w.calls,
    cedar_wasm_mismatches: w.mismatches,
    p50_ratio: w.p50_us / c.p50_us,
    p99_ratio: w.p99_us / c.p99_us,
  };
});

const note = 'cedar-wasm has no pre-parsed entity store: it parses and closes the entities on ' +
             'every call, so these ratios are a floor, not the goal.';
const loadavg = (text) => text.split(' ').map(Number);
const comparison = {
  date: env.CMP_DATE,
  machine: {
    cpu_model: env.CMP_CPU_MODEL,
    nproc: Number(env.CMP_NPROC),
    loadavg_before: loadavg(env.CMP_LOAD_BEFORE),
    loadavg_after: loadavg(env.CMP_LOAD_AFTER),
  },
  crossgate: {
    commit: env.CMP_COMMIT,
    dirty: env.CMP_DIRTY === 'true',
    build_dir: env.CMP_BUILD_DIR,
    build_type: env.CMP_BUILD_TYPE,
  },
  cedar_wasm: wasm.cedar_wasm,
  cedar_wasm_mode: wasm.mode,
  node: wasm.node,
  oopsla_dir: env.CMP_OOPSLA_DIR,
  note,
  scenarios,
};
fs.writeFileSync(env.CMP_OUT, JSON.stringify(comparison, null, 2) + '\n');

// Table. crossgate decisions take well under a microsecond, cedar-wasm calls milliseconds, so
// the columns use different precision.
const us = (v, digits) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (v) => `${Math.round(v).toLocaleString('en-US')}x`;
const header = ['scenario', 'crossgate p50 µs', 'crossgate p99 µs', 'cedar-wasm p50 µs',
                'cedar-wasm p99 µs', 'p50 ratio', 'p99 ratio'];
const rows = scenarios.map((s) => [
  s.name, us(s.crossgate_p50_us, 3), us(s.crossgate_p99_us, 3), us(s.cedar_wasm_p50_us, 0),
  us(s.cedar_wasm_p99_us, 0), ratio(s.p50_ratio), ratio(s.p99_ratio)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log('');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
rows.forEach((r) => console.log(line(r)));
console.log('');
console.log(`${comparison.machine.cpu_model}, ${comparison.machine.nproc} CPUs, load ` +
            `${env.CMP_LOAD_BEFORE} before / ${env.CMP_LOAD_AFTER} after; ` +
            `cedar-wasm ${wasm.cedar_wasm} (${wasm.mode}) on node ${wasm.node}`);
console.log(`Note: ${note}`);
console.log(`Written to ${env.CMP_OUT}`);
EOF
