#!/bin/sh
# The README's quick-start commands.
#   sh tools/quickstart.sh demo   build, start h2w-server on a free port and
#                                 fetch several routes with one h2w-client run
#   sh tools/quickstart.sh test   build everything and run every test
# Installs what is missing with apt-get when run as root; otherwise prints the
# exact install line and exits non-zero. Build directory: $H2W_BUILD_DIR or
# ./build.
set -eu
cd "$(dirname "$0")/.."
build=${H2W_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

need_pkgs() {
  missing=""
  command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
  command -v make >/dev/null 2>&1 || missing="$missing make"
  command -v cc >/dev/null 2>&1 || missing="$missing gcc"
  command -v clang >/dev/null 2>&1 || missing="$missing clang"
  command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
  if ! pkg-config --exists cmocka 2>/dev/null; then
    missing="$missing libcmocka-dev"
  fi
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  echo "$missing"
}

ensure() {
  missing=$(need_pkgs "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >/dev/null
  else
    echo "missing:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
  fi
}

configure_and_build() {
  cmake -S . -B "$build" -DH2W_WERROR=ON -DH2W_BUILD_TESTS=ON "$@"
  cmake --build "$build" -j "$jobs"
}

# The demo: h2w-server on a port the kernel picks, one h2w-client run that
# fetches four routes concurrently over one connection, then SIGTERM (the
# server's graceful shutdown). Exits with the client's status; the EXIT
# trap stops the server whatever happens.
demo_cleanup() {
  if [ -n "${srv_pid:-}" ]; then
    kill -TERM "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
  fi
  [ -n "${demo_dir:-}" ] && rm -rf "$demo_dir"
}

run_demo() {
  bin="$build/bin"
  srv_pid=""
  demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/h2w-demo.XXXXXX")
  trap demo_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$bin/h2w-server" --port 0 >"$demo_dir/server.out" 2>&1 &
  srv_pid=$!
  port=""
  tries=0
  while [ -z "$port" ] && [ "$tries" -lt 100 ] &&
    kill -0 "$srv_pid" 2>/dev/null; do
    sleep 0.1
    tries=$((tries + 1))
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
      "$demo_dir/server.out")
  done
  if [ -z "$port" ]; then
    echo "h2w-server did not start:" >&2
    cat "$demo_dir/server.out" >&2
    exit 1
  fi
  base="http://127.0.0.1:$port"
  printf 'hello from the quick-start demo\n' >"$demo_dir/body.txt"
  printf 'h2w-server: listening on 127.0.0.1:%s\n' "$port"
  printf '$ h2w-client %s/ %s/bytes/64 \\\n' "$base" "$base"
  printf "    '%s/events?interval_ms=200&count=3' \\\\\n" "$base"
  printf '    -d @body.txt %s/echo\n' "$base"
  rc=0
  timeout 60 "$bin/h2w-client" "$base/" "$base/bytes/64" \
    "$base/events?interval_ms=200&count=3" \
    -d "@$demo_dir/body.txt" "$base/echo" || rc=$?
  kill -TERM "$srv_pid"
  srv_rc=0
  wait "$srv_pid" || srv_rc=$?
  srv_pid=""
  echo "h2w-client exit status: $rc; h2w-server stopped (exit status $srv_rc)"
  exit "$rc"
}

case "${1:-}" in
  demo)
    ensure
    configure_and_build
    run_demo
    ;;
  test)
    ensure
    configure_and_build
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
  *)
    echo "usage: sh tools/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
