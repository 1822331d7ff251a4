#!/bin/bash
# h2load (nghttp2's load generator) against h2w-server: 20000 requests over
# 10 connections with up to 20 concurrent streams each. Usage: h2load.sh
# <bin dir>. h2load exits 0 even when requests fail, so its summary is
# parsed: every request must succeed with a 2xx status.
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd h2load nghttp2-client
need_bin h2w-server

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0
base=http://127.0.0.1:$server_port

# load <name> <requests> <h2load args...>
load() {
  local name=$1 n=$2 rc=0
  shift 2
  CLIENT_TIMEOUT=100 run h2load -n "$n" "$@" >"$tmp/h2load" 2>&1 || rc=$?
  local summary codes
  summary=$(grep -m1 '^requests: ' "$tmp/h2load" || true)
  codes=$(grep -m1 '^status codes: ' "$tmp/h2load" || true)
  case "$rc|$summary|$codes" in
    "0|requests: $n total, $n started, $n done, $n succeeded, 0 failed, 0 errored, 0 timeout|status codes: $n 2xx, "*)
      ok "$name: $summary; $(grep -m1 '^finished in' "$tmp/h2load")"
      ;;
    *)
      fail "$name: exit $rc; '$summary'; '$codes'"
      show "$tmp/h2load"
      ;;
  esac
}

load "h2load -n 20000 -c 10 -m 20 GET /" 20000 -c 10 -m 20 "$base/"
# Uploads too: every request carries a 20000-octet body to /echo, beyond
# the default 16384-octet frame size, so DATA is split in both directions.
random_file "$tmp/body" 20000
load "h2load -n 2000 -c 4 -m 10 POST /echo" 2000 -c 4 -m 10 -d "$tmp/body" \
  "$base/echo"
data=$(sed -n 's/^traffic: .* (\([0-9]*\)) data$/\1/p' "$tmp/h2load")
if [ "$data" = 40000000 ]; then
  ok "2000 echoed bodies: 40000000 response data octets"
else
  fail "2000 echoed bodies: '$data' response data octets, want 40000000"
fi

if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
finish
