#!/bin/bash
# h2w-client against nghttpd (nghttp2's server), cleartext HTTP/2 with prior
# knowledge. Usage: nghttpd_client.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd nghttpd nghttp2-server
need_bin h2w-client
[ -x "$PY" ] || skip "$PY not found (needed to pick a free port)"

docroot=$tmp/docroot
mkdir "$docroot"
random_file "$docroot/a.bin" 150000
random_file "$docroot/b.bin" 1048576
printf 'small file\n' >"$docroot/small.txt"

# start_nghttpd <name> <nghttpd options...>: nghttpd cannot report a port it
# chose, so take one that was free a moment ago; sets base.
start_nghttpd() {
  local name=$1 port
  shift
  port=$(free_port)
  spawn "$name" nghttpd --no-tls -a 127.0.0.1 -d "$docroot" "$@" "$port"
  if ! wait_port "$port" "$spawned_pid"; then
    echo "FAIL nghttpd did not start on port $port"
    show "$tmp/$name.log"
    exit 1
  fi
  base=http://127.0.0.1:$port
}

start_nghttpd plain --echo-upload
client_ok "GET one small file" "$docroot/small.txt" "$base/small.txt"
cat "$docroot/a.bin" "$docroot/b.bin" >"$tmp/ab"
client_ok "GET two files concurrently, bodies in URL order" "$tmp/ab" \
  "$base/a.bin" "$base/b.bin"
client_ok "POST 1 MiB from a file, echoed" "$docroot/b.bin" \
  -d "@$docroot/b.bin" "$base/echo"
printf 'inline data' >"$tmp/inline"
client_ok "POST -d DATA, echoed" "$tmp/inline" -d 'inline data' "$base/echo"
# A 404 is a completed response too: exit 0, the status on stderr.
rc=0
run "$bin/h2w-client" --prior-knowledge "$base/missing.txt" >/dev/null \
  2>"$tmp/client.err" || rc=$?
if [ "$rc" = 0 ] && grep -q " -> 404 (" "$tmp/client.err"; then
  ok "GET a missing file: 404, exit 0"
else
  fail "GET a missing file: exit $rc"
  show "$tmp/client.err"
fi

# Small windows on nghttpd's side (stream 2^12-1, connection 2^15-1
# octets): the client's upload must wait for WINDOW_UPDATE (RFC 9113
# section 6.9). Padding on every frame nghttpd sends (section 6.1).
start_nghttpd tight --echo-upload -w 12 -W 15 -b 64
client_ok "POST 1 MiB through 4095/32767-octet windows" "$docroot/b.bin" \
  -d "@$docroot/b.bin" "$base/echo"
client_ok "GET two files, padded frames" "$tmp/ab" "$base/a.bin" "$base/b.bin"

finish
