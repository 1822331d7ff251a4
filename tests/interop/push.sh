#!/bin/bash
# Server push (RFC 9113 section 8.4) across implementations:
#   nghttp (nghttp2's client, push on by default) against h2w-server's
#   GET /push, which promises /pushed.css;
#   h2w-client --push against h2w-server and against nghttpd --push.
# Usage: push.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd nghttp nghttp2-client
need_cmd nghttpd nghttp2-server
need_bin h2w-server
need_bin h2w-client
[ -x "$PY" ] || skip "$PY not found (needed to pick a free port)"

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0
base=http://127.0.0.1:$server_port

# The page and the stylesheet, as h2w-server serves them (fetched without
# push, so these do not depend on push working).
run "$bin/h2w-client" --prior-knowledge "$base/push" >"$tmp/page" 2>/dev/null
run "$bin/h2w-client" --prior-knowledge "$base/pushed.css" >"$tmp/css" \
  2>/dev/null
cat "$tmp/page" "$tmp/css" >"$tmp/page+css"
check "the page and the stylesheet are not empty" test -s "$tmp/css"

# nghttp opens its request on stream 13 (after five PRIORITY-only dummy
# streams), so the checks accept any odd request stream.
# nghttp: the statistics table marks a pushed stream with '*' in the
# requestStart column; the trace shows the PUSH_PROMISE and no reset.
rc=0
run nghttp -ns "$base/push" >"$tmp/stats" 2>"$tmp/err" || rc=$?
if [ "$rc" = 0 ] && grep -Eq '^ *2 .*\* .* 200 +[0-9]+ /pushed\.css$' "$tmp/stats" &&
  grep -Eq ' 200 +[0-9]+ /push$' "$tmp/stats" && ! [ -s "$tmp/err" ]; then
  ok "nghttp GET /push: /pushed.css pushed on stream 2"
else
  fail "nghttp GET /push: exit $rc"
  show "$tmp/stats"
  show "$tmp/err"
fi
rc=0
run nghttp -nv "$base/push" >"$tmp/trace" 2>&1 || rc=$?
trace_has() { grep -qE "$1" "$tmp/trace"; }
check "PUSH_PROMISE on the request stream" \
  trace_has 'recv PUSH_PROMISE frame <length=[0-9]+, flags=0x04, stream_id=[0-9]*[13579]>'
check "promised stream 2, :path /pushed.css" \
  trace_has 'promised_stream_id=2'
check "promised :path /pushed.css" \
  trace_has 'recv \(stream_id=[0-9]*[13579]\) :path: /pushed.css'
check "the pushed response on stream 2" \
  trace_has 'recv \(stream_id=2\) :status: 200'
if trace_has 'recv RST_STREAM frame' || trace_has 'error_code=PROTOCOL_ERROR'; then
  fail "a reset or protocol error in the push exchange"
  show "$tmp/trace"
else
  ok "no reset, no protocol error"
fi

# nghttp --no-push announces SETTINGS_ENABLE_PUSH 0: the server must not
# push, and the page still comes.
rc=0
run nghttp -nv --no-push "$base/push" >"$tmp/trace" 2>&1 || rc=$?
if [ "$rc" = 0 ] && ! trace_has 'PUSH_PROMISE' &&
  trace_has 'recv \(stream_id=[0-9]*[13579]\) :status: 200'; then
  ok "nghttp --no-push: no PUSH_PROMISE, the page alone"
else
  fail "nghttp --no-push: exit $rc"
  show "$tmp/trace"
fi

# h2w-client --push: the page, then the pushed stylesheet, on stdout; the
# pushed response gets its own "pushed URL -> 200" status line.
client_ok "h2w-client --push GET /push" "$tmp/page+css" --push "$base/push"
if grep -Eq "^pushed http://127\.0\.0\.1:$server_port/pushed\.css -> 200 \([0-9]+ bytes\)$" \
  "$tmp/client.err"; then
  ok "h2w-client reports the pushed response"
else
  fail "no 'pushed ... -> 200' line"
  show "$tmp/client.err"
fi
# Without --push the client announces ENABLE_PUSH 0: only the page.
client_ok "h2w-client without --push: the page alone" "$tmp/page" "$base/push"

# h2w-client --push against nghttpd pushing a file with each page.
docroot=$tmp/docroot
mkdir "$docroot"
random_file "$docroot/index.bin" 70000
random_file "$docroot/style.bin" 150000
port=$(free_port)
spawn nghttpd nghttpd --no-tls -a 127.0.0.1 -d "$docroot" \
  -p /index.bin=/style.bin "$port"
if ! wait_port "$port" "$spawned_pid"; then
  fail "nghttpd did not start on port $port"
  show "$tmp/nghttpd.log"
  finish
fi
cat "$docroot/index.bin" "$docroot/style.bin" >"$tmp/pushed-both"
client_ok "h2w-client --push against nghttpd: page and pushed file" \
  "$tmp/pushed-both" --push "http://127.0.0.1:$port/index.bin"
check "nghttpd's push reported" grep -q '^pushed http://127.0.0.1:[0-9]*/style.bin -> 200 (150000 bytes)$' "$tmp/client.err"
client_ok "h2w-client without --push against nghttpd: the page alone" \
  "$docroot/index.bin" "http://127.0.0.1:$port/index.bin"

finish
