#!/bin/bash
# shellcheck disable=SC2154 # bin, tmp, server_port, cert, key: lib.sh
# Window autotuning end to end (issue 18): every transfer goes through a
# userspace proxy on 127.0.0.1 that adds 50 ms each way (RTT 100 ms,
# loopback bandwidth; tests/interop/go/delayproxy). Downloads of SIZE
# octets (default 100 MB) by curl (nghttp2, 32 MiB static windows) and by
# h2w-client --autotune from h2w-server, nghttpd and Go's net/http server
# (TLS); h2w-client --autotune must reach RATIO_DL (0.6) of curl's
# throughput from the same sender. An upload of UP_SIZE octets (default
# 200 MB) from h2w-client --autotune to h2w-server --autotune /echo must
# reach RATIO_UP (0.4) of curl's h2w-server download throughput (both
# halved for a sanitizer build). Prints every figure.
# Usage: autotune_delay.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd go golang-go
need_cmd curl curl
need_cmd bc bc
need_bin h2w-server
need_bin h2w-client
: "${SIZE:=100000000}"
: "${UP_SIZE:=200000000}"
# A sanitizer build (ASan+UBSan, -O0) spends several times the CPU per
# octet, and at these rates that, not the window, bounds h2w-client: the
# ratios it is held to are halved there. Static windows would still fail
# them by far (h2w-client's 1 MiB stream window: ~0.07 of curl).
if grep -qa __asan_init "$bin/h2w-client"; then
  : "${RATIO_DL:=0.3}"
  : "${RATIO_UP:=0.2}"
  echo "     sanitizer build: ratios halved ($RATIO_DL, $RATIO_UP)"
fi
: "${RATIO_DL:=0.6}"
: "${RATIO_UP:=0.4}"
# shellcheck disable=SC2034 # read by run() in lib.sh
CLIENT_TIMEOUT=60

go_build "$tmp/delayproxy" "$(dirname "$0")/go/delayproxy"

# timed <name> <expected octets> <command...>: run a client with stdout
# counted; sets secs, the wall clock from the start to the last octet of
# the body (what throughput means: each client's way of closing the
# connection afterwards, e.g. h2w-client waiting one round trip so that
# a PING crossing its GOAWAY is still answered, is not the window's doing
# and is left out, for curl and h2w-client alike), and fails the check if
# the count or the exit status is wrong.
timed() {
  local name=$1 want=$2 t0 t1 got out rc=0
  shift 2
  t0=$(date +%s.%N)
  out=$(run "$@" 2>"$tmp/client.err" | "$PY" -c '
import sys, time
n, last, r = 0, time.time(), sys.stdin.buffer.raw
while True:
    b = r.read(1 << 20)
    if not b:
        break
    n, last = n + len(b), time.time()
print(n, "%.6f" % last)') || rc=$?
  got=${out% *}
  t1=${out#* }
  secs=$(echo "$t1 - $t0" | bc)
  if [ "$rc" != 0 ] || [ "$got" != "$want" ]; then
    fail "$name: exit $rc, $got of $want octets"
    show "$tmp/client.err"
    return 1
  fi
  printf '     %-44s %6.2f s  %7.1f MB/s\n' "$name" "$secs" \
    "$(echo "$want / $secs / 1000000" | bc -l)"
}

# at_least <name> <reference secs> <secs> <ratio>: throughput (1/secs)
# at least ratio x the reference's.
at_least() {
  local r
  r=$(echo "$2 / $3" | bc -l)
  if [ "$(echo "$r >= $4" | bc -l)" = 1 ]; then
    ok "$1: $(printf '%.2f' "$r") of curl's throughput (>= $4)"
  else
    fail "$1: $(printf '%.2f' "$r") of curl's throughput (< $4)"
  fi
}

# proxy_to <port>: a delay proxy in front of it; sets proxy_port.
proxy_to() {
  start_server "proxy$1" "$tmp/delayproxy" -target "127.0.0.1:$1" \
    -delay 50ms
  proxy_port=$server_port
}

# --- h2w-server as the sender, and as the receiver of an upload ---------
start_server h2w "$bin/h2w-server" --host 127.0.0.1 --port 0 --autotune
h2w_port=$server_port
proxy_to "$h2w_port"
url=http://127.0.0.1:$proxy_port
if timed "curl GET h2w-server" "$SIZE" \
  curl -s --http2-prior-knowledge "$url/bytes/$SIZE"; then
  curl_secs=$secs
  if timed "h2w-client --autotune GET h2w-server" "$SIZE" \
    "$bin/h2w-client" --autotune "$url/bytes/$SIZE"; then
    at_least "h2w-client --autotune from h2w-server" "$curl_secs" "$secs" \
      "$RATIO_DL"
  fi
  head -c "$UP_SIZE" /dev/zero >"$tmp/up.bin"
  if timed "h2w-client --autotune POST /echo" "$UP_SIZE" \
    "$bin/h2w-client" --autotune -d "@$tmp/up.bin" "$url/echo"; then
    at_least "upload to h2w-server --autotune /echo" \
      "$(echo "$curl_secs * $UP_SIZE / $SIZE" | bc -l)" "$secs" "$RATIO_UP"
  fi
  rm -f "$tmp/up.bin"
fi

# --- nghttpd as the sender ----------------------------------------------
if command -v nghttpd >/dev/null 2>&1; then
  mkdir "$tmp/docroot"
  head -c "$SIZE" /dev/zero >"$tmp/docroot/big"
  port=$(free_port)
  spawn nghttpd nghttpd --no-tls -a 127.0.0.1 -d "$tmp/docroot" "$port"
  if wait_port "$port" "$spawned_pid"; then
    proxy_to "$port"
    url=http://127.0.0.1:$proxy_port/big
    if timed "curl GET nghttpd" "$SIZE" \
      curl -s --http2-prior-knowledge "$url"; then
      curl_secs=$secs
      if timed "h2w-client --autotune GET nghttpd" "$SIZE" \
        "$bin/h2w-client" --autotune "$url"; then
        at_least "h2w-client --autotune from nghttpd" "$curl_secs" "$secs" \
          "$RATIO_DL"
      fi
    fi
  else
    fail "nghttpd did not start on port $port"
  fi
  rm -f "$tmp/docroot/big"
else
  echo "SKIP nghttpd not found (apt-get install -y nghttp2-server)"
fi

# --- Go's net/http server (TLS, ALPN h2) as the sender ------------------
if "$bin/h2w-client" --help 2>&1 | grep -q 'this build has no TLS'; then
  echo "SKIP h2w-client built without TLS: no Go server run"
else
  make_cert
  start_server go "$tmp/delayproxy" -serve -cert "$cert" -key "$key"
  proxy_to "$server_port"
  url=https://127.0.0.1:$proxy_port/bytes/$SIZE
  if timed "curl GET Go server" "$SIZE" curl -s -k "$url"; then
    curl_secs=$secs
    if timed "h2w-client --autotune GET Go server" "$SIZE" \
      "$bin/h2w-client" -k --autotune "$url"; then
      at_least "h2w-client --autotune from Go" "$curl_secs" "$secs" \
        "$RATIO_DL"
    fi
  fi
fi

finish
