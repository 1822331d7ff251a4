#!/bin/bash
# h2w-client's graceful close (RFC 9113 §6.8): after its last response it
# first reads and answers what is already waiting (here a PING the server
# sent right behind the response, in a TLS record of its own), then sends
# a PING and GOAWAY NO_ERROR, and still reads and answers what the server
# sends after that (the "late" cases: a PING the server sends only once the
# client's GOAWAY has arrived; its ACK must still leave, §6.7) until the
# server has answered the client's PING (or, "silent", has been quiet for
# a while); then it ends its side and reads until the server closes, so
# the server sees a clean end of input, not a reset. The server is
# h2_raw.py serve-ping.
# Usage: client_close.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_bin h2w-client
[ -x "$PY" ] || skip "$PY not found (apt-get install -y python3)"

# serve <name> [serve-ping options] [cert key]: h2_raw.py serve-ping in
# the background; sets port and srv_pid.
serve() {
  local name=$1 waited=0
  shift
  rm -f "$tmp/$name.port"
  spawn "$name" "$PY" "$(dirname "$0")/h2_raw.py" serve-ping "$tmp/$name.port" "$@"
  srv_pid=$spawned_pid
  while [ ! -s "$tmp/$name.port" ]; do
    waited=$((waited + 1))
    [ "$waited" -lt 200 ] || { echo "FAIL $name did not start"; show "$tmp/$name.log"; exit 1; }
    sleep 0.05
  done
  port=$(cat "$tmp/$name.port")
}

# verdict <name> <client exit> <want>: what the server saw, from its one
# line.
verdict() {
  local name=$1 rc=$2 want=$3 seen
  wait_exit "$srv_pid" 15 || true
  seen=$(tail -n 1 "$tmp/$name.log")
  if [ "$rc" = 0 ] && [ "$seen" = "$want" ]; then
    ok "$name: PING answered, GOAWAY NO_ERROR, clean close ($seen)"
  else
    fail "$name: client exit $rc; the server saw '$seen', want '$want'"
    show "$tmp/$name.log"
    show "$tmp/client.err"
  fi
}

# The PING right behind the response: answered before the GOAWAY.
serve h2c
rc=0
run "$bin/h2w-client" --prior-knowledge "http://127.0.0.1:$port/" >/dev/null \
  2>"$tmp/client.err" || rc=$?
verdict h2c "$rc" "ack goaway 0 eof"

# The PING sent 100 ms after the client's GOAWAY arrived: answered after
# it.
serve h2c-late --late-ping 100
rc=0
run "$bin/h2w-client" --prior-knowledge "http://127.0.0.1:$port/" >/dev/null \
  2>"$tmp/client.err" || rc=$?
verdict h2c-late "$rc" "goaway 0 ack eof"

# The same from a server that never answers the client's PING: the client
# keeps answering until the server has been quiet for a while.
serve h2c-late-silent --late-ping 100 --ignore-pings
rc=0
run "$bin/h2w-client" --prior-knowledge "http://127.0.0.1:$port/" >/dev/null \
  2>"$tmp/client.err" || rc=$?
verdict h2c-late-silent "$rc" "goaway 0 ack eof"

if "$bin/h2w-client" --help 2>&1 | grep -q 'this build has no TLS'; then
  echo "SKIP TLS half: h2w-client was built without TLS (apt-get install -y libssl-dev)"
elif ! command -v openssl >/dev/null 2>&1; then
  echo "SKIP TLS half: openssl not found (apt-get install -y openssl)"
else
  make_cert
  serve tls "$cert" "$key"
  rc=0
  run "$bin/h2w-client" --cacert "$cert" "https://127.0.0.1:$port/" >/dev/null \
    2>"$tmp/client.err" || rc=$?
  verdict tls "$rc" "ack goaway 0 eof"

  serve tls-late --late-ping 100 "$cert" "$key"
  rc=0
  run "$bin/h2w-client" --cacert "$cert" "https://127.0.0.1:$port/" >/dev/null \
    2>"$tmp/client.err" || rc=$?
  verdict tls-late "$rc" "goaway 0 ack eof"
fi
finish
