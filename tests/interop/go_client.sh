#!/bin/bash
# Go's standard net/http client (Debian golang-go, standard library only)
# against h2w-server over TLS: the throwaway test certificate is the
# client's only root, h2 comes from ALPN. Several GETs checked octet for
# octet, POSTs echoed back, a TLS 1.2 run. The program is
# tests/interop/go/h2client.go. Usage: go_client.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_cmd go golang-go
need_tls_build
make_cert

go_build "$tmp/h2client" "$(dirname "$0")/go/h2client.go"

start_server server "$bin/h2w-server" --host 127.0.0.1 --port 0 \
  --cert "$cert" --key "$key"
rc=0
run "$tmp/h2client" -base "https://127.0.0.1:$server_port" -ca "$cert" \
  >"$tmp/go.out" 2>&1 || rc=$?
cat "$tmp/go.out"
n_ok=$(grep -c '^ok ' "$tmp/go.out" || true)
n_fail=$(grep -c '^FAIL ' "$tmp/go.out" || true)
if [ "$rc" = 0 ] && [ "$n_fail" = 0 ] && [ "$n_ok" -ge 15 ]; then
  ok "Go net/http client: $n_ok checks passed"
else
  fail "Go net/http client: exit $rc, $n_ok ok, $n_fail failed"
fi

if kill -0 "$server_pid" 2>/dev/null; then ok "server still running"; else
  fail "server died"
  show "$server_log"
fi
stop_server_clean
finish
