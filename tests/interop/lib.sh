# Shared helpers for the interop tests (sourced by bash scripts, not run).
#
# Every test script:
#   . "$(dirname "$0")/lib.sh"
#   interop_init "$1"          # bin dir; makes $tmp, installs the cleanup trap
#   need_cmd nghttp nghttp2-client   # SKIP (exit 77) when a peer is missing
#   start_server srv "$bin/h2w-server" --host 127.0.0.1 --port 0
#   ... checks with ok/fail ...
#   finish                     # exit 1 if any check failed
#
# Rules the helpers enforce: only 127.0.0.1, every started process is killed
# on exit, temporary files live in one mktemp -d directory that is removed on
# exit, and every client command runs under timeout(1) (see run).

# Exit status ctest treats as "skipped" (SKIP_RETURN_CODE in CMake).
SKIP=77
# Seconds any single client command may take before timeout(1) kills it.
: "${CLIENT_TIMEOUT:=30}"
# Seconds the whole script may take: below the ctest TIMEOUT (120), so that
# when clients hang the script still reports which checks failed.
: "${TEST_BUDGET:=100}"
# Seconds a server may take to print its "listening on" line.
: "${START_TIMEOUT:=15}"

pids=""
fails=0
checks=0

# The Debian interpreter that has python3-h2; a pyenv shim earlier on PATH
# would not see Debian's packages.
PY=/usr/bin/python3

cleanup() {
  local p
  for p in $pids; do
    kill -TERM "$p" 2>/dev/null || true
  done
  # Give servers a moment to exit on their own before the hard kill, so a
  # sanitizer report is not cut short and no process outlives the test.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local alive=0
    for p in $pids; do
      kill -0 "$p" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in $pids; do
    kill -KILL "$p" 2>/dev/null || true
    # Reap it here so bash does not print a "Killed" job notice.
    wait "$p" 2>/dev/null || true
  done
  [ -n "${tmp:-}" ] && rm -rf "$tmp"
}

interop_init() {
  bin=${1:?usage: $0 <bin dir>}
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/h2w-interop.XXXXXX")
  trap cleanup EXIT
  # A signal must still run the EXIT trap so no server is left behind.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  need_cmd timeout coreutils
}

skip() {
  echo "SKIP: $*"
  exit "$SKIP"
}

# need_cmd <command> <Debian package>: skip the whole test if it is missing.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 ||
    skip "$1 not found (apt-get install -y $2)"
}

# need_bin <name>: skip if <bin dir>/<name> was not built.
need_bin() {
  [ -x "$bin/$1" ] || skip "$bin/$1 not built"
}

need_python_h2() {
  [ -x "$PY" ] || skip "$PY not found (apt-get install -y python3-h2)"
  "$PY" -c 'import h2' 2>/dev/null ||
    skip "$PY has no h2 module (apt-get install -y python3-h2)"
}

ok() {
  checks=$((checks + 1))
  echo "ok   $*"
}

fail() {
  checks=$((checks + 1))
  fails=$((fails + 1))
  echo "FAIL $*"
}

# check <name> <command...>: ok if the command exits 0.
check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}

finish() {
  if [ "$fails" -ne 0 ]; then
    echo "$fails of $checks check(s) failed"
    exit 1
  fi
  echo "all $checks check(s) passed"
  exit 0
}

# run <command...>: a client command, bounded by CLIENT_TIMEOUT and by
# what is left of TEST_BUDGET (SECONDS counts from the script's start).
run() {
  local limit=$CLIENT_TIMEOUT left=$((TEST_BUDGET - SECONDS))
  [ "$left" -lt "$limit" ] && limit=$left
  [ "$limit" -lt 1 ] && limit=1
  timeout -k 5 "$limit" "$@"
}

# show <file>: print a log file (bounded) to explain a failure.
show() {
  echo "--- $1"
  head -c 4000 "$1" 2>/dev/null || true
  echo "--- end of $1"
}

# spawn <name> <command...>: start a background process whose stdout and
# stderr go to $tmp/<name>.log; sets spawned_pid.
spawn() {
  local name=$1
  shift
  "$@" >"$tmp/$name.log" 2>&1 &
  spawned_pid=$!
  pids="$pids $spawned_pid"
}

# start_server <name> <command...>: spawn a server that prints
# "listening on HOST:PORT" and wait for that line; sets server_pid and
# server_port. Fails the test (exit 1) if the server dies or stays silent.
start_server() {
  local name=$1 waited=0 line
  shift
  spawn "$name" "$@"
  server_pid=$spawned_pid
  server_log=$tmp/$name.log
  while :; do
    line=$(grep -m1 '^listening on ' "$server_log" 2>/dev/null || true)
    [ -n "$line" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "FAIL $name exited before listening"
      show "$server_log"
      exit 1
    fi
    if [ "$waited" -ge $((START_TIMEOUT * 20)) ]; then
      echo "FAIL $name printed no 'listening on' line in ${START_TIMEOUT}s"
      show "$server_log"
      exit 1
    fi
    sleep 0.05
    waited=$((waited + 1))
  done
  server_port=${line##*:}
  case $server_port in
    '' | *[!0-9]*)
      echo "FAIL $name: cannot parse the port from '$line'"
      exit 1
      ;;
  esac
}

# free_port: print a TCP port on 127.0.0.1 that was free a moment ago, for
# servers that cannot report the port they chose.
free_port() {
  "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# wait_port <port> <pid>: wait until 127.0.0.1:<port> accepts connections,
# or fail if <pid> exits first or START_TIMEOUT passes.
wait_port() {
  local port=$1 pid=$2 waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$waited" -ge $((START_TIMEOUT * 20)) ] && return 1
    sleep 0.05
    waited=$((waited + 1))
  done
}

# wait_exit <pid> <seconds>: wait for a child to exit; sets exit_code
# (and returns 1 if it is still running after <seconds>).
wait_exit() {
  local pid=$1 limit=$(($2 * 20)) waited=0
  # bash reaps an exited background child at once (keeping its status for
  # wait), so kill -0 fails as soon as it has exited.
  while kill -0 "$pid" 2>/dev/null; do
    [ "$waited" -ge "$limit" ] && return 1
    sleep 0.05
    waited=$((waited + 1))
  done
  # shellcheck disable=SC2034 # exit_code is read by the test scripts
  {
    exit_code=0
    wait "$pid" || exit_code=$?
  }
}

# size_of <file>: its length in octets.
size_of() {
  if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo 0; fi
}

# random_file <path> <octets>
random_file() {
  head -c "$2" /dev/urandom >"$1"
}

# no_alarm <log>: true if a server log has no sign of trouble (sanitizer
# reports, assertion failures, crashes, error messages).
no_alarm() {
  ! grep -Eqi 'error|warn|sanitizer|leak|assert|abort|fatal|panic|segv|core dumped' "$1"
}

# client_ok <name> <expected body file> <h2w-client args...>: h2w-client
# (prior knowledge) exits 0, its stdout equals the file octet for octet
# (bodies in URL order), and its stderr has one "URL -> STATUS (N bytes)"
# line per URL. The stderr is kept in $tmp/client.err.
client_ok() {
  local name=$1 want=$2 rc=0 a urls=0 lines
  shift 2
  for a in "$@"; do
    case $a in http://*) urls=$((urls + 1)) ;; esac
  done
  run "$bin/h2w-client" --prior-knowledge "$@" >"$tmp/client.out" \
    2>"$tmp/client.err" || rc=$?
  lines=$(grep -cE '^http://[^ ]* -> [0-9]{3} \([0-9]+ bytes\)$' \
    "$tmp/client.err" || true)
  if [ "$rc" = 0 ] && cmp -s "$want" "$tmp/client.out" &&
    [ "$lines" = "$urls" ]; then
    ok "$name"
  else
    fail "$name: exit $rc, $(size_of "$tmp/client.out") octets on stdout," \
      "want $(size_of "$want"); $lines status lines for $urls URLs"
    cmp "$want" "$tmp/client.out" || true
    show "$tmp/client.err"
  fi
}

# client_fails <name> <h2w-client args...>: h2w-client exits non-zero (and
# not by timeout(1), which exits 124, or by a signal).
client_fails() {
  local name=$1 rc=0
  shift
  run "$bin/h2w-client" --prior-knowledge "$@" >"$tmp/client.out" \
    2>"$tmp/client.err" || rc=$?
  if [ "$rc" != 0 ] && [ "$rc" -lt 124 ]; then
    ok "$name (exit $rc)"
  else
    fail "$name: exit $rc, want a failure exit below 124"
    show "$tmp/client.err"
  fi
}

# go_build <out> <src...>: build a Go program of tests/interop/go (a
# directory or .go files) to <out>, or fail the test (exit 1) with the
# build log. Standard library only, GOPATH mode: nothing is fetched. The
# shared package go/h2wtest is copied into a GOPATH under $tmp, where
# everything else Go writes stays too, except the build cache: it lives in
# the build tree, next to the bin directory, so the standard library is
# compiled once rather than by every run (about 15 s on two cores).
go_build() {
  local out=$1 rc=0 gocache dir=. src srcs=()
  shift
  # A package directory is built from inside it as "." (GOPATH mode takes
  # any other spelling of a directory for an import path); .go files by
  # absolute path.
  for src in "$@"; do
    if [ -d "$src" ]; then
      dir=$src
      srcs+=(.)
    else
      srcs+=("$(cd "$(dirname "$src")" && pwd)/$(basename "$src")")
    fi
  done
  case $out in /*) ;; *) out=$PWD/$out ;; esac
  mkdir -p "$bin/../go-cache" "$tmp/gopath/src"
  gocache=$(cd "$bin/../go-cache" && pwd)
  cp -R "$(dirname "${BASH_SOURCE[0]}")/go/h2wtest" "$tmp/gopath/src/"
  (
    export GOCACHE=$gocache GOPATH=$tmp/gopath GO111MODULE=off GOPROXY=off \
      GOFLAGS='' CGO_ENABLED=0
    cd "$dir"
    CLIENT_TIMEOUT=90 run go build -o "$out" "${srcs[@]}"
  ) >"$tmp/go-build.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "FAIL go build: exit $rc"
    show "$tmp/go-build.log"
    exit 1
  fi
}
