#!/usr/bin/env bash
# `crossgate health` against the real daemon, one case per run:
#   health_cli_test.sh CROSSGATE (plaintext|mtls|not-serving|closed-port|bad-args)
# plaintext: deploy/example copied to a temporary folder, crossgate.yaml with port 0 (the port
#   is read from "serving on HOST:PORT" on stderr): the server and the DecisionService are
#   SERVING (exit 0), an unknown service is SERVICE_UNKNOWN (exit 1).
# mtls: the same with crossgate-mtls.yaml: SERVING with the example gateway's certificate,
#   exit 2 without a client certificate or with a CA that did not issue the server's.
# not-serving: the bundle's signature does not verify (the registry's key is configured for
#   it) and there is no last good copy: the daemon listens but says NOT_SERVING (exit 1;
#   exit 0 with --alive).
# closed-port: exit 2 and a message naming the address, quickly.
# bad-args: usage errors exit 2, --help exits 0.
# shellcheck disable=SC2016  # backquotes in expected messages are literal
set -uo pipefail
crossgate=$1 case=$2
here=$(cd "$(dirname "$0")" && pwd)
example=$here/../../deploy/example
work=$(mktemp -d)
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=daemon.sh
. "$here/daemon.sh"

fail() {
  echo "FAIL: $*"
  for f in out err daemon.err; do [ -s "$work/$f" ] && { echo "--- $f"; cat "$work/$f"; }; done
  exit 1
}

health() {  # health ARGS...: sets status, stdout in out, stderr in err
  "$crossgate" health "$@" >"$work/out" 2>"$work/err"
  status=$?
}

expect() {  # expect STATUS STDOUT_PATTERN [STDERR_PATTERN]; an empty STDOUT_PATTERN: no output
  [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
  if [ -z "$2" ]; then
    [ ! -s "$work/out" ] || fail "expected nothing on stdout"
  else
    grep -Eq -- "$2" "$work/out" || fail "stdout does not match /$2/"
  fi
  if [ $# -ge 3 ]; then grep -Eq -- "$3" "$work/err" || fail "stderr does not match /$3/"; fi
}

start_daemon() {  # start_daemon CONFIG_NAME [SED_EXPR]: the copied example, on port 0
  cp -r "$example" "$work/example"
  rm -rf "$work/example/state"
  sed -i -e 's/^\(  address: 127\.0\.0\.1:\)[0-9]*$/\10/' -e "${2:-}" "$work/example/$1"
  grep -q '^  address: 127\.0\.0\.1:0$' "$work/example/$1" || fail "$1: no listen address to patch"
  serve_and_wait "$work/example/$1"
}

keys=$example/keys
case "$case" in
  plaintext)
    start_daemon crossgate.yaml
    health --address "127.0.0.1:$port"
    expect 0 '^SERVING$'
    health --address "127.0.0.1:$port" --service crossgate.v1.DecisionService --timeout 2.5
    expect 0 '^SERVING$'
    health --address "127.0.0.1:$port" --service no.such.Service
    expect 1 '^SERVICE_UNKNOWN$' 'does not know service "no\.such\.Service"'
    health --address "127.0.0.1:$port" --alive
    expect 0 '^SERVING$'
    # After SIGTERM the daemon drains and exits 0; then nothing answers.
    kill -TERM "$daemon_pid"
    wait "$daemon_pid"
    daemon_status=$?
    daemon_pid=
    [ "$daemon_status" -eq 0 ] || fail "crossgate serve exited $daemon_status after SIGTERM"
    health --address "127.0.0.1:$port" --timeout 2
    expect 2 '' "127\.0\.0\.1:$port: no health answer for the server: UNAVAILABLE"
    ;;
  mtls)
    start_daemon crossgate-mtls.yaml
    tls=(--tls-ca "$keys/EXAMPLE-ca.pem")
    health --address "127.0.0.1:$port" "${tls[@]}" \
      --tls-cert "$keys/EXAMPLE-gateway.pem" --tls-key "$keys/EXAMPLE-gateway.key.pem"
    expect 0 '^SERVING$'
    # The server certificate names localhost and 127.0.0.1; any other address needs the name.
    health --address "localhost:$port" "${tls[@]}" --tls-server-name localhost \
      --tls-cert "$keys/EXAMPLE-gateway.pem" --tls-key "$keys/EXAMPLE-gateway.key.pem" \
      --service crossgate.v1.DecisionService
    expect 0 '^SERVING$'
    health --address "127.0.0.1:$port" "${tls[@]}" --tls-server-name crossgate.example.net \
      --tls-cert "$keys/EXAMPLE-gateway.pem" --tls-key "$keys/EXAMPLE-gateway.key.pem" \
      --timeout 3
    expect 2 '' 'no health answer for the server: UNAVAILABLE'
    # The daemon requires a client certificate.
    health --address "127.0.0.1:$port" "${tls[@]}" --timeout 3
    expect 2 '' 'no health answer for the server: UNAVAILABLE'
    # Plaintext to a TLS port gets no answer.
    health --address "127.0.0.1:$port" --timeout 3
    expect 2 '' 'no health answer'
    # A CA that did not issue the server certificate.
    health --address "127.0.0.1:$port" --tls-ca "$keys/EXAMPLE-gateway.pem" \
      --tls-cert "$keys/EXAMPLE-gateway.pem" --tls-key "$keys/EXAMPLE-gateway.key.pem" --timeout 3
    expect 2 '' 'no health answer'
    ;;
  not-serving)
    start_daemon crossgate.yaml 's|EXAMPLE-policy-owner\.pub\.pem|EXAMPLE-registry.pub.pem|'
    grep -q 'policy-bundle load failed' "$work/daemon.err" || fail "the bundle was not refused"
    health --address "127.0.0.1:$port"
    expect 1 '^NOT_SERVING$'
    health --address "127.0.0.1:$port" --service crossgate.v1.DecisionService
    expect 1 '^NOT_SERVING$'
    # Alive, though not ready: the liveness probe passes.
    health --address "127.0.0.1:$port" --alive
    expect 0 '^NOT_SERVING$'
    ;;
  closed-port)
    # A port that was free a moment ago: bound, noted, released.
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start=$(date +%s)
    health --address "127.0.0.1:$port" --timeout 5
    expect 2 '' "^crossgate health: 127\.0\.0\.1:$port: no health answer for the server: UNAVAILABLE"
    [ $(($(date +%s) - start)) -le 4 ] || fail "a refused connection took until the deadline"
    health --address "127.0.0.1:$port" --service crossgate.v1.DecisionService --timeout 0.5
    expect 2 '' 'no health answer for service "crossgate\.v1\.DecisionService"'
    # No answer is not alive.
    health --address "127.0.0.1:$port" --alive --timeout 1
    expect 2 '' 'no health answer'
    ;;
  bad-args)
    health
    expect 2 '' '^crossgate health: --address is required$'
    health --address 127.0.0.1:1 --timeout soon
    expect 2 '' '--timeout: `soon` is not a number of seconds'
    health --address 127.0.0.1:1 --timeout 0
    expect 2 '' '--timeout: `0` is not a number of seconds'
    health --address 127.0.0.1:1 --tls-ca "$keys/EXAMPLE-ca.pem" --tls-cert "$keys/EXAMPLE-gateway.pem"
    expect 2 '' '--tls-cert and --tls-key go together'
    health --address 127.0.0.1:1 --tls-cert "$keys/EXAMPLE-gateway.pem" \
      --tls-key "$keys/EXAMPLE-gateway.key.pem"
    expect 2 '' 'need --tls-ca'
    health --address 127.0.0.1:1 --tls-ca "$work/missing-ca.pem"
    expect 2 '' 'missing-ca\.pem'
    health --address 127.0.0.1:1 --bogus
    expect 2 '' 'unexpected or incomplete argument `--bogus`'
    health --help
    expect 0 '^Exit status: 0 SERVING, 1 NOT_SERVING'
    "$crossgate" --help >"$work/out" 2>&1; status=$?
    expect 0 '^  health  '
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
