#!/bin/bash
# downchannel-client over TLS (https://, h2 chosen by ALPN, RFC 9113 §3.2)
# against h2w-server --cert/--key: the downchannel opens and events flow;
# a certificate it cannot verify is refused (and -k accepts it).
# Usage: downchannel_tls.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_bin downchannel-client
need_tls_build
if "$bin/downchannel-client" --help 2>&1 | grep -q 'this build has no TLS'; then
  skip "downchannel-client was built without TLS (apt-get install -y libssl-dev, configure again)"
fi
make_cert
TEST_BUDGET=40

start_server tls "$bin/h2w-server" --host 127.0.0.1 --port 0 --cert "$cert" --key "$key"
url="https://127.0.0.1:$server_port/events?interval_ms=50&count=3"

# Three events, then the stream ends: with --max-reconnects 0 the client
# gives up at once (exit 1) after printing them.
rc=0
run "$bin/downchannel-client" --cacert "$cert" --max-reconnects 0 "$url" \
  >"$tmp/dc.out" 2>"$tmp/dc.err" || rc=$?
if [ "$rc" = 1 ] && grep -qE '^[0-9T:.-]+Z connected$' "$tmp/dc.out" &&
  [ "$(grep -cE 'Z event event [123]$' "$tmp/dc.out")" = 3 ]; then
  ok "https:// with --cacert: connected, 3 events over TLS"
else
  fail "https:// with --cacert: exit $rc"
  show "$tmp/dc.out"
  show "$tmp/dc.err"
fi

# Without --cacert the self-signed certificate does not verify.
rc=0
run "$bin/downchannel-client" --max-reconnects 0 "$url" >"$tmp/nv.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q 'giving up after 0 reconnects: TLS' "$tmp/nv.out" &&
  ! grep -q ' connected$' "$tmp/nv.out"; then
  ok "https:// without a trusted certificate: refused ($(grep -o 'TLS.*' "$tmp/nv.out" | head -c 80))"
else
  fail "https:// with an unverifiable certificate: exit $rc"
  show "$tmp/nv.out"
fi

# -k skips the check.
rc=0
run "$bin/downchannel-client" -k --max-reconnects 0 "$url" >"$tmp/k.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && [ "$(grep -cE 'Z event event [123]$' "$tmp/k.out")" = 3 ]; then
  ok "-k: events over TLS"
else
  fail "-k: exit $rc"
  show "$tmp/k.out"
fi
check "h2w-server log clean" no_alarm "$server_log"
finish
