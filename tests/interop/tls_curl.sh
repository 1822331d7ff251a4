#!/bin/bash
# h2w-server over TLS (--cert/--key) with curl as the client: h2 chosen by
# ALPN (RFC 9113 section 3.2, RFC 7301), and the server's refusals checked
# with openssl s_client: TLS below 1.2, the RFC 9113 Appendix A cipher
# suites, a client that does not offer h2. Usage: tls_curl.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd curl curl
curl -V | grep -qw HTTP2 || skip "this curl has no HTTP/2 support"
curl -V | grep -qiE 'openssl|gnutls|wolfssl|mbedtls' || skip "this curl has no TLS"
need_tls_build
make_cert

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0 \
  --cert "$cert" --key "$key"
base=https://127.0.0.1:$server_port
c() { run curl -sS --http2 "$@"; }

# GET /: 200 over HTTP/2, first skipping verification, then trusting the
# test certificate (its subjectAltName holds IP 127.0.0.1).
meta=$(c -k -o "$tmp/root" -w '%{http_code} %{http_version}' "$base/") ||
  meta="curl exit $?"
if [ "$meta" = "200 2" ] && [ -s "$tmp/root" ]; then
  ok "curl -k https://: 200 over h2"
else
  fail "curl -k https://: got '$meta', want '200 2'"
fi
meta=$(c --cacert "$cert" -o /dev/null -w '%{http_code} %{http_version}' \
  "$base/") || meta="curl exit $?"
if [ "$meta" = "200 2" ]; then ok "curl --cacert (verified): 200 over h2"; else
  fail "curl --cacert: got '$meta', want '200 2'"
fi

# 1 MiB each way: more than the initial windows, so WINDOW_UPDATEs travel
# inside TLS records both ways.
random_file "$tmp/upload" 1048576
meta=$(c -k --data-binary "@$tmp/upload" -o "$tmp/echoed" -w '%{http_code}' \
  "$base/echo") || meta="curl exit $?"
if [ "$meta" = 200 ] && cmp -s "$tmp/upload" "$tmp/echoed"; then
  ok "POST 1 MiB to /echo over TLS comes back identical"
else
  fail "POST /echo over TLS: status '$meta', $(size_of "$tmp/echoed") octets back"
fi
meta=$(c -k -o "$tmp/million" -w '%{http_code}' "$base/bytes/1000000") ||
  meta="curl exit $?"
size=$(size_of "$tmp/million")
if [ "$meta" = 200 ] && [ "$size" = 1000000 ]; then
  ok "GET /bytes/1000000 over TLS -> 1000000 octets"
else
  fail "GET /bytes/1000000 over TLS: status '$meta', $size octets"
fi

# 20 parallel requests multiplexed on one TLS connection.
urls=()
for i in $(seq 1 20); do
  urls+=(-o "$tmp/par.$i" "$base/bytes/$((i * 1000 + i))")
done
c -k --parallel --parallel-max 20 -w '%{http_code} %{num_connects}\n' \
  "${urls[@]}" >"$tmp/par.meta" 2>"$tmp/par.err" || echo "curl exit $?"
n200=$(grep -c '^200 ' "$tmp/par.meta" || true)
conns=$(awk '{ n += $2 } END { print n + 0 }' "$tmp/par.meta")
bad=0
for i in $(seq 1 20); do
  [ "$(size_of "$tmp/par.$i")" = $((i * 1000 + i)) ] || bad=$((bad + 1))
done
if [ "$n200" = 20 ] && [ "$bad" = 0 ] && [ "$conns" = 1 ]; then
  ok "20 parallel /bytes/N on one TLS connection"
else
  fail "20 parallel over TLS: $n200 x 200, $bad wrong lengths, $conns connections"
  show "$tmp/par.meta"
fi

meta=$(c -k -o "$tmp/events" -w '%{http_code}' \
  "$base/events?interval_ms=50&count=3") || meta="curl exit $?"
lines=$(wc -l <"$tmp/events" | tr -d ' ')
if [ "$meta" = 200 ] && [ "$lines" = 3 ]; then
  ok "/events streams 3 lines over TLS"
else
  fail "/events over TLS: status '$meta', $lines lines"
fi

# A client offering only http/1.1 is refused in the handshake.
rc=0
run curl -sS -k --http1.1 -o /dev/null "$base/" 2>"$tmp/h1.err" || rc=$?
if [ "$rc" != 0 ] && grep -qi 'no application protocol' "$tmp/h1.err"; then
  ok "curl --http1.1 (ALPN http/1.1 only) refused: no_application_protocol"
else
  fail "curl --http1.1: exit $rc, want the no_application_protocol alert"
  show "$tmp/h1.err"
fi

# openssl s_client: offer exactly one version/suite/ALPN list and read the
# server's answer (an alert, or the negotiated parameters).
sclient() {
  run openssl s_client -connect "127.0.0.1:$server_port" "$@" \
    </dev/null 2>&1 | tr -d '\0' || true
}
out=$(sclient -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -alpn h2)
if echo "$out" | grep -q 'ALPN protocol: h2' &&
  echo "$out" | grep -q 'Cipher is ECDHE-RSA-AES128-GCM-SHA256'; then
  ok "TLS 1.2 with the mandatory suite ECDHE-RSA-AES128-GCM-SHA256: h2"
else
  fail "TLS 1.2 + ECDHE-RSA-AES128-GCM-SHA256 did not give h2"
  echo "$out" | head -20
fi
out=$(sclient -tls1_3 -alpn h2)
if echo "$out" | grep -q 'ALPN protocol: h2' &&
  echo "$out" | grep -q 'New, TLSv1.3, Cipher is'; then
  ok "TLS 1.3: h2"
else
  fail "TLS 1.3 did not give h2"
  echo "$out" | head -20
fi
# The client must be allowed to offer TLS 1.1 at all (security level 0)
# for the refusal to be the server's: alert 70 protocol_version.
out=$(sclient -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -alpn h2)
if echo "$out" | grep -q 'alert protocol version'; then
  ok "TLS 1.1 refused by the server (protocol_version alert)"
else
  fail "TLS 1.1 not refused with protocol_version"
  echo "$out" | head -20
fi
# Appendix A suites: CBC with ECDHE, and static RSA key exchange even
# with GCM. Alert 40 handshake_failure: no shared cipher.
for suite in ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 \
  AES256-SHA; do
  out=$(sclient -tls1_2 -cipher "$suite:@SECLEVEL=0" -alpn h2)
  if echo "$out" | grep -q 'alert handshake failure'; then
    ok "TLS 1.2 $suite (RFC 9113 Appendix A) refused"
  else
    fail "TLS 1.2 $suite was not refused"
    echo "$out" | head -20
  fi
done
out=$(sclient -tls1_3 -alpn http/1.1,h2c)
if echo "$out" | grep -q 'alert no application protocol'; then
  ok "ALPN without h2 (http/1.1, h2c) refused (no_application_protocol)"
else
  fail "ALPN http/1.1,h2c not refused"
  echo "$out" | head -20
fi

if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
stop_server_clean
finish
