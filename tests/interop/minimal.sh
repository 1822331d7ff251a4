#!/bin/bash
# examples/minimal: minimal-server against curl and h2load, minimal-client
# against nghttpd and h2w-server, and the lifecycle both promise (graceful
# close, EOF, SIGTERM). Usage: minimal.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_bin minimal-server
need_bin minimal-client
need_cmd curl curl
need_cmd h2load nghttp2-client
need_cmd nghttpd nghttp2-server
need_bin h2w-server
[ -x "$PY" ] || skip "$PY not found (needed to pick a free port)"

hello='hello from minimal-server'
start_server msrv "$bin/minimal-server" 0
mport=$server_port
msrv_pid=$server_pid

out=$(run curl -sS --http2-prior-knowledge "http://127.0.0.1:$mport/x" \
  -w '|%{http_version} %{http_code}' 2>&1 || true)
check "curl: HTTP/2 200 and the greeting" \
  test "$out" = "$hello
|2 200"

run h2load -n 2000 -c 8 -m 16 "http://127.0.0.1:$mport/" >"$tmp/h2load.out" 2>&1 || true
if grep -q '2000 succeeded, 0 failed, 0 errored, 0 timeout' "$tmp/h2load.out" &&
  grep -q 'status codes: 2000 2xx' "$tmp/h2load.out"; then
  ok "h2load: 2000 requests on 8 connections, all 2xx"
else
  fail "h2load"
  show "$tmp/h2load.out"
fi

# The server's own client, three streams on one connection.
rc=0
run "$bin/minimal-client" "http://127.0.0.1:$mport/a" "http://127.0.0.1:$mport/b" \
  "http://127.0.0.1:$mport/c" >"$tmp/mc.out" 2>"$tmp/mc.err" || rc=$?
if [ "$rc" = 0 ] && [ "$(grep -c "^$hello\$" "$tmp/mc.out")" = 3 ] &&
  [ "$(grep -cE '^http://127.0.0.1:[0-9]+/[abc] -> 200 \(26 bytes\)$' "$tmp/mc.err")" = 3 ]; then
  ok "minimal-client against minimal-server: 3 streams"
else
  fail "minimal-client against minimal-server: exit $rc"
  show "$tmp/mc.err"
fi

# EOF: a client that sends half a preface and closes must not stall the
# server, which still answers the next client.
printf 'PRI * HTTP/2.0\r\n' >"$tmp/half"
(exec 3<>"/dev/tcp/127.0.0.1/$mport" && cat "$tmp/half" >&3 && exec 3>&-) || true
out=$(run curl -sS --http2-prior-knowledge "http://127.0.0.1:$mport/" 2>&1 || true)
check "a client that closes mid-preface does not disturb the next" \
  test "$out" = "$hello"

# Graceful stop: SIGTERM, exit 0 with no error printed.
kill -TERM "$msrv_pid"
if wait_exit "$msrv_pid" 10 && [ "$exit_code" = 0 ] && no_alarm "$server_log"; then
  ok "minimal-server: SIGTERM, exit 0"
else
  fail "minimal-server did not stop cleanly on SIGTERM (exit ${exit_code:-?})"
  show "$server_log"
fi

# minimal-client against nghttpd: a file, a missing file, two at once.
docroot=$tmp/docroot
mkdir "$docroot"
printf 'small file\n' >"$docroot/small.txt"
random_file "$docroot/big.bin" 300000
port=$(free_port)
spawn nghttpd nghttpd --no-tls -a 127.0.0.1 -d "$docroot" "$port"
if ! wait_port "$port" "$spawned_pid"; then
  echo "FAIL nghttpd did not start on port $port"
  show "$tmp/nghttpd.log"
  exit 1
fi
rc=0
run "$bin/minimal-client" "http://127.0.0.1:$port/big.bin" >"$tmp/big" \
  2>"$tmp/mc.err" || rc=$?
if [ "$rc" = 0 ] && cmp -s "$docroot/big.bin" "$tmp/big" &&
  grep -q ' -> 200 (300000 bytes)$' "$tmp/mc.err"; then
  ok "minimal-client against nghttpd: 300000 octets, byte for byte"
else
  fail "minimal-client against nghttpd: exit $rc"
  show "$tmp/mc.err"
fi
rc=0
run "$bin/minimal-client" "http://127.0.0.1:$port/small.txt" \
  "http://127.0.0.1:$port/nope" >"$tmp/mc.out" 2>"$tmp/mc.err" || rc=$?
if [ "$rc" = 0 ] && grep -q '/small.txt -> 200 (11 bytes)$' "$tmp/mc.err" &&
  grep -q '/nope -> 404 (' "$tmp/mc.err"; then
  ok "minimal-client against nghttpd: 200 and 404 on one connection"
else
  fail "minimal-client against nghttpd, two streams: exit $rc"
  show "$tmp/mc.err"
fi

# minimal-client against h2w-server: its graceful close must leave the
# server without complaint.
start_server h2w "$bin/h2w-server" --host 127.0.0.1 --port 0
rc=0
run "$bin/minimal-client" "http://127.0.0.1:$server_port/bytes/100000" \
  "http://127.0.0.1:$server_port/" >"$tmp/mc.out" 2>"$tmp/mc.err" || rc=$?
if [ "$rc" = 0 ] && grep -q '/bytes/100000 -> 200 (100000 bytes)$' "$tmp/mc.err" &&
  grep -qE '127.0.0.1:[0-9]+/ -> 200 \([0-9]+ bytes\)$' "$tmp/mc.err"; then
  ok "minimal-client against h2w-server"
else
  fail "minimal-client against h2w-server: exit $rc"
  show "$tmp/mc.err"
fi
rc=0
run "$bin/minimal-client" "http://127.0.0.1:$server_port/nope" >/dev/null \
  2>"$tmp/mc.err" || rc=$?
check "minimal-client: a 404 is a whole response (exit 0)" \
  grep -q '/nope -> 404 (' "$tmp/mc.err"
rc=0
run "$bin/minimal-client" "ftp://x/" >/dev/null 2>"$tmp/mc.err" || rc=$?
check "minimal-client: a bad URL is named, exit 2" \
  test "$rc" = 2 -a -n "$(grep '^minimal-client: ftp://x/: ' "$tmp/mc.err")"
check "h2w-server log clean" no_alarm "$server_log"

# EOF mid-response: a server that closes after its SETTINGS, without
# answering. The client names the open stream, h2w_session_eof() ends it
# (on_stream_close: "closed early") and it exits 1 without hanging.
start_server closer "$PY" -c '
import socket
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
print("listening on 127.0.0.1:%d" % l.getsockname()[1], flush=True)
c, _ = l.accept()
c.recv(24)  # the preface, most likely the whole of it
c.sendall(bytes(3) + bytes([4]) + bytes(5))  # an empty SETTINGS
c.shutdown(socket.SHUT_WR)
c.recv(65536)
'
rc=0
run "$bin/minimal-client" "http://127.0.0.1:$server_port/x" >/dev/null \
  2>"$tmp/mc.err" || rc=$?
if [ "$rc" = 1 ] &&
  grep -q 'connection closed by the server with 1 stream(s) open' "$tmp/mc.err" &&
  grep -q '/x: stream closed early' "$tmp/mc.err"; then
  ok "minimal-client: the server's EOF ends the open stream, exit 1"
else
  fail "minimal-client after the server's EOF: exit $rc"
  show "$tmp/mc.err"
fi
finish
