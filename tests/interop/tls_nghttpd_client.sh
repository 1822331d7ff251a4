#!/bin/bash
# h2w-client over TLS (https://, ALPN h2) against nghttpd (nghttp2's
# server) with a throwaway certificate; and the client's refusals: an
# untrusted certificate, a name mismatch, a TLS server without h2.
# Usage: tls_nghttpd_client.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd nghttpd nghttp2-server
need_tls_build
[ -x "$PY" ] || skip "$PY not found (needed to pick a free port)"
make_cert

docroot=$tmp/docroot
mkdir "$docroot"
random_file "$docroot/a.bin" 150000
random_file "$docroot/b.bin" 1048576
printf 'small file\n' >"$docroot/small.txt"

# start_tls_server <name> <command...with PORT for the port>: sets base.
start_tls_server() {
  local name=$1 port a args=()
  shift
  port=$(free_port)
  for a in "$@"; do args+=("${a//PORT/$port}"); done
  spawn "$name" "${args[@]}"
  if ! wait_port "$port" "$spawned_pid"; then
    echo "FAIL $name did not start on port $port"
    show "$tmp/$name.log"
    exit 1
  fi
  base=https://127.0.0.1:$port
}

start_tls_server nghttpd nghttpd -a 127.0.0.1 -d "$docroot" --echo-upload \
  PORT "$key" "$cert"
tls_client_ok "GET a small file, certificate verified (--cacert)" \
  "$docroot/small.txt" --cacert "$cert" "$base/small.txt"
cat "$docroot/a.bin" "$docroot/b.bin" >"$tmp/ab"
tls_client_ok "GET two files concurrently over TLS" "$tmp/ab" \
  --cacert "$cert" "$base/a.bin" "$base/b.bin"
tls_client_ok "POST 1 MiB from a file over TLS, echoed" "$docroot/b.bin" \
  -k -d "@$docroot/b.bin" "$base/echo"
cat "$docroot/small.txt" "$docroot/a.bin" "$docroot/small.txt" >"$tmp/mix"
tls_client_ok "-k: GET three URLs, one of them twice" "$tmp/mix" -k \
  "$base/small.txt" "$base/a.bin" "$base/small.txt"
tls_client_fails "an untrusted certificate is refused" \
  'certificate verification' "$base/small.txt"

# A certificate trusted but issued for another name: the identity check
# (RFC 9110 section 4.3.4) refuses it.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 \
  -keyout "$tmp/other.key" -out "$tmp/other.pem" -subj /CN=other.example \
  -addext 'subjectAltName=DNS:other.example' >/dev/null 2>&1
start_tls_server other nghttpd -a 127.0.0.1 -d "$docroot" PORT \
  "$tmp/other.key" "$tmp/other.pem"
tls_client_fails "a certificate for another name is refused" \
  'certificate verification: IP address mismatch' --cacert "$tmp/other.pem" "$base/small.txt"

# A TLS server that negotiates no application protocol at all: the client
# must not speak HTTP/2 to it (RFC 9113 section 3.2).
start_tls_server sserver openssl s_server -accept 127.0.0.1:PORT \
  -cert "$cert" -key "$key" -www
tls_client_fails "a TLS server without ALPN h2 is left at once" \
  'did not negotiate h2' -k "$base/"

finish
