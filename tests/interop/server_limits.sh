#!/bin/bash
# h2w-server as a real server must be: a bad preface, an idle or dead
# peer, a header block that never ends and a client that never reads all
# end the connection; expect: 100-continue is answered. Driven by a raw
# HTTP/2 peer (h2_raw.py) that sends exactly the octets of each case.
# Usage: server_limits.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_bin h2w-server
[ -x "$PY" ] || skip "$PY not found (apt-get install -y python3)"
raw() { run "$PY" "$(dirname "$0")/h2_raw.py" "$@" 2>&1 || true; }
expect() { # expect <name> <want> <got>
  if [ "$3" = "$2" ]; then ok "$1: $3"; else fail "$1: got '$3', want '$2'"; fi
}

# Small limits so that every timer fires within a second.
start_server small "$bin/h2w-server" --host 127.0.0.1 --port 0 \
  --idle-timeout 400 --header-timeout 400 --write-timeout 800
p=$server_port
# RFC 9113 §3.4: neither an HTTP/1.1 head nor the preface: HTTP/1.1 400;
# but once the client said "PRI * HTTP/2.0" the session judges the rest
# and a bad preface is a connection error, GOAWAY PROTOCOL_ERROR (1).
expect "garbage that is not HTTP/1.1 -> HTTP/1.1" "http1 400" "$(raw "$p" h1-garbage)"
expect "PRI * HTTP/2.0 with a bad magic -> GOAWAY PROTOCOL_ERROR" "goaway 1" "$(raw "$p" bad-magic)"
expect "PRI * HTTP/2.0 then garbage -> GOAWAY PROTOCOL_ERROR" "goaway 1" "$(raw "$p" bad-after-line)"
# --idle-timeout: no stream for 400 ms, GOAWAY NO_ERROR (0).
expect "idle connection closed (--idle-timeout)" "goaway 0" "$(raw "$p" idle)"
# --header-timeout: HEADERS without END_HEADERS and no CONTINUATION:
# GOAWAY ENHANCE_YOUR_CALM (11).
expect "unfinished header block closed (--header-timeout)" "goaway 11" "$(raw "$p" header-stall)"
# --write-timeout: a client that asks for 1 GB and reads nothing is closed
# (it then reads what the kernel buffered, far less than 1 GB, and EOF).
got=$(raw "$p" no-read 3)
case $got in
  "closed "*) if [ "${got#closed }" -lt 1000000000 ]; then ok "never-read response closed (--write-timeout): $got"; else fail "no-read: $got"; fi ;;
  *) fail "never-read response: got '$got', want the connection closed" ;;
esac
# 100 Continue (RFC 9110 §10.1.1) before the 200 of /echo, only when asked.
expect "expect: 100-continue on /echo -> 100, then 200" "headers 2" "$(raw "$p" expect-100)"
expect "no expect -> the 200 alone" "headers 1" "$(raw "$p" no-expect)"
check "server still serves after all that" kill -0 "$server_pid"

# --keepalive: a peer that goes quiet is PINGed, and closed when the
# PING goes unanswered (GOAWAY NO_ERROR, the library's H2W_E_TIMEOUT).
start_server ka "$bin/h2w-server" --host 127.0.0.1 --port 0 \
  --idle-timeout 0 --keepalive 300 --keepalive-timeout 300
expect "dead peer: PING, then GOAWAY (--keepalive)" "ping goaway 0" "$(raw "$server_port" idle)"

# Graceful shutdown (SIGTERM, h2w_session_shutdown()): after its final
# GOAWAY the server still processes what arrives (RFC 9113 §6.8), a PING
# gets its ACK (§6.7), until the peer is quiet; then it ends its side and
# waits for the peer's end, so the peer sees no reset.
start_server stop "$bin/h2w-server" --host 127.0.0.1 --port 0
spawn late "$PY" "$(dirname "$0")/h2_raw.py" "$server_port" ping-after-shutdown
late_pid=$spawned_pid
waited=0
until grep -q '^ready' "$tmp/late.log" 2>/dev/null; do
  waited=$((waited + 1))
  [ "$waited" -lt 200 ] || break
  sleep 0.05
done
kill -TERM "$server_pid"
wait_exit "$late_pid" 15 || true
expect "PING after the shutdown GOAWAY answered, clean close" "goaway 0 ack eof" \
  "$(tail -n 1 "$tmp/late.log")"
if wait_exit "$server_pid" 10 && [ "$exit_code" = 0 ]; then
  ok "server exits 0 after the lingering close"
else
  fail "server did not exit 0 after SIGTERM"
  show "$server_log"
fi

# Command-line errors name the program and what was wrong.
rc=0
"$bin/h2w-server" --idle-timeout soon >/dev/null 2>"$tmp/err" || rc=$?
check "bad --idle-timeout: exit 2 and a message naming it" \
  grep -q "^h2w-server: --idle-timeout: bad value 'soon'" "$tmp/err"
[ "$rc" = 2 ] || fail "bad --idle-timeout: exit $rc, want 2"
rc=0
"$bin/h2w-server" --keepalive 0 >/dev/null 2>"$tmp/err" || rc=$?
check "--keepalive 0 alone is refused" grep -q '^h2w-server: --keepalive and --keepalive-timeout' "$tmp/err"
finish
