#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time,
# failing on any crash, leak, timeout or out-of-memory. See docs/hardening.md.
#
#   scripts/fuzz.sh                       every target, 60 s each
#   scripts/fuzz.sh --seconds 30          shorter (CI)
#   scripts/fuzz.sh cedar_policy_fuzzer   only the targets named
#
# The build directory is build/fuzz (CROSSGATE_FUZZ_BUILD_DIR overrides it). Seeds are
# collected into <build>/seeds by scripts/fuzz_seeds.py; what a run discovers is kept in
# <build>/corpus/<target> for the next run; crashing inputs go to
# <build>/artifacts/<target>/ and the script exits 1 naming them.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(cedar_policy_fuzzer cedar_schema_fuzzer cedar_entities_fuzzer yaml_records_fuzzer
             bundle_archive_fuzzer jwks_fuzzer jwt_fuzzer authorize_request_fuzzer ext_authz_fuzzer)

seconds=60
build=${CROSSGATE_FUZZ_BUILD_DIR:-build/fuzz}
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "usage: scripts/fuzz.sh [--seconds N] [TARGET...]" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

./scripts/setup.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCROSSGATE_FUZZ=ON -DCROSSGATE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}" crossgate_proto_python

/usr/bin/python3 scripts/fuzz_seeds.py "$build/seeds" --proto-python "$build/proto/python"

dictionary() {
  case "$1" in
    cedar_policy_fuzzer) echo fuzz/cedar.dict ;;
    cedar_schema_fuzzer) echo fuzz/cedar.dict ;;  # JSON schemas find their keys in the seeds
    cedar_entities_fuzzer|jwks_fuzzer|jwt_fuzzer) echo fuzz/json.dict ;;
    *) echo "" ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts" "$build/seeds/$target"
  dict=$(dictionary "$target")
  log="$build/fuzz-$target.log"
  echo "fuzz: $target for ${seconds}s (log $log)"
  # -rss_limit_mb: every parser bounds its memory, so 2 GiB is a bug, not a big input.
  # -timeout: one input taking 10 s is a hang. Leaks are reported (ASan's LeakSanitizer).
  if "$build/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -print_final_stats=1 -artifact_prefix="$artifacts/" ${dict:+-dict="$dict"} \
       "$corpus" "$build/seeds/$target" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
    echo "fuzz: $target clean: ${runs:-?} runs, ${cov:-no coverage line}, corpus $(ls "$corpus" | wc -l)"
  else
    echo "fuzz: $target FAILED; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    ls "$artifacts" >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s clean"
