#!/usr/bin/env bash
# `crossgate authorize` on the built-in example, one case per run:
#   authorize_cli_test.sh CROSSGATE EXAMPLE_DIR (allow|deny|bad-policy|bad-request)
# EXAMPLE_DIR holds plain Cedar inputs: policies/, schema.cedarschema, entities.json, requests/.
set -uo pipefail
crossgate=$1 example=$2 case=$3
args=(--policies "$example/policies" --schema "$example/schema.cedarschema"
      --entities "$example/entities.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expect() {  # expect STATUS PATTERN: the last run's exit status and output
  if [ "$status" -ne "$1" ]; then
    echo "expected exit status $1, got $status"; cat "$work/out"; exit 1
  fi
  if ! grep -Eq "$2" "$work/out"; then
    echo "output does not match /$2/:"; cat "$work/out"; exit 1
  fi
}

case "$case" in
  allow)
    "$crossgate" authorize "${args[@]}" --request "$example/requests/claims-invoke-allowed.json" \
      >"$work/out" 2>&1; status=$?
    expect 0 'invocation.cedar:policy0 \(claims-assistant-may-invoke-anthropic\)'
    ;;
  deny)
    "$crossgate" authorize "${args[@]}" --format json \
      --request "$example/requests/restricted-cross-region-denied.json" >"$work/out" 2>&1
    status=$?
    expect 1 '"name": "restricted-data-stays-in-region"'
    ;;
  bad-policy)
    printf 'permit(principal, action, resource)\nwhen { 1 = 1 };\n' >"$work/bad.cedar"
    "$crossgate" authorize --policies "$work/bad.cedar" --entities "$example/entities.json" \
      --request "$example/requests/claims-invoke-allowed.json" >"$work/out" 2>&1; status=$?
    expect 2 'bad.cedar:2:10: .=. is not a valid operator'
    ;;
  bad-request)
    echo '{"principal": {"type": "Workload", "id": "x"}, "action": 3}' >"$work/request.json"
    "$crossgate" authorize "${args[@]}" --request - <"$work/request.json" >"$work/out" 2>&1
    status=$?
    expect 2 '<stdin>: "action": expected an entity reference'
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
