# Sourced by the command-line tests that need a running daemon. The caller sets $crossgate
# and $work and defines fail(); this sets $daemon_pid and $port.

# serve_and_wait CONFIG: runs `crossgate serve --config CONFIG` in the background (stderr in
# $work/daemon.err) and waits for the port it reports as "serving on 127.0.0.1:PORT" (the
# configurations listen on port 0, so parallel tests never collide).
serve_and_wait() {
  "$crossgate" serve --config "$1" 2>"$work/daemon.err" &
  daemon_pid=$!
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's/.*serving on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.err")
    [ -n "$port" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$work/daemon.err"; fail "crossgate serve did not report its port"; }
}
