#!/bin/sh
# h2load-compare.sh: requests per second of h2w-server against nghttpd, both
# plain-text HTTP/2 with prior knowledge on loopback, measured by h2load.
#
#   sh bench/h2load-compare.sh <build-dir>
#
# Serves the same body from both: the script fetches h2w-server's GET /
# body and gives nghttpd an index.html with exactly those octets. Runs
# `h2load -n 200000 -c 50 -m 50` against each, alternating, three times
# (H2LOAD_RUNS to change), prints every run's req/s and
# `RATIO h2load_rps <median h2w / median nghttpd>`. Installs nothing:
# it names the missing Debian packages and exits with status 77 (skip).
# Every process it starts is stopped on exit.
set -eu

usage() {
  echo "usage: sh bench/h2load-compare.sh <build-dir>" >&2
  exit 2
}
[ $# -eq 1 ] || usage
build=$1
server=$build/bin/h2w-server
runs=${H2LOAD_RUNS:-3}
nreq=200000

missing=""
command -v h2load >/dev/null 2>&1 || missing="$missing nghttp2-client(h2load)"
command -v nghttp >/dev/null 2>&1 || missing="$missing nghttp2-client(nghttp)"
command -v nghttpd >/dev/null 2>&1 || missing="$missing nghttp2-server(nghttpd)"
if [ -n "$missing" ]; then
  echo "h2load-compare: missing:$missing (apt-get install -y" \
    "nghttp2-client nghttp2-server)" >&2
  exit 77
fi
if [ ! -x "$server" ]; then
  echo "h2load-compare: no $server (cmake --build $build)" >&2
  exit 77
fi

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

# h2w-server picks a free port and says which.
"$server" --port 0 >"$tmp/h2w.log" 2>&1 &
h2w_pid=$!
h2w_port=""
for _ in $(seq 50); do
  h2w_port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
    "$tmp/h2w.log")
  [ -n "$h2w_port" ] && break
  sleep 0.1
done
if [ -z "$h2w_port" ]; then
  echo "h2load-compare: h2w-server did not start:" >&2
  cat "$tmp/h2w.log" >&2
  exit 1
fi

# The same body for nghttpd, which serves index.html for "/".
mkdir "$tmp/root"
nghttp "http://127.0.0.1:$h2w_port/" >"$tmp/root/index.html"
size=$(wc -c <"$tmp/root/index.html")
if [ "$size" -eq 0 ]; then
  echo "h2load-compare: empty body from h2w-server's GET /" >&2
  exit 1
fi

# nghttpd cannot pick its own port: try a few until one serves the file.
ngh_port=""
for k in 1 2 3 4 5 6 7 8; do
  p=$((20000 + ($$ * 7 + k * 997) % 40000))
  nghttpd --no-tls -d "$tmp/root" "$p" >"$tmp/ngh.log" 2>&1 &
  ngh_pid=$!
  for _ in $(seq 20); do
    sleep 0.1
    if nghttp "http://127.0.0.1:$p/" 2>/dev/null | cmp -s - "$tmp/root/index.html"; then
      ngh_port=$p
      break
    fi
    kill -0 "$ngh_pid" 2>/dev/null || break
  done
  [ -n "$ngh_port" ] && break
  kill "$ngh_pid" 2>/dev/null || true
  wait "$ngh_pid" 2>/dev/null || true
  ngh_pid=""
done
if [ -z "$ngh_port" ]; then
  echo "h2load-compare: nghttpd did not start:" >&2
  cat "$tmp/ngh.log" >&2
  exit 1
fi

# One h2load run; prints its req/s, fails unless every request succeeded.
measure() {
  out=$(h2load -n "$nreq" -c 50 -m 50 "http://127.0.0.1:$1/") || {
    echo "h2load-compare: h2load failed against port $1" >&2
    return 1
  }
  ok=$(printf '%s\n' "$out" | sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p')
  if [ "$ok" != "$nreq" ]; then
    printf '%s\n' "$out" >&2
    echo "h2load-compare: only ${ok:-0} of $nreq requests succeeded" >&2
    return 1
  fi
  printf '%s\n' "$out" | sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p'
}

median() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "body: $size octets; h2w-server on $h2w_port, nghttpd on $ngh_port"
: >"$tmp/h2w.rps"
: >"$tmp/ngh.rps"
i=1
while [ "$i" -le "$runs" ]; do
  # Alternate which server goes first, as h2w-bench does.
  if [ $((i % 2)) -eq 1 ]; then order="h2w ngh"; else order="ngh h2w"; fi
  for who in $order; do
    if [ "$who" = h2w ]; then port=$h2w_port; else port=$ngh_port; fi
    rps=$(measure "$port")
    echo "$rps" >>"$tmp/$who.rps"
    printf 'run %d %-10s %12s req/s\n' "$i" \
      "$([ "$who" = h2w ] && echo h2w-server || echo nghttpd)" "$rps"
  done
  i=$((i + 1))
done

h2w_med=$(median <"$tmp/h2w.rps")
ngh_med=$(median <"$tmp/ngh.rps")
echo "median: h2w-server $h2w_med req/s, nghttpd $ngh_med req/s"
awk -v a="$h2w_med" -v b="$ngh_med" 'BEGIN { printf "RATIO h2load_rps %.3f\n", a / b }'
