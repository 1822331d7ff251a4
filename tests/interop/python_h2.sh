#!/bin/bash
# h2w-client against tests/interop/h2_server.py (python3-h2), cleartext
# HTTP/2 with prior knowledge. Usage: python_h2.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_python_h2
need_bin h2w-client
here=$(cd "$(dirname "$0")" && pwd)

random_file "$tmp/big" 300000
random_file "$tmp/upload" 300000
printf 'hello from python-h2\n' >"$tmp/hello"

# start_py <name> <h2_server.py options...>: sets base.
start_py() {
  local name=$1
  shift
  start_server "$name" "$PY" "$here/h2_server.py" --port 0 --big "$tmp/big" "$@"
  base=http://127.0.0.1:$server_port
}

start_py py
client_ok "GET /hello" "$tmp/hello" "$base/hello"
client_ok "GET /big (300000 octets, sent as the windows allow)" "$tmp/big" \
  "$base/big"
client_ok "POST 300000 octets from a file to /echo" "$tmp/upload" \
  -d "@$tmp/upload" "$base/echo"
printf 'abc' >"$tmp/abc"
client_ok "POST -d DATA to /echo" "$tmp/abc" -d abc "$base/echo"
printf 'body before trailers\n' >"$tmp/trailers"
client_ok "GET /trailers (body, then a trailer section)" "$tmp/trailers" \
  "$base/trailers"
cat "$tmp/hello" "$tmp/big" "$tmp/trailers" >"$tmp/three"
client_ok "three URLs on one connection, bodies in URL order" "$tmp/three" \
  "$base/hello" "$base/big" "$base/trailers"
client_fails "a stream reset by the server fails the client" "$base/reset"

# A 4096-octet initial stream window announced by the server: the upload
# has to follow it once the client acknowledges the SETTINGS (RFC 9113
# section 6.9.2); h2 ends the connection if the client overruns it.
start_py py_window --window 4096
client_ok "POST 300000 octets through a 4096-octet window" "$tmp/upload" \
  -d "@$tmp/upload" "$base/echo"
client_ok "GET /big after the window change" "$tmp/big" "$base/big"

# The server prints "error" for every protocol violation it saw.
for log in "$tmp/py.log" "$tmp/py_window.log"; do
  if grep -qi error "$log"; then
    fail "python-h2 server reported errors"
    show "$log"
  else
    ok "no protocol errors in $(basename "$log")"
  fi
done
finish
