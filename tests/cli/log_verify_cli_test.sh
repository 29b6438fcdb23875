#!/usr/bin/env bash
# `crossgate log verify` on a decision log written by the real daemon, one case per run:
#   log_verify_cli_test.sh CROSSGATE PYTHON_PROTO_DIR \
#     (intact|edited|deleted|reordered|truncated|tail-removed|missing-file)
# The daemon (`crossgate serve`, plaintext on 127.0.0.1 port 0) runs on copies of the signed
# example bundle and registry with the example public keys, with a small rotate_bytes so that
# the log is a rotated set; /usr/bin/python3 (Debian's grpcio and PyJWT) sends it requests
# with tokens minted from the example trust domain's key. The log is then tampered with
# using coreutils and each verdict, exit status and message is checked. Exit 77 (a skip)
# when /usr/bin/python3 lacks grpcio or PyJWT.
set -uo pipefail
crossgate=$1 proto_dir=$2 case=$3
here=$(cd "$(dirname "$0")" && pwd)
example=$here/../../deploy/example
python=/usr/bin/python3
work=$(mktemp -d)
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=daemon.sh
. "$here/daemon.sh"

fail() { echo "FAIL: $*"; [ -f "$work/out" ] && cat "$work/out"; exit 1; }

expect() {  # expect STATUS PATTERN: the last run's exit status and output
  if [ "$status" -ne "$1" ]; then fail "expected exit status $1, got $status"; fi
  if ! grep -Eq -- "$2" "$work/out"; then fail "output does not match /$2/"; fi
}

verify() {  # verify FILE...
  "$crossgate" log verify "$@" >"$work/out" 2>&1
  status=$?
}

# 77: skipped (ctest SKIP_RETURN_CODE), named, rather than failing on a machine without them.
if ! PYTHONPATH=$proto_dir "$python" -c 'import grpc, jwt; from crossgate.v1 import decision_pb2'
then
  echo "SKIP: $python cannot import grpc, jwt and the generated stubs in $proto_dir"
  exit 77
fi

# ---- a real log: the daemon, a few requests, SIGTERM ------------------------------------
cp -r "$example/bundle" "$example/registry" "$work/"
mkdir -p "$work/state"
cat >"$work/crossgate.yaml" <<YAML
listen:
  address: 127.0.0.1:0
  plaintext: true
policy_bundle:
  path: bundle
  public_keys: [$example/keys/EXAMPLE-policy-owner.pub.pem]
  signatures_required: 1
owner_registry:
  path: registry
  public_keys: [$example/keys/EXAMPLE-registry.pub.pem]
  signatures_required: 1
allow_unsigned_bundles: true  # signatures.json is kept: its signatures are still verified
identity:
  audience: crossgate
  spiffe_trust_domains:
    - trust_domain: example.org
      jwks: $example/keys/spiffe-example.org.jwks.json
decision_log:
  path: state/decisions.log
  rotate_bytes: 6000
YAML
serve_and_wait "$work/crossgate.yaml"

PYTHONPATH=$proto_dir "$python" - "$port" "$example/keys" <<'PY' || fail "requests"
import pathlib, sys, time, uuid
import grpc, jwt
from crossgate.v1 import decision_pb2 as pb, decision_pb2_grpc as pb_grpc
port, keys = sys.argv[1], pathlib.Path(sys.argv[2])
key = (keys / "EXAMPLE-spiffe-example.org.key.pem").read_bytes()
with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
    stub = pb_grpc.DecisionServiceStub(channel)
    for i in range(12):
        now = int(time.time())
        token = jwt.encode({"sub": "spiffe://example.org/ns/claims/sa/assistant",
                            "aud": "crossgate", "iat": now, "exp": now + 300,
                            "jti": str(uuid.uuid4())},
                           key, algorithm="ES256",
                           headers={"kid": "example-spiffe-1", "typ": "JWT"})
        stub.Authorize(pb.AuthorizeRequest(
            request_id=f"log-verify-{i}", identity=pb.IdentityEvidence(jwt_svid=token),
            action="Converse", resource="us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            source_account="111122223333", source_region="us-east-1",
            target_account="444455556666", target_region="us-east-1",
            data_classification="restricted" if i % 4 == 3 else "internal"), timeout=10)
PY
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_status=$?
daemon_pid=
if [ "$daemon_status" -ne 0 ]; then
  cat "$work/daemon.err"
  fail "crossgate serve exited $daemon_status"
fi

log=$work/state/decisions.log
rotated=("$log".[0-9]*)
[ "${#rotated[@]}" -ge 2 ] || fail "expected a rotated set, got: $(ls "$work/state")"
# 12 decisions and a log-start record for each rotation.
records=$((12 + ${#rotated[@]}))
[ "$(cat "$log".[0-9]* "$log" | wc -l)" -eq "$records" ] || fail "expected $records lines"
active_lines=$(wc -l <"$log")
[ "$active_lines" -ge 3 ] || fail "the active file has $active_lines lines, the cases need 3"
first_active_seq=$((records - active_lines + 1))

echo "log: ${#rotated[@]} rotated files and the active one, $records records"
case "$case" in
  intact)
    # As an auditor types it, and with the head file caught by a broader glob.
    verify "$log".[0-9]* "$log"
    expect 0 "^ok: $records records, seq 1\.\.$records, chain intact$"
    expect 0 "^note: the chain starts at seq 1 \(the start of the log\) in ${rotated[0]}$"
    expect 0 "^note: the last line matches the head file $log\.head \(seq $records\)$"
    verify "$log".* "$log"
    expect 0 "^ok: $records records, seq 1\.\.$records, chain intact$"
    # The active file alone starts mid-chain, after its rotated predecessors.
    verify "$log"
    expect 0 "^ok: $active_lines records, seq $first_active_seq\.\.$records, chain intact$"
    expect 0 "which continues $(basename "${rotated[-1]}")"
    ;;
  edited)
    # An ALLOW turned into a DENY (or the reverse) in the middle of the active file.
    sed -i '2{s/"ALLOW"/"DENX"/;s/"DENY"/"ALLOW"/;s/"DENX"/"DENY"/}' "$log"
    verify "$log".[0-9]* "$log"
    seq=$((first_active_seq + 1))
    expect 1 "^TAMPERED: $log:2 \(seq $seq\) was edited: its SHA-256 is not the prev of the next "\
"line, $log:3 \(seq $((seq + 1))\)$"
    ;;
  deleted)
    sed -i '2d' "$log"
    verify "$log".[0-9]* "$log"
    seq=$((first_active_seq + 1))
    expect 1 "^TAMPERED: records $seq\.\.$seq removed before $log:2 \(seq $((seq + 1))\), "\
"which follows $log:1 \(seq $first_active_seq\)$"
    ;;
  reordered)
    sed -i '2{h;d};3G' "$log"  # swap lines 2 and 3
    verify "$log".[0-9]* "$log"
    seq=$((first_active_seq + 1))
    expect 1 "^TAMPERED: lines reordered: $log:2 \(seq $((seq + 1))\) comes before "\
"$log:3 \(seq $seq\)$"
    ;;
  truncated)
    truncate -s -20 "$log"
    verify "$log".[0-9]* "$log"
    expect 1 "^TAMPERED: $log:$active_lines \(after seq $((records - 1))\) is truncated: the "\
"last line of the file has no newline"
    ;;
  tail-removed)
    sed -i '$d' "$log"
    verify "$log".[0-9]* "$log"
    expect 1 "^TAMPERED: records $records\.\.$records removed from the end \(the head file "\
"$log\.head records seq $records\); the last line is $log:$((active_lines - 1)) "
    # A rotated file removed from the middle of the set: its predecessor is named.
    verify "${rotated[0]}" "$log"
    expect 1 "removed before $log:1 .*naming $(basename "${rotated[-1]}") as the file before "\
"it, which is not among the files given$"
    ;;
  missing-file)
    verify "$log".[0-9]* "$work/state/nope.log" "$log"
    expect 2 "^crossgate log verify: $work/state/nope\.log: No such file or directory$"
    verify
    expect 2 "^crossgate log verify: no files given$"
    verify --bogus "$log"
    expect 2 "unknown option \`--bogus\`"
    "$crossgate" log verify --help >"$work/out" 2>&1; status=$?
    expect 0 "^Exit status: 0 chain intact, 1 tampered or truncated, 2 unusable input"
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
