#!/usr/bin/env bash
# Sets up the machine, builds crossgate (default preset) and runs its main job on the
# built-in example: every request in deploy/example/requests decided against the example
# policies, schema and entities.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset default
cmake --build --preset default --target crossgate

example=deploy/example
for request in "$example"/requests/*.json; do
  echo "== $(basename "$request")"
  status=0
  ./build/default/server/crossgate authorize \
    --policies "$example/bundle/policies" \
    --schema "$example/bundle/schema.cedarschema" \
    --entities "$example/entities.json" \
    --request "$request" || status=$?
  # 0 is ALLOW and 1 is DENY; anything else means the input was unusable.
  [ "$status" -le 1 ] || exit "$status"
done
