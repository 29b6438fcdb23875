#!/usr/bin/env bash
# `crossgate sign` with keys made by the openssl CLI, one case per run:
#   sign_cli_test.sh CROSSGATE (two-signers|files-changed|bad-key|bad-args)
# two-signers also checks every signature with the openssl CLI against a statement built
# here with sha256sum, so the format is verified independently of the C++ code.
set -uo pipefail
crossgate=$1 case=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle

fail() { echo "FAIL: $*"; [ -f "$work/out" ] && cat "$work/out"; exit 1; }

expect() {  # expect STATUS PATTERN: the last run's exit status and output
  if [ "$status" -ne "$1" ]; then fail "expected exit status $1, got $status"; fi
  if ! grep -Eq -- "$2" "$work/out"; then fail "output does not match /$2/"; fi
}

sign() {  # sign KEY [KIND]
  "$crossgate" sign --dir "$bundle" --key "$1" --kind "${2:-policy-bundle}" >"$work/out" 2>&1
  status=$?
}

key_id() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1; }

mkdir -p "$bundle/policies"
printf 'name: test\nrevision: 1\n' >"$bundle/manifest.yaml"
printf 'permit(principal, action, resource);\n' >"$bundle/policies/base.cedar"
openssl genpkey -algorithm ed25519 -out "$work/ed25519.pem" 2>/dev/null || fail "openssl genpkey"
# A traditional "EC PRIVATE KEY" (preceded by no parameters block thanks to -noout).
openssl ecparam -name prime256v1 -genkey -noout -out "$work/p256.pem" 2>/dev/null ||
  fail "openssl ecparam"

case "$case" in
  two-signers)
    sign "$work/ed25519.pem"
    expect 0 "with key $(key_id "$work/ed25519.pem") \(ed25519\)"
    expect 0 'signatures: 1 distinct key$'
    sign "$work/p256.pem"
    expect 0 "with key $(key_id "$work/p256.pem") \(ecdsa-p256-sha256\)"
    expect 0 'signatures: 2 distinct keys'
    # The statement, rebuilt with coreutils: header, then "<sha256>  <path>" in byte order.
    {
      printf 'crossgate-signatures-v1 policy-bundle\n'
      (cd "$bundle" && find . -type f ! -name signatures.json | sed 's|^\./||' | LC_ALL=C sort |
        while read -r f; do sha256sum "$f"; done)
    } >"$work/statement"
    python3 - "$bundle/signatures.json" "$work" <<'PY' || fail "signatures.json content"
import base64, json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format"] == "crossgate-signatures-v1" and doc["kind"] == "policy-bundle", doc
assert sorted(doc["files"]) == ["manifest.yaml", "policies/base.cedar"], doc["files"]
assert len(doc["signatures"]) == 2, doc["signatures"]
for entry in doc["signatures"]:
    with open(f"{sys.argv[2]}/{entry['algorithm']}.sig", "wb") as out:
        out.write(base64.b64decode(entry["signature"], validate=True))
    with open(f"{sys.argv[2]}/{entry['algorithm']}.id", "w") as out:
        out.write(entry["key_id"])
PY
    [ "$(cat "$work/ed25519.id")" = "$(key_id "$work/ed25519.pem")" ] || fail "ed25519 key id"
    [ "$(cat "$work/ecdsa-p256-sha256.id")" = "$(key_id "$work/p256.pem")" ] || fail "p256 key id"
    openssl pkey -in "$work/ed25519.pem" -pubout -out "$work/ed25519.pub" 2>/dev/null
    openssl pkey -in "$work/p256.pem" -pubout -out "$work/p256.pub" 2>/dev/null
    openssl pkeyutl -verify -pubin -inkey "$work/ed25519.pub" -rawin -in "$work/statement" \
      -sigfile "$work/ed25519.sig" >/dev/null 2>&1 || fail "openssl rejects the Ed25519 signature"
    openssl dgst -sha256 -verify "$work/p256.pub" -signature "$work/ecdsa-p256-sha256.sig" \
      "$work/statement" >/dev/null 2>&1 || fail "openssl rejects the ECDSA signature"
    # And a statement for the other kind must not verify (the kind is signed).
    sed -i '1s/policy-bundle/owner-registry/' "$work/statement"
    openssl pkeyutl -verify -pubin -inkey "$work/ed25519.pub" -rawin -in "$work/statement" \
      -sigfile "$work/ed25519.sig" >/dev/null 2>&1 && fail "a relabelled statement verifies"
    ;;
  files-changed)
    sign "$work/ed25519.pem"
    sign "$work/p256.pem"
    expect 0 'signatures: 2 distinct keys'
    printf 'forbid(principal, action, resource);\n' >"$bundle/policies/base.cedar"
    sign "$work/ed25519.pem"
    expect 0 'note: 1 signature by other keys dropped because the files changed'
    expect 0 '\(content differs from its listed digest: policies/base.cedar\)'
    expect 0 'signatures: 1 distinct key$'
    sign "$work/p256.pem" owner-registry
    expect 2 'holds signatures for a policy-bundle, not an owner-registry'
    ;;
  bad-key)
    echo 'not a key' >"$work/junk.pem"
    sign "$work/junk.pem"
    expect 2 "crossgate sign: $work/junk.pem: no PEM private key"
    openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$work/rsa.pem" 2>/dev/null
    sign "$work/rsa.pem"
    expect 2 "$work/rsa.pem: private key: unsupported key type RSA \(only Ed25519 and ECDSA P-256"
    openssl pkey -in "$work/ed25519.pem" -pubout -out "$work/public.pem" 2>/dev/null
    sign "$work/public.pem"
    expect 2 "$work/public.pem: no PEM private key"
    sign "$work/missing.pem"
    expect 2 "$work/missing.pem: "
    [ ! -e "$bundle/signatures.json" ] || fail "a failed run wrote signatures.json"
    ;;
  bad-args)
    "$crossgate" sign --dir "$bundle" --key "$work/ed25519.pem" >"$work/out" 2>&1; status=$?
    expect 2 '--dir, --key and --kind are required'
    sign "$work/ed25519.pem" policy
    expect 2 '--kind must be policy-bundle or owner-registry'
    "$crossgate" sign --help >"$work/out" 2>&1; status=$?
    expect 0 '^usage: crossgate sign --dir DIR'
    ln -s "$work/ed25519.pem" "$bundle/link.pem"
    sign "$work/ed25519.pem"
    expect 2 "$bundle: 'link.pem' is a symbolic link"
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
