#!/usr/bin/env bash
# Runs the conformance runner over the official Cedar tests in ../shared, unpacking the
# generated corpus next to the build. Exits 77 (ctest's skip) when ../shared is absent,
# as on a fresh user's machine.
#
#   run_shared_conformance.sh RUNNER SHARED_DIR WORK_DIR (integration|corpus)
set -euo pipefail
runner=$1 shared=$2 work=$3 which=$4
data="$shared/cedar-conformance"
if [ ! -d "$data" ]; then
  echo "SKIP: $data not found; the official Cedar conformance data lives in ../shared beside the checkout"
  exit 77
fi
case "$which" in
  integration)
    exec "$runner" --root "$data" "$data/tests"
    ;;
  corpus)
    archive="$data/corpus-tests-shared.tar.gz"
    stamp="$work/.unpacked"
    if [ ! -f "$stamp" ] || [ "$archive" -nt "$stamp" ]; then
      rm -rf "$work"
      mkdir -p "$work"
      tar xzf "$archive" -C "$work"
      touch "$stamp"
    fi
    exec "$runner" --root "$work" "$work/corpus-tests"
    ;;
  *)
    echo "unknown test set: $which" >&2
    exit 2
    ;;
esac
