#!/usr/bin/env bash
# Sets up the machine, builds every target and runs every test (unit tests, Cedar
# conformance, command-line tests).
#
#   scripts/test.sh              the default optimised build (build/default)
#   scripts/test.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer (build/sanitize)
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
case "${1:-}" in
  "") ;;
  --sanitize) preset=sanitize ;;
  *) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 2 ;;
esac

./scripts/setup.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel "$(nproc)"
