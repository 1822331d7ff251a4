#!/bin/bash
# shellcheck disable=SC2154 # bin, tmp, server_pid, server_log, cert, key
# Go's standard net/http client (Debian golang-go, standard library only,
# GOPATH mode) against h2w-server over TLS in the scenarios real clients
# use: a 20 MB download checked against the /bytes pattern, an 8 MiB
# upload echoed back, request trailers, a cancel mid-body then another
# request, and 300 requests at once. The program is
# tests/interop/go/scenarios. Usage: go_scenarios.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd go golang-go
need_tls_build
make_cert

go_build "$tmp/scenarios" "$(dirname "$0")/go/scenarios"

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0 \
  --cert "$cert" --key "$key"
rc=0
run "$tmp/scenarios" -base "https://127.0.0.1:$server_port" -ca "$cert" \
  >"$tmp/go.out" 2>&1 || rc=$?
cat "$tmp/go.out"
n_ok=$(grep -c '^ok ' "$tmp/go.out" || true)
n_fail=$(grep -c '^FAIL' "$tmp/go.out" || true)
if [ "$rc" = 0 ] && [ "$n_fail" = 0 ] && [ "$n_ok" -ge 6 ]; then
  ok "Go net/http client scenarios: $n_ok checks passed"
else
  fail "Go net/http client scenarios: exit $rc, $n_ok ok, $n_fail failed"
fi
if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
stop_server_clean
finish
