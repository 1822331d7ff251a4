#!/bin/bash
# h2c through the HTTP/1.1 Upgrade (RFC 7540 section 3.2) on h2w-server's
# cleartext port: curl --http2 and nghttp -u as clients, h2w-client
# --upgrade, and the HTTP/1.1 answers for requests that do not upgrade.
# Usage: upgrade_curl.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd curl curl
curl -V | grep -qw HTTP2 || skip "this curl has no HTTP/2 support"
need_bin h2w-server
need_bin h2w-client

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0
base=http://127.0.0.1:$server_port
c() { run curl -sS --http2 "$@"; }

# The reference body: GET / with prior knowledge.
run curl -sS --http2-prior-knowledge -o "$tmp/root.pk" "$base/" || true

meta=$(c -o "$tmp/root" -w '%{http_code} %{http_version}' "$base/") ||
  meta="curl exit $?"
if [ "$meta" = "200 2" ] && [ -s "$tmp/root" ] &&
  cmp -s "$tmp/root" "$tmp/root.pk"; then
  ok "curl --http2 (Upgrade: h2c): GET / -> 200 over HTTP/2, same body"
else
  fail "curl --http2 GET /: got '$meta', want '200 2' and the same body"
fi

# A response bigger than the initial window, all of it after the 101.
meta=$(c -o "$tmp/million" -w '%{http_code} %{http_version}' \
  "$base/bytes/1000000") || meta="curl exit $?"
size=$(size_of "$tmp/million")
if [ "$meta" = "200 2" ] && [ "$size" = 1000000 ]; then
  ok "Upgrade: GET /bytes/1000000 -> 1000000 octets"
else
  fail "Upgrade: GET /bytes/1000000: '$meta', $size octets"
fi

# Two URLs in one curl run: the second reuses the upgraded connection.
c -o "$tmp/one" -o "$tmp/two" -w '%{http_code} %{http_version} %{num_connects}\n' \
  "$base/bytes/100" "$base/bytes/200" >"$tmp/two.meta" || true
if [ "$(tr '\n' ' ' <"$tmp/two.meta")" = "200 2 1 200 2 0 " ] &&
  [ "$(size_of "$tmp/one")" = 100 ] && [ "$(size_of "$tmp/two")" = 200 ]; then
  ok "Upgrade, then a second request on the same HTTP/2 connection"
else
  fail "two URLs after an upgrade: $(tr '\n' ' ' <"$tmp/two.meta")"
fi

# HEAD through the upgrade: the session knows stream 1 has no content.
c -I -o "$tmp/head" -w '%{http_code} %{http_version}' "$base/bytes/777" \
  >"$tmp/head.meta" || true
if [ "$(cat "$tmp/head.meta")" = "200 2" ] &&
  grep -qi '^content-length: 777' "$tmp/head"; then
  ok "Upgrade with HEAD: 200, content-length 777, no content"
else
  fail "Upgrade with HEAD: '$(cat "$tmp/head.meta")'"
  show "$tmp/head"
fi

# An upgrade request with a body is answered 400 over HTTP/1.1 (this
# server only upgrades bodiless requests).
meta=$(c -d 'some body' -o "$tmp/post" -w '%{http_code} %{http_version}' \
  "$base/echo") || meta="curl exit $?"
if [ "$meta" = "400 1.1" ] && grep -q 'request body' "$tmp/post"; then
  ok "Upgrade with a request body -> HTTP/1.1 400 with a reason"
else
  fail "Upgrade with a body: '$meta'"
fi

# Plain HTTP/1.1 without Upgrade: 505 and a short explanation.
meta=$(run curl -sS --http1.1 -o "$tmp/h1" -w '%{http_code} %{http_version}' \
  "$base/") || meta="curl exit $?"
if [ "$meta" = "505 1.1" ] && grep -q 'HTTP/2 only' "$tmp/h1"; then
  ok "HTTP/1.1 without Upgrade -> 505"
else
  fail "plain HTTP/1.1: '$meta'"
fi

# raw <request>: send octets (printf %b escapes), print the answer.
raw() {
  run bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%b" "$2" >&3 &&
    cat <&3' _ "$server_port" "$1" 2>/dev/null || true
}
up='GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n'
out=$(raw "${up}HTTP2-Settings: AAMAAABk!\r\n\r\n")
if echo "$out" | head -1 | grep -q '^HTTP/1.1 400 ' &&
  echo "$out" | grep -q 'malformed HTTP2-Settings'; then
  ok "Upgrade with a malformed HTTP2-Settings -> 400"
else
  fail "malformed HTTP2-Settings: '$(echo "$out" | head -1)'"
fi
# 5 octets: not a whole number of 6-octet settings.
out=$(raw "${up}HTTP2-Settings: AAMAAAA\r\n\r\n")
if echo "$out" | head -1 | grep -q '^HTTP/1.1 400 '; then
  ok "Upgrade with a truncated SETTINGS payload -> 400"
else
  fail "truncated HTTP2-Settings: '$(echo "$out" | head -1)'"
fi
out=$(raw "${up}HTTP2-Settings: AAMAAABk\r\nHTTP2-Settings: AAMAAABk\r\n\r\n")
if echo "$out" | head -1 | grep -q '^HTTP/1.1 400 '; then
  ok "Upgrade with two HTTP2-Settings fields -> 400"
else
  fail "two HTTP2-Settings: '$(echo "$out" | head -1)'"
fi
out=$(raw 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n')
if echo "$out" | head -1 | grep -q '^HTTP/1.1 400 '; then
  ok "Upgrade without HTTP2-Settings in Connection -> 400"
else
  fail "HTTP2-Settings not in Connection: '$(echo "$out" | head -1)'"
fi
out=$(raw '\x16\x03\x01\x00\x05hello')
if echo "$out" | head -1 | grep -q '^HTTP/1.1 400 '; then
  ok "a TLS record on the cleartext port -> 400 at once"
else
  fail "TLS record on the cleartext port: '$(echo "$out" | head -1)'"
fi

# nghttp -u: nghttp2's client upgrades the same way.
if command -v nghttp >/dev/null 2>&1; then
  rc=0
  run nghttp -u -v "$base/bytes/5000" >"$tmp/nghttp.out" 2>&1 || rc=$?
  if [ "$rc" = 0 ] && grep -q 'HTTP Upgrade success' "$tmp/nghttp.out"; then
    ok "nghttp -u: HTTP Upgrade success"
  else
    fail "nghttp -u: exit $rc"
    show "$tmp/nghttp.out"
  fi
else
  echo "note: nghttp not found, its upgrade check is left out"
fi

# h2w-client --upgrade: the first URL on stream 1, the others on 3, 5...
cat "$tmp/one" "$tmp/root.pk" >"$tmp/want"
printf 'posted' >>"$tmp/want"
rc=0
run "$bin/h2w-client" --upgrade "$base/bytes/100" "$base/" -d posted \
  "$base/echo" >"$tmp/cli.out" 2>"$tmp/cli.err" || rc=$?
if [ "$rc" = 0 ] && cmp -s "$tmp/want" "$tmp/cli.out" &&
  [ "$(grep -c ' -> 200 (' "$tmp/cli.err")" = 3 ]; then
  ok "h2w-client --upgrade: 3 URLs, bodies in order"
else
  fail "h2w-client --upgrade: exit $rc"
  show "$tmp/cli.err"
fi
rc=0
run "$bin/h2w-client" --upgrade -d x "$base/echo" >/dev/null 2>&1 || rc=$?
if [ "$rc" = 2 ]; then ok "h2w-client --upgrade with a body first: usage error"; else
  fail "h2w-client --upgrade -d: exit $rc, want 2"
fi

if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
stop_server_clean
finish
