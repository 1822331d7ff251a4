#!/bin/bash
# shellcheck disable=SC2154 # bin, tmp, server_pid, server_log: lib.sh
# Node's http2 client (node/scenarios_client.js) against h2w-server over
# one connection: a 20 MB download checked octet for octet, an 8 MiB
# upload echoed back, request trailers, a cancel mid-body followed by more
# requests, 300 streams at once (three times MAX_CONCURRENT_STREAMS, so
# node queues), and server push. Usage: node_client.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd node nodejs
need_bin h2w-server
here=$(cd "$(dirname "$0")" && pwd)

start_server srv "$bin/h2w-server" --host 127.0.0.1 --port 0
rc=0
run node "$here/node/scenarios_client.js" "http://127.0.0.1:$server_port" \
  >"$tmp/node.out" 2>&1 || rc=$?
cat "$tmp/node.out"
n_ok=$(grep -c '^ok ' "$tmp/node.out" || true)
n_fail=$(grep -c '^FAIL' "$tmp/node.out" || true)
if [ "$rc" = 0 ] && [ "$n_fail" = 0 ] && [ "$n_ok" -ge 8 ]; then
  ok "node http2 client: $n_ok checks passed"
else
  fail "node http2 client: exit $rc, $n_ok ok, $n_fail failed"
fi
if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
if no_alarm "$server_log"; then ok "server log clean"; else
  fail "server log has alarms"
  show "$server_log"
fi
finish
