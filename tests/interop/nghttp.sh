#!/bin/bash
# nghttp (nghttp2's client) against h2w-server, cleartext HTTP/2 with prior
# knowledge. Usage: nghttp.sh <bin dir>
# nghttp exits 0 even when requests fail, so every check also reads its
# statistics table (-s) and its stderr.
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd nghttp nghttp2-client
need_bin h2w-server

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0
base=http://127.0.0.1:$server_port

# statuses <stats file>: "code path" per completed request, sorted.
statuses() {
  awk '/^id +responseEnd/ { t = 1; next } t && NF >= 7 { print $5, $NF }' \
    "$1" | sort
}

# nghttp_check <name> <want: sorted "code path" lines> <nghttp args...>
nghttp_check() {
  local name=$1 want=$2 rc=0
  shift 2
  run nghttp -ns "$@" >"$tmp/stats" 2>"$tmp/err" || rc=$?
  local got
  got=$(statuses "$tmp/stats")
  if [ "$rc" = 0 ] && [ "$got" = "$want" ] && ! [ -s "$tmp/err" ]; then
    ok "$name"
  else
    fail "$name: exit $rc, got '$got', want '$want'"
    show "$tmp/err"
  fi
}

nghttp_check "nghttp -n GET /" "200 /" "$base/"

random_file "$tmp/upload" 300000
nghttp_check "nghttp -n -d POST /echo" "200 /echo" -d "$tmp/upload" "$base/echo"
rc=0
run nghttp -d "$tmp/upload" "$base/echo" >"$tmp/echoed" 2>"$tmp/err" || rc=$?
if [ "$rc" = 0 ] && cmp "$tmp/upload" "$tmp/echoed"; then
  ok "nghttp POST 300000 octets to /echo comes back identical"
else
  fail "nghttp POST /echo: exit $rc, $(size_of "$tmp/echoed") octets back"
  show "$tmp/err"
fi

# Several URLs at once: streams 1, 3, 5, ... on one connection.
want=$(printf '%s\n' "200 /" "200 /bytes/5000" "200 /bytes/70000" \
  "200 /events?interval_ms=20&count=5" "404 /missing" | sort)
nghttp_check "nghttp 5 URLs on one connection" "$want" "$base/" \
  "$base/bytes/5000" "$base/bytes/70000" "$base/events?interval_ms=20&count=5" \
  "$base/missing"

# -m 50: the same URL 50 times, all streams open at once.
want=$(for _ in $(seq 1 50); do echo "200 /bytes/3000"; done)
nghttp_check "nghttp 50 concurrent streams" "$want" -m 50 "$base/bytes/3000"

# Tiny receive windows (stream 2^10-1, connection 2^14-1 octets): the
# server must stop at the window and resume on WINDOW_UPDATE (RFC 9113
# section 6.9).
rc=0
run nghttp -w 10 -W 14 "$base/bytes/1000000" >"$tmp/million" 2>"$tmp/err" ||
  rc=$?
size=$(size_of "$tmp/million")
if [ "$rc" = 0 ] && [ "$size" = 1000000 ] && ! [ -s "$tmp/err" ]; then
  ok "1000000 octets through 1023/16383-octet windows"
else
  fail "small windows: exit $rc, $size octets"
  show "$tmp/err"
fi

# The frame trace: the server's connection preface is a SETTINGS frame
# (RFC 9113 section 3.4), and the server acknowledges nghttp's SETTINGS
# (section 6.5.3). (nghttp's own ACK is not checked: when the SETTINGS and
# the response arrive in one read, nghttp may exit before sending it.)
rc=0
run nghttp -nv "$base/" >"$tmp/trace" 2>&1 || rc=$?
first_recv=$(grep -m1 ' recv [A-Z_]* frame' "$tmp/trace" || true)
trace_has() { grep -qE "$1" "$tmp/trace"; }
if [ "$rc" = 0 ] && [ "${first_recv#*recv SETTINGS frame <length=}" != "$first_recv" ]; then
  ok "server's first frame is SETTINGS"
else
  fail "first frame received: '$first_recv' (exit $rc)"
  show "$tmp/trace"
fi
check "server acknowledges the client's SETTINGS" \
  trace_has 'recv SETTINGS frame <length=0, flags=0x01, stream_id=0>'
check "response :status 200" \
  trace_has 'recv \(stream_id=[0-9]+\) :status: 200'
# A GOAWAY answering nghttp's own GOAWAY is fine if it carries NO_ERROR.
error_goaway() {
  grep -A1 'recv GOAWAY frame' "$tmp/trace" | grep 'error_code=' |
    grep -qv 'error_code=NO_ERROR'
}
if trace_has 'recv RST_STREAM frame' || error_goaway; then
  fail "the server reset a stream or sent GOAWAY with an error"
  show "$tmp/trace"
else
  ok "no RST_STREAM, no error GOAWAY from the server"
fi

if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
finish
