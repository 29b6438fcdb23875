#!/usr/bin/env bash
# Sets up the machine, builds every target and runs every test (unit tests, Cedar
# conformance, command-line tests).
#
#   scripts/test.sh              the default optimised build (build/default)
#   scripts/test.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer (build/sanitize)
#   scripts/test.sh --tsan       ThreadSanitizer on the concurrency unit tests (build/tsan):
#                                the decision log's writer, engines swapped under deciding
#                                threads, the decision pipeline's calls finished by the log's
#                                writer during reloads; scripts/tsan.supp says what is
#                                suppressed and why
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
case "${1:-}" in
  "") ;;
  --sanitize) preset=sanitize ;;
  --tsan) preset=tsan ;;
  *) echo "usage: scripts/test.sh [--sanitize|--tsan]" >&2; exit 2 ;;
esac

./scripts/setup.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel "$(nproc)"
