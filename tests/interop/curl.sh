#!/bin/bash
# curl (libcurl + nghttp2) as the client of h2w-server, cleartext HTTP/2 with
# prior knowledge (RFC 9113 section 3.3). Usage: curl.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd curl curl
curl -V | grep -qw HTTP2 || skip "this curl has no HTTP/2 support"
need_bin h2w-server

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0
base=http://127.0.0.1:$server_port
c() { run curl -sS --http2-prior-knowledge "$@"; }

# GET /: status 200 over HTTP/2, a non-empty body, the same each time.
meta=$(c -o "$tmp/root1" -w '%{http_code} %{http_version}' "$base/") ||
  meta="curl exit $?"
if [ "$meta" = "200 2" ] && [ -s "$tmp/root1" ]; then
  ok "GET / -> 200 over HTTP/2, $(size_of "$tmp/root1") octets"
else
  fail "GET /: got '$meta' with $(size_of "$tmp/root1") octets, want '200 2'"
fi
c -o "$tmp/root2" "$base/" || true
check "GET / body is stable" cmp -s "$tmp/root1" "$tmp/root2"

# POST 1 MiB of random octets to /echo: more than the 65535-octet initial
# windows (RFC 9113 section 6.9.2), so both directions need WINDOW_UPDATE.
random_file "$tmp/upload" 1048576
meta=$(c --data-binary "@$tmp/upload" -H 'content-type: application/octet-stream' \
  -o "$tmp/echoed" -w '%{http_code}' "$base/echo") || meta="curl exit $?"
if [ "$meta" = 200 ] && cmp "$tmp/upload" "$tmp/echoed"; then
  ok "POST 1 MiB to /echo comes back identical"
else
  fail "POST /echo: status '$meta', $(size_of "$tmp/echoed") octets back"
fi

# 20 requests in parallel. curl 8 multiplexes them on one connection (it
# waits for the first connection to confirm HTTP/2 before adding streams).
# curl 7.x cannot reuse a prior-knowledge connection at all (every reuse
# fails with "Error in the HTTP2 framing layer", curl issue 10634, fixed in
# 8.0), so there the 20 requests go on 20 concurrent connections instead;
# multiplexing is then covered by the nghttp and h2load tests.
curl_major=$(curl -V | sed -n '1s/^curl \([0-9]*\)\..*/\1/p')
if [ "${curl_major:-0}" -ge 8 ]; then
  par_opts=(--parallel --parallel-max 20)
  want_conns=1
else
  echo "note: curl $curl_major.x: 20 connections, not one (curl issue 10634)"
  par_opts=(--parallel --parallel-immediate --parallel-max 20)
  want_conns=20
fi
urls=()
for i in $(seq 1 20); do
  urls+=(-o "$tmp/par.$i" "$base/bytes/$((i * 1000 + i))")
done
c "${par_opts[@]}" -w '%{http_code} %{num_connects}\n' \
  "${urls[@]}" >"$tmp/par.meta" 2>"$tmp/par.err" || echo "curl exit $?"
n200=$(grep -c '^200 ' "$tmp/par.meta" || true)
conns=$(awk '{ n += $2 } END { print n + 0 }' "$tmp/par.meta")
bad=0
for i in $(seq 1 20); do
  [ "$(size_of "$tmp/par.$i")" = $((i * 1000 + i)) ] || bad=$((bad + 1))
done
if [ "$n200" = 20 ] && [ "$bad" = 0 ]; then
  ok "20 parallel /bytes/N: all 200 with the right lengths"
else
  fail "20 parallel: $n200 x 200, $bad wrong lengths"
  show "$tmp/par.meta"
  show "$tmp/par.err"
fi
if [ "$conns" = "$want_conns" ]; then
  ok "20 parallel requests used $conns connection(s)"
else
  fail "20 parallel requests used $conns connections, want $want_conns"
fi

# A large response: 1000000 octets, more than the client's initial windows.
meta=$(c -o "$tmp/million" -w '%{http_code}' "$base/bytes/1000000") ||
  meta="curl exit $?"
size=$(size_of "$tmp/million")
if [ "$meta" = 200 ] && [ "$size" = 1000000 ]; then
  ok "GET /bytes/1000000 -> 1000000 octets"
else
  fail "GET /bytes/1000000: status '$meta', $size octets"
fi

meta=$(c -o "$tmp/missing" -w '%{http_code}' "$base/no/such/path") ||
  meta="curl exit $?"
if [ "$meta" = 404 ]; then ok "unknown path -> 404"; else
  fail "unknown path: status '$meta', want 404"
fi

# Streaming: 3 lines, one per 50 ms, so at least two intervals pass.
meta=$(c -o "$tmp/events" -w '%{http_code} %{time_total}' \
  "$base/events?interval_ms=50&count=3") || meta="curl exit $?"
lines=$(wc -l <"$tmp/events" | tr -d ' ')
slow=$(echo "$meta" | awk '{ print ($2 >= 0.09) ? "yes" : "no" }')
if [ "${meta%% *}" = 200 ] && [ "$lines" = 3 ] && [ "$slow" = yes ]; then
  ok "/events?interval_ms=50&count=3 -> 3 lines in ${meta#* }s"
else
  fail "/events: status/time '$meta', $lines lines, want 200, 3 lines, >= 0.09s"
  show "$tmp/events"
fi

if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
finish
