#!/bin/bash
# shellcheck disable=SC2154 # bin, tmp, server_port, server_log: lib.sh
# Small flow-control windows in both directions against Node's http2
# module (issue 15, docs/security.md row 7): a peer that announces an initial
# window of 100, 500 or 1000 octets and returns it in sub-KiB
# WINDOW_UPDATEs is legitimate and must never be cut off.
#  - node client (node/small_window_client.js) downloading 256 KiB from
#    h2w-server, two streams at once, per window size;
#  - h2w-client uploading 2 MiB to a node server
#    (node/small_window_server.js) that announces the same windows.
# Usage: node_small_window.sh <bin dir>   (ROUNDS=N repeats every case)
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd node nodejs
need_bin h2w-server
need_bin h2w-client
here=$(cd "$(dirname "$0")" && pwd)
: "${ROUNDS:=1}"
down=262144
up=2097152

start_server srv "$bin/h2w-server" --host 127.0.0.1 --port 0
h2w_port=$server_port
h2w_pid=$server_pid
h2w_log=$server_log

round=1
while [ "$round" -le "$ROUNDS" ]; do
  for w in 100 500 1000; do
    rc=0
    run node "$here/node/small_window_client.js" "http://127.0.0.1:$h2w_port" \
      "$w" "$down" 2 2 >"$tmp/node-client.out" 2>&1 || rc=$?
    n_ok=$(grep -c '^ok ' "$tmp/node-client.out" || true)
    if [ "$rc" = 0 ] && [ "$n_ok" = 2 ] &&
      ! grep -q '^FAIL' "$tmp/node-client.out"; then
      ok "round $round: node client, window $w, 2 x $down octets down"
    else
      fail "round $round: node client, window $w: exit $rc, $n_ok of 2"
      show "$tmp/node-client.out"
    fi
  done
  round=$((round + 1))
done
if kill -0 "$h2w_pid" 2>/dev/null; then ok "h2w-server still running"; else
  fail "h2w-server died"
  show "$h2w_log"
fi

random_file "$tmp/body" "$up"
for w in 100 500 1000; do
  start_server "node-$w" node "$here/node/small_window_server.js" "$w"
  round=1
  while [ "$round" -le "$ROUNDS" ]; do
    rc=0
    run "$bin/h2w-client" "http://127.0.0.1:$server_port/up" \
      -d "@$tmp/body" >"$tmp/up.out" 2>"$tmp/up.err" || rc=$?
    if [ "$rc" = 0 ] && [ "$(cat "$tmp/up.out")" = "$up" ]; then
      ok "round $round: h2w-client uploads $up octets, node window $w"
    else
      fail "round $round: upload to node window $w: exit $rc," \
        "server counted '$(head -c 40 "$tmp/up.out")'"
      show "$tmp/up.err"
      show "$server_log"
    fi
    round=$((round + 1))
  done
  if grep -q '^goaway code=[1-9]' "$server_log"; then
    fail "node server, window $w, sent us a GOAWAY with an error"
    show "$server_log"
  fi
done
finish
