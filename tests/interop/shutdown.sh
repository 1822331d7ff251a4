#!/bin/bash
# Graceful shutdown of h2w-server on SIGTERM: it sends GOAWAY(NO_ERROR)
# (RFC 9113 section 6.8), lets the streams already accepted finish, and exits
# 0 within a few seconds without printing anything alarming.
# Usage: shutdown.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"
need_cmd curl curl
curl -V | grep -qw HTTP2 || skip "this curl has no HTTP/2 support"
need_bin h2w-server

# Seconds the server may take to exit after SIGTERM (the in-flight response
# below needs about 2 s more), and a client may take in all: three rounds
# of both stay within the ctest timeout of 120 s even when things hang.
EXIT_LIMIT=10
CLIENT_TIMEOUT=20

# stop_server <name>: SIGTERM, then the exit checks.
stop_server() {
  local name=$1
  kill -TERM "$server_pid"
  if ! wait_exit "$server_pid" "$EXIT_LIMIT"; then
    fail "$name: server still running ${EXIT_LIMIT}s after SIGTERM"
    show "$server_log"
    return
  fi
  if [ "$exit_code" = 0 ]; then ok "$name: server exits 0 after SIGTERM"; else
    fail "$name: server exit code $exit_code after SIGTERM"
  fi
  if no_alarm "$server_log"; then ok "$name: nothing alarming in its output"; else
    fail "$name: alarming server output"
    show "$server_log"
  fi
}

# wait_for <file> <regex> <pid>: until a line of <file> matches (or <pid>
# exits, or CLIENT_TIMEOUT passes).
wait_for() {
  local waited=0
  until grep -qE "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || return 1
    [ "$waited" -ge $((CLIENT_TIMEOUT * 20)) ] && return 1
    sleep 0.05
    waited=$((waited + 1))
  done
}

EVENTS="/events?interval_ms=100&count=20"

# inflight <name> <ready regex> <client command...>: start a 2-second
# $EVENTS stream (20 lines, one per 100 ms) with the client, SIGTERM the
# server once the client's output matches <ready regex> (the stream is
# open and data flows), then check both finish cleanly. Leaves the client's
# stdout in $tmp/<name>.out, its stderr in $tmp/<name>.err, its exit code in
# exit_code; returns 1 if a step failed.
inflight() {
  local name=$1 ready=$2
  shift 2
  start_server "server-$name" "$bin/h2w-server" --host 127.0.0.1 --port 0
  # timeout(1) itself, not the run function: $! must be its pid, so that
  # the cleanup's SIGTERM reaches it and it passes the signal on.
  timeout -k 5 "$CLIENT_TIMEOUT" "$@" "http://127.0.0.1:$server_port$EVENTS" \
    >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local client=$!
  pids="$pids $client"
  if ! wait_for "$tmp/$name.out" "$ready" "$client"; then
    fail "$name: no event arrived before SIGTERM"
    show "$tmp/$name.err"
    return 1
  fi
  stop_server "$name"
  if ! wait_exit "$client" "$EXIT_LIMIT"; then
    fail "$name: client still running"
    return 1
  fi
}

# all_lines <name>: the client exited 0 with all 20 event lines.
all_lines() {
  local lines
  lines=$(wc -l <"$tmp/$1.out" | tr -d ' ')
  if [ "$exit_code" = 0 ] && [ "$lines" = 20 ]; then
    ok "$1: the in-flight response completed (20 lines)"
  else
    fail "$1: client exit $exit_code with $lines of 20 lines"
    show "$tmp/$1.err"
  fi
}

# An idle server.
start_server idle "$bin/h2w-server" --host 127.0.0.1 --port 0
stop_server idle

# A response in progress, seen by up to three different clients.
if inflight curl . curl -sS -N --http2-prior-knowledge; then
  all_lines curl
fi
if ! [ -x "$bin/h2w-client" ]; then
  echo "note: $bin/h2w-client not built, its round is left out"
elif inflight h2w-client . "$bin/h2w-client" --prior-knowledge; then
  all_lines h2w-client
fi
# nghttp's frame trace (-v) shows the GOAWAY itself: NO_ERROR, and a
# last-stream-id that covers the request in progress (section 6.8); its
# statistics (-s) show whether the response completed.
if ! command -v nghttp >/dev/null 2>&1; then
  echo "note: nghttp not installed, its round is left out"
elif inflight nghttp 'recv DATA frame' nghttp -nsv; then
  goaway=$(grep -A1 'recv GOAWAY frame' "$tmp/nghttp.out" | tail -n 1)
  sid=$(grep -m1 -oE 'recv \(stream_id=[0-9]+\) :status' "$tmp/nghttp.out" |
    tr -dc 0-9)
  last=$(echo "$goaway" | sed -n 's/.*last_stream_id=\([0-9]*\).*/\1/p')
  case $goaway in
    *"error_code=NO_ERROR"*)
      if [ -n "$sid" ] && [ -n "$last" ] && [ "$last" -ge "$sid" ]; then
        ok "nghttp: GOAWAY(NO_ERROR) with last-stream-id $last >= stream $sid"
      else
        fail "nghttp: GOAWAY last-stream-id '$last' below stream '$sid'"
      fi
      ;;
    *) fail "nghttp: no GOAWAY(NO_ERROR) seen: '$goaway'" ;;
  esac
  if grep -qE "^ +[0-9]+ .* 200 +[0-9.]+[KMG]? +/events" "$tmp/nghttp.out" &&
    ! [ -s "$tmp/nghttp.err" ]; then
    ok "nghttp: the in-flight response completed"
  else
    fail "nghttp: the in-flight response did not complete (exit $exit_code)"
    show "$tmp/nghttp.err"
  fi
fi
finish
