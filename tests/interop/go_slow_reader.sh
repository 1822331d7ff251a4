#!/bin/bash
# shellcheck disable=SC2154 # bin, tmp, server_port, server_log, cert, key
# h2w-client uploading to Go's standard net/http server (TLS, ALPN h2)
# whose handler reads request bodies 512 octets at a time: Go 1.19 sends a
# stream and a connection WINDOW_UPDATE of about 512 octets for every
# Read. That is a legitimate peer, not a dribble attack (docs/security.md row 7;
# issue 15 saw 7 failures in 10 here). Several 5 MiB uploads, one after
# another, and two at once. The program is tests/interop/go/slowreader.
# Usage: go_slow_reader.sh <bin dir>   (ROUNDS=N: uploads, default 3)
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd go golang-go
need_tls_build
make_cert
: "${ROUNDS:=3}"
: "${SIZE:=5242880}"
size=$SIZE

go_build "$tmp/slowreader" "$(dirname "$0")/go/slowreader"

start_server go "$tmp/slowreader" -cert "$cert" -key "$key" -chunk 512
url=https://127.0.0.1:$server_port
random_file "$tmp/body" "$size"
i=1
while [ "$i" -le "$ROUNDS" ]; do
  rc=0
  run "$bin/h2w-client" --cacert "$cert" "$url/up/$i" -d "@$tmp/body" \
    >"$tmp/up.out" 2>"$tmp/up.err" || rc=$?
  if [ "$rc" = 0 ] && [ "$(cat "$tmp/up.out")" = "$size" ]; then
    ok "upload $i: $size octets read 512 at a time by Go"
  else
    fail "upload $i: exit $rc, Go counted '$(head -c 40 "$tmp/up.out")'"
    show "$tmp/up.err"
  fi
  i=$((i + 1))
done
rc=0
run "$bin/h2w-client" --cacert "$cert" -d "@$tmp/body" "$url/a" "$url/b" \
  >"$tmp/up.out" 2>"$tmp/up.err" || rc=$?
if [ "$rc" = 0 ] && [ "$(tr '\n' ' ' <"$tmp/up.out")" = "$size $size " ]; then
  ok "two uploads at once, $size octets each"
else
  fail "two uploads at once: exit $rc, Go counted" \
    "'$(tr '\n' ' ' <"$tmp/up.out" | head -c 40)'"
  show "$tmp/up.err"
fi
if grep -q 'error' "$server_log"; then
  fail "Go server reported an error"
  show "$server_log"
fi
finish
