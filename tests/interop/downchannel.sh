#!/bin/bash
# downchannel-client against h2w-server's /events: events arrive with
# timestamps; after the server is killed (SIGKILL) and restarted on the
# same port the client reconnects and events flow again; when the server
# stops answering (SIGSTOP) the client's keepalive declares the connection
# dead within ping interval + timeout and it reconnects after SIGCONT;
# --max-reconnects gives up; SIGTERM ends the client with exit 0.
# Usage: downchannel.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_bin h2w-server
need_bin downchannel-client
# The whole script stays far below this; it only bounds a hang.
TEST_BUDGET=30
INTERVAL=1
TIMEOUT=1

start_server server1 "$bin/h2w-server" --host 127.0.0.1 --port 0
port=$server_port
srv=$server_pid
url="http://127.0.0.1:$port/events?interval_ms=100&count=1000000"
"$bin/downchannel-client" --ping-interval "$INTERVAL" --ping-timeout \
  "$TIMEOUT" "$url" >"$tmp/dc.out" 2>"$tmp/dc.err" &
client=$!
pids="$pids $client"

now_ms() { date +%s%3N; }

# wait_count <regex> <count> <limit ms>: until <count> lines of the
# client's output match; sets waited (ms). Fails when the client exits.
wait_count() {
  local start n
  start=$(now_ms)
  while :; do
    n=$(grep -cE "$1" "$tmp/dc.out" 2>/dev/null || true)
    waited=$(($(now_ms) - start))
    [ "${n:-0}" -ge "$2" ] && return 0
    kill -0 "$client" 2>/dev/null || return 1
    [ "$waited" -ge "$3" ] && return 1
    sleep 0.05
  done
}

# events_after <n>: event lines after the n-th "connected" line.
events_after() {
  awk -v n="$1" '/ connected$/ { c++ } c >= n && / event / { e++ }
    END { print e + 0 }' "$tmp/dc.out"
}

# A quiet but healthy server: one event after 2.5 s. PINGs go out every
# half second of silence and their ACKs keep the connection alive, so it
# is never declared dead although 2.5 s > interval + timeout.
start_server quiet "$bin/h2w-server" --host 127.0.0.1 --port 0
quiet_port=$server_port
quiet_pid=$server_pid
"$bin/downchannel-client" -v --ping-interval 0.5 --ping-timeout 0.5 \
  --max-reconnects 0 \
  "http://127.0.0.1:$quiet_port/events?interval_ms=2500&count=1" \
  >"$tmp/quiet.out" 2>"$tmp/quiet.err" &
quiet=$!
pids="$pids $quiet"

TS='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
if wait_count "$TS event event [0-9]+$" 3 5000 &&
  grep -qE "$TS connected$" "$tmp/dc.out"; then
  ok "connected, events arrive with ISO-8601 UTC ms timestamps"
else
  fail "no timestamped events"
  show "$tmp/dc.out"
fi

# The server dies without a word and comes back on the same port.
kill -KILL "$srv"
wait "$srv" 2>/dev/null || true
if wait_count "$TS reconnecting: " 1 3000; then
  ok "server killed: the client says it is reconnecting"
else
  fail "server killed: no reconnecting line"
fi
sleep 0.5 # a few refused attempts, with backoff
start_server server2 "$bin/h2w-server" --host 127.0.0.1 --port "$port"
srv=$server_pid
if wait_count " connected$" 2 5000 && sleep 0.5 &&
  [ "$(events_after 2)" -ge 3 ]; then
  ok "server restarted: reconnected, events flow again ($(events_after 2))"
else
  fail "server restarted: no new events"
  show "$tmp/dc.out"
fi
if grep -qE 'reconnecting: connect to .*refused \(in [0-9]+ ms\)$' \
  "$tmp/dc.out"; then
  ok "refused connections are retried with a backoff"
else
  fail "no backoff line for the refused connections"
fi

# The server stops answering anything, PINGs included. The last frame
# came at most 100 ms before the stop, so the PING leaves within INTERVAL
# and the verdict comes within INTERVAL + TIMEOUT of the stop (plus
# scheduling slack).
dead='reconnecting: keepalive PING not answered'
kill -STOP "$srv"
limit=$(((INTERVAL + TIMEOUT) * 1000 + 700))
if wait_count "$dead" 1 "$limit"; then
  ok "stopped server declared dead after ${waited} ms (limit ${limit} ms)"
else
  fail "stopped server not declared dead within ${limit} ms"
  show "$tmp/dc.out"
fi
kill -CONT "$srv"
if wait_count " connected$" 3 5000 && sleep 0.5 &&
  [ "$(events_after 3)" -ge 3 ]; then
  ok "after SIGCONT: reconnected, events flow again ($(events_after 3))"
else
  fail "after SIGCONT: no new events"
  show "$tmp/dc.out"
fi

# The quiet client ended by itself: --max-reconnects 0 gives up at the end
# of its only stream.
if wait_exit "$quiet" 5 && [ "$exit_code" = 1 ] &&
  grep -q ' event event 1$' "$tmp/quiet.out" &&
  grep -q 'giving up after 0 reconnects: stream ended$' "$tmp/quiet.out" &&
  ! grep -q keepalive "$tmp/quiet.out" &&
  [ "$(grep -c '^send PING .*flags=0x00' "$tmp/quiet.err")" -ge 3 ] &&
  grep -q '^recv PING .*ACK' "$tmp/quiet.err"; then
  ok "quiet server: $(grep -c '^send PING .*flags=0x00' "$tmp/quiet.err") PINGs answered, alive for its 2.5 s event"
else
  fail "quiet server: exit ${exit_code:-?}"
  show "$tmp/quiet.out"
  show "$tmp/quiet.err"
fi
# A path that is not a downchannel: the 404 fails the attempt, the retry
# backs off, --max-reconnects 1 then gives up.
rc=0
run "$bin/downchannel-client" --max-reconnects 1 \
  "http://127.0.0.1:$quiet_port/nope" >"$tmp/404.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] &&
  grep -q 'reconnecting: HTTP status 404 (in 100 ms)$' "$tmp/404.out" &&
  grep -q 'giving up after 1 reconnects: HTTP status 404$' "$tmp/404.out" &&
  ! grep -q ' connected$' "$tmp/404.out"; then
  ok "404: not connected, retried after 100 ms, then gave up"
else
  fail "404: exit $rc"
  show "$tmp/404.out"
fi
kill -TERM "$quiet_pid"

kill -TERM "$client"
if wait_exit "$client" 5 && [ "$exit_code" = 0 ]; then
  ok "client exits 0 on SIGTERM"
else
  fail "client did not exit 0 on SIGTERM"
fi
if no_alarm "$tmp/dc.err"; then ok "nothing on the client's stderr"; else
  fail "client stderr"
  show "$tmp/dc.err"
fi

# Nobody listens: two reconnects, then it gives up with exit 1.
kill -TERM "$srv"
wait_exit "$srv" 10 || true
rc=0
run "$bin/downchannel-client" --max-reconnects 2 "$url" >"$tmp/give.out" \
  2>&1 || rc=$?
if [ "$rc" = 1 ] && [ "$(grep -c 'reconnecting: ' "$tmp/give.out")" = 2 ] &&
  grep -q 'giving up after 2 reconnects' "$tmp/give.out"; then
  ok "--max-reconnects 2: two reconnects, then exit 1"
else
  fail "--max-reconnects 2: exit $rc"
  show "$tmp/give.out"
fi
rc=0
run "$bin/downchannel-client" --ping-interval 0 "$url" >/dev/null 2>&1 || rc=$?
if [ "$rc" = 2 ]; then ok "usage error: exit 2"; else
  fail "usage error: exit $rc"
fi
finish
