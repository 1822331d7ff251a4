#!/bin/sh
# h2load-compare.sh: h2w-server against nghttp2-min-server, both plain-text
# HTTP/2 with prior knowledge on loopback, driven by h2load.
#
#   sh bench/h2load-compare.sh <build-dir>
#
# nghttp2-min-server (bench/nghttp2_min_server.c) is a libnghttp2 server
# written to do exactly what h2w-server does for `GET /`: the same
# SETTINGS, the same response fields (:status, content-type,
# content-length) and body (fetched from h2w-server and handed to it), the
# same per-request bookkeeping, one epoll thread. So the comparison is of
# the libraries under the same application, not of h2w-server against a
# file server (nghttpd adds date, last-modified, cache-control and a file
# lookup per request). Both servers' responses are checked first, field
# by field, with nghttp.
#
# Runs `h2load -n N -c 50 -m 50` (N = H2LOAD_N, default 500000) against
# each, alternating which goes first, H2LOAD_RUNS times (default 7), and
# prints per run req/s and the server's CPU time per request, from the
# utime + stime of /proc/<pid>/stat before and after the run (clock
# ticks of 1/CLK_TCK s: with N = 500000 at ~1M req/s, about 1 % per
# tick). h2load shares the machine and usually saturates its own core
# first, so req/s understates a server's capacity; CPU/request does not.
# Ends with `RATIO h2load_rps <median h2w / median min-server>` and
# `RATIO h2load_cpu_per_req <median min-server / median h2w>` (above 1:
# h2w-server cheaper). A run where not every request succeeded fails the
# script. Installs nothing: without h2load/nghttp (Debian nghttp2-client)
# or the two servers it says what is missing and exits 77 (skip). Every
# process it starts is stopped on exit.
set -eu

usage() {
  echo "usage: sh bench/h2load-compare.sh <build-dir>" >&2
  exit 2
}
[ $# -eq 1 ] || usage
build=$1
h2w_server=$build/bin/h2w-server
ngh_server=$build/bin/nghttp2-min-server
runs=${H2LOAD_RUNS:-7}
nreq=${H2LOAD_N:-500000}
hz=$(getconf CLK_TCK)

missing=""
command -v h2load >/dev/null 2>&1 || missing="$missing nghttp2-client(h2load)"
command -v nghttp >/dev/null 2>&1 || missing="$missing nghttp2-client(nghttp)"
if [ -n "$missing" ]; then
  echo "h2load-compare: missing:$missing (apt-get install -y nghttp2-client)" >&2
  exit 77
fi
for s in "$h2w_server" "$ngh_server"; do
  if [ ! -x "$s" ]; then
    echo "h2load-compare: no $s (cmake --build $build --target" \
      "h2w-server nghttp2-min-server)" >&2
    exit 77
  fi
done

tmp=$(mktemp -d)
h2w_pid=""
ngh_pid=""
cleanup() {
  for p in $h2w_pid $ngh_pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both servers pick a free port and say which.
port_of() {
  for _ in $(seq 50); do
    p=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$1")
    if [ -n "$p" ]; then
      echo "$p"
      return 0
    fi
    sleep 0.1
  done
  echo "h2load-compare: server did not start:" >&2
  cat "$1" >&2
  return 1
}

"$h2w_server" --port 0 >"$tmp/h2w.log" 2>&1 &
h2w_pid=$!
h2w_port=$(port_of "$tmp/h2w.log")
nghttp "http://127.0.0.1:$h2w_port/" >"$tmp/body"
size=$(wc -c <"$tmp/body")
if [ "$size" -eq 0 ]; then
  echo "h2load-compare: empty body from h2w-server's GET /" >&2
  exit 1
fi
"$ngh_server" --port 0 --body "$tmp/body" >"$tmp/ngh.log" 2>&1 &
ngh_pid=$!
ngh_port=$(port_of "$tmp/ngh.log")

# The same response from both: status, fields (in order) and body.
fields() {
  nghttp -v "http://127.0.0.1:$1/" |
    sed -n 's/^.*recv (stream_id=13) \(.*\)$/\1/p'
}
fields "$h2w_port" >"$tmp/h2w.fields"
fields "$ngh_port" >"$tmp/ngh.fields"
if ! cmp -s "$tmp/h2w.fields" "$tmp/ngh.fields" ||
  ! nghttp "http://127.0.0.1:$ngh_port/" | cmp -s - "$tmp/body"; then
  echo "h2load-compare: the servers answer differently:" >&2
  diff "$tmp/h2w.fields" "$tmp/ngh.fields" >&2 || true
  exit 1
fi

# utime + stime of a process, in clock ticks (fields 14 and 15 of
# /proc/<pid>/stat, counted after the ")" that ends the command name).
cpu_ticks() {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# One h2load run: prints "req/s cpu-us-per-request"; fails unless every
# request succeeded.
measure() {
  t0=$(cpu_ticks "$2")
  out=$(h2load -n "$nreq" -c 50 -m 50 "http://127.0.0.1:$1/") || {
    echo "h2load-compare: h2load failed against port $1" >&2
    return 1
  }
  t1=$(cpu_ticks "$2")
  ok=$(printf '%s\n' "$out" | sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p')
  if [ "$ok" != "$nreq" ]; then
    printf '%s\n' "$out" >&2
    echo "h2load-compare: only ${ok:-0} of $nreq requests succeeded" >&2
    return 1
  fi
  rps=$(printf '%s\n' "$out" | sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p')
  awk -v r="$rps" -v d="$((t1 - t0))" -v hz="$hz" -v n="$nreq" \
    'BEGIN { printf "%s %.3f\n", r, d / hz / n * 1e6 }'
}

median() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "body: $size octets; h2w-server on $h2w_port (pid $h2w_pid)," \
  "nghttp2-min-server on $ngh_port (pid $ngh_pid); $nreq requests a run"
: >"$tmp/h2w.runs"
: >"$tmp/ngh.runs"
i=1
while [ "$i" -le "$runs" ]; do
  # Alternate which server goes first, as h2w-bench does.
  if [ $((i % 2)) -eq 1 ]; then order="h2w ngh"; else order="ngh h2w"; fi
  for who in $order; do
    if [ "$who" = h2w ]; then
      r=$(measure "$h2w_port" "$h2w_pid")
      name=h2w-server
    else
      r=$(measure "$ngh_port" "$ngh_pid")
      name=nghttp2-min-server
    fi
    echo "$r" >>"$tmp/$who.runs"
    set -- $r
    printf 'run %d %-18s %12s req/s %8s us CPU/request\n' "$i" "$name" "$1" "$2"
  done
  i=$((i + 1))
done

h2w_rps=$(cut -d' ' -f1 "$tmp/h2w.runs" | median)
ngh_rps=$(cut -d' ' -f1 "$tmp/ngh.runs" | median)
h2w_cpu=$(cut -d' ' -f2 "$tmp/h2w.runs" | median)
ngh_cpu=$(cut -d' ' -f2 "$tmp/ngh.runs" | median)
echo "median: h2w-server $h2w_rps req/s, $h2w_cpu us CPU/request;" \
  "nghttp2-min-server $ngh_rps req/s, $ngh_cpu us CPU/request"
awk -v a="$h2w_rps" -v b="$ngh_rps" 'BEGIN { printf "RATIO h2load_rps %.3f\n", a / b }'
awk -v a="$h2w_cpu" -v b="$ngh_cpu" 'BEGIN { printf "RATIO h2load_cpu_per_req %.3f\n", b / a }'
