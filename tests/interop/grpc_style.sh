#!/bin/bash
# grpc-style client against grpc-style server over loopback h2c: a unary
# call, several messages in one call, a 1 MiB message (16 times the default
# 65535-octet flow-control windows, both ways), an unknown method answered
# trailers-only, malformed request bodies, (when installed) nghttp and
# curl as independent clients to see the frames and HTTP-level refusals,
# and the client against a server that answers 404 text/plain.
# Usage: grpc_style.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_bin grpc-style
gs=$bin/grpc-style
CLIENT_TIMEOUT=20

start_server server "$gs" server 0
base=http://127.0.0.1:$server_port/pkg.Service

# call <name> <client args...>: run the client; its stdout, stderr and exit
# status land in $tmp/<name>.out, $tmp/<name>.err and $rc.
call() {
  local name=$1
  shift
  rc=0
  run "$gs" client "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}

# expect <name> <rc> <status line> <response line> [<expected stdout file>]
expect() {
  local name=$1 want_rc=$2 status=$3 resp=$4 want=${5:-}
  if [ "$rc" = "$want_rc" ] && grep -qxF "$status" "$tmp/$name.err" &&
    grep -qxF "$resp" "$tmp/$name.err" &&
    { [ -z "$want" ] || cmp -s "$want" "$tmp/$name.out"; }; then
    ok "$name: exit $rc, $status, $resp"
  else
    fail "$name: exit $rc (want $want_rc), want '$status' and '$resp'"
    show "$tmp/$name.err"
    [ -z "$want" ] || cmp "$want" "$tmp/$name.out" || true
  fi
}

printf 'hello\n' >"$tmp/hello.want"
call echo "$base/Echo" hello
expect echo 0 "grpc-status: 0 OK" "response: 1 message(s)" "$tmp/hello.want"

printf 'HELLO WORLD\n' >"$tmp/upper.want"
call upper "$base/Upper" "hello world"
expect upper 0 "grpc-status: 0 OK" "response: 1 message(s)" "$tmp/upper.want"

# One reply per request message, in order; an empty message is a message.
printf 'ONE\nTWO 2\n\nFOUR\n' >"$tmp/several.want"
call several "$base/Upper" one "two 2" "" four
expect several 0 "grpc-status: 0 OK" "response: 4 message(s)" \
  "$tmp/several.want"

# 1 MiB of text: far past the 65535-octet initial windows of both sides,
# so the call only completes if WINDOW_UPDATEs flow both ways.
head -c 786432 /dev/urandom | base64 -w0 >"$tmp/big.txt"
# The server upper-cases ASCII only, as tr does in the C locale.
{ LC_ALL=C tr '[:lower:]' '[:upper:]' <"$tmp/big.txt"; echo; echo SMALL; } >"$tmp/big.want"
call large "$base/Upper" "@$tmp/big.txt" small
expect large 0 "grpc-status: 0 OK" "response: 2 message(s)" "$tmp/big.want"
if [ "$(size_of "$tmp/big.txt")" = 1048576 ]; then
  ok "large: the message is 1 MiB"
else
  fail "large: the message is $(size_of "$tmp/big.txt") octets"
fi

: >"$tmp/empty.want"
call unknown "$base/Frobnicate" hello
expect unknown 1 "grpc-status: 12 UNIMPLEMENTED" "response: trailers-only" \
  "$tmp/empty.want"
call unknown-to --trailers-only-test "$base/Frobnicate" hello
expect unknown-to 0 "grpc-status: 12 UNIMPLEMENTED" "response: trailers-only"
call service --trailers-only-test "http://127.0.0.1:$server_port/other.Svc/Echo" x
expect service 0 "grpc-status: 12 UNIMPLEMENTED" "response: trailers-only"
# A good call is not trailers-only, and the option says so.
call echo-to --trailers-only-test "$base/Echo" hello
expect echo-to 1 "grpc-status: 0 OK" "response: 1 message(s)"
# An unknown method refuses a large upload at once, trailers-only.
call unknown-large "$base/Nope" "@$tmp/big.txt"
expect unknown-large 1 "grpc-status: 12 UNIMPLEMENTED" \
  "response: trailers-only"

# Malformed request bodies (--raw sends the octets unframed).
call truncated --raw 0000000005616263 "$base/Echo"
expect truncated 1 "grpc-status: 13 INTERNAL" "response: trailers-only"
call cut-prefix --raw 000000000161000000 "$base/Echo"
expect cut-prefix 1 "grpc-status: 13 INTERNAL" "response: trailers-only"
call compressed --raw 010000000178 "$base/Echo"
expect compressed 1 "grpc-status: 13 INTERNAL" "response: trailers-only"
call bad-flag --raw 070000000178 "$base/Echo"
expect bad-flag 1 "grpc-status: 13 INTERNAL" "response: trailers-only"
call too-big --raw 0000500000 "$base/Echo"
expect too-big 1 "grpc-status: 8 RESOURCE_EXHAUSTED" "response: trailers-only"
call no-message --raw "" "$base/Echo"
expect no-message 1 "grpc-status: 13 INTERNAL" "response: trailers-only"
if grep -qx 'grpc-message: request body ends inside a message' \
  "$tmp/truncated.err"; then
  ok "truncated: the server's grpc-message is decoded"
else
  fail "truncated: no grpc-message line"
fi

# Nobody listening: UNAVAILABLE, exit 1.
call refused "http://127.0.0.1:1/pkg.Service/Echo" x
expect refused 1 "grpc-status: 14 UNAVAILABLE" "grpc-status: 14 UNAVAILABLE"

# nghttp shows the frames: the unknown method's answer is one HEADERS
# frame with END_STREAM carrying grpc-status 12, and no DATA.
if command -v nghttp >/dev/null 2>&1; then
  printf '\0\0\0\0\5hello' >"$tmp/msg.bin"
  run nghttp -nv -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$tmp/msg.bin" "$base/Frobnicate" >"$tmp/nghttp.out" 2>&1 || true
  if [ "$(grep -c 'recv HEADERS frame' "$tmp/nghttp.out")" = 1 ] &&
    grep -A1 'recv HEADERS frame' "$tmp/nghttp.out" | grep -q END_STREAM &&
    grep -q 'grpc-status: 12' "$tmp/nghttp.out" &&
    ! grep -q 'recv DATA frame' "$tmp/nghttp.out"; then
    ok "nghttp: trailers-only on the wire (one HEADERS with END_STREAM)"
  else
    fail "nghttp: no trailers-only response seen"
    show "$tmp/nghttp.out"
  fi
  run nghttp -nv -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$tmp/msg.bin" "$base/Upper" >"$tmp/nghttp2.out" 2>&1 || true
  if grep -q 'recv DATA frame' "$tmp/nghttp2.out" &&
    grep -A1 'recv HEADERS frame' "$tmp/nghttp2.out" | grep -q END_STREAM &&
    grep -q 'grpc-status: 0' "$tmp/nghttp2.out"; then
    ok "nghttp: a good call has DATA, then trailers with grpc-status 0"
  else
    fail "nghttp: no DATA + trailers response seen"
    show "$tmp/nghttp2.out"
  fi
else
  echo "note: nghttp not installed, its checks are left out"
fi

# Not gRPC at all: a wrong content type is 415, another method 405.
if command -v curl >/dev/null 2>&1; then
  code=$(run curl -s -o /dev/null -w '%{http_code}' --http2-prior-knowledge \
    -d x "$base/Echo" || true)
  if [ "$code" = 415 ]; then ok "curl: text body -> 415"; else
    fail "curl: got '$code'"
  fi
  code=$(run curl -s -o /dev/null -w '%{http_code}' --http2-prior-knowledge \
    "$base/Echo" || true)
  if [ "$code" = 405 ]; then ok "curl: GET -> 405"; else
    fail "curl: GET got '$code'"
  fi
else
  echo "note: curl not installed, its checks are left out"
fi

# A server that is not gRPC: h2w-server answers the unknown path 404 with
# a text/plain body. The client must not read that text as gRPC messages:
# gRPC's HTTP-status mapping makes 404 status 12 UNIMPLEMENTED (not 1
# CANCELLED after resetting the stream itself).
gs_pid=$server_pid
gs_log=$server_log
if [ -x "$bin/h2w-server" ]; then
  start_server h2w "$bin/h2w-server" --host 127.0.0.1 --port 0
  call http404 "http://127.0.0.1:$server_port/pkg.Service/Echo" hello
  if [ "$rc" = 1 ] && grep -qxF 'grpc-status: 12 UNIMPLEMENTED' "$tmp/http404.err" &&
    grep -qxF 'error: HTTP status 404' "$tmp/http404.err" &&
    ! grep -q 'reset' "$tmp/http404.err" && no_alarm "$server_log"; then
    ok "404 text/plain from h2w-server -> 12 UNIMPLEMENTED, body not parsed"
  else
    fail "404 text/plain: exit $rc"
    show "$tmp/http404.err"
    show "$server_log"
  fi
else
  echo "note: h2w-server not built, the 404 check is left out"
fi
server_pid=$gs_pid
server_log=$gs_log

kill -TERM "$server_pid"
if wait_exit "$server_pid" 10 && [ "$exit_code" = 0 ]; then
  ok "server exits 0 on SIGTERM"
else
  fail "server did not exit 0 on SIGTERM"
fi
if no_alarm "$server_log"; then ok "nothing alarming in the server's output"; else
  fail "alarming server output"
  show "$server_log"
fi
finish
