#!/bin/sh
# The README's quick-start commands.
#   sh tools/quickstart.sh demo   build the example server and client only
#                                 (no tests, no -Werror), start h2w-server on
#                                 a free port and fetch several routes with
#                                 one h2w-client run
#   sh tools/quickstart.sh test   build everything with -Werror and run every
#                                 test; ends with a summary naming each
#                                 skipped test, why, and the install line
#                                 that would let it run
# Run as root, both install what they need with apt-get (test: the build
# tools, cmocka, and every peer the interop and Python tests use). Otherwise
# a missing build tool stops them with the exact install line, and tests
# whose peer is missing are skipped and listed at the end; so too as root
# with H2W_NO_APT=1.
# Build directory: $H2W_BUILD_DIR or ./build. $H2W_HPACK_TEST_CASE_DIR, if
# set, is passed to CMake (the full hpack-test-case corpus).
set -eu
cd "$(dirname "$0")/.."
build=${H2W_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)

# Debian packages by need. The build: a C compiler, CMake, make and
# pkg-config; the tests add cmocka. The test peers: what tests/interop/*.sh
# and the Python binding's tests skip without (curl; nghttp, h2load and
# nghttpd; python3-h2 as a server and for the binding tests with pytest;
# OpenSSL headers for the TLS examples and openssl for test certificates;
# Go for its net/http client; venv, pip, setuptools and wheel to install
# the Python binding offline in the python_pip_install test).
BUILD_PKGS="cmake make gcc pkg-config"
TEST_PKGS="libcmocka-dev"
PEER_PKGS="curl nghttp2-client nghttp2-server python3-h2 python3-pytest
libssl-dev openssl golang-go python3-venv python3-pip python3-setuptools
python3-wheel"

# The packages among "$@" that are not installed. Build tools count as
# present when their command is, whatever installed them.
missing_pkgs() {
  out=""
  for p in "$@"; do
    case "$p" in
      gcc) command -v cc >/dev/null 2>&1 && continue ;;
      cmake | make | pkg-config) command -v "$p" >/dev/null 2>&1 && continue ;;
      libcmocka-dev)
        pkg-config --exists cmocka 2>/dev/null && continue
        ;;
    esac
    dpkg -s "$p" >/dev/null 2>&1 || out="$out $p"
  done
  echo "$out"
}

is_root_with_apt() {
  [ "${H2W_NO_APT:-}" != 1 ] && [ "$(id -u)" = 0 ] &&
    command -v apt-get >/dev/null 2>&1
}

apt_install() {
  echo "installing:$*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2068
  apt-get install -y -qq --no-install-recommends $@ >/dev/null
}

# Required packages: installed when root, else stop with the install line.
require() {
  missing=$(missing_pkgs "$@")
  [ -z "$missing" ] && return 0
  if is_root_with_apt; then
    # shellcheck disable=SC2086
    apt_install $missing
  else
    echo "missing:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
  fi
}


# The tests that ctest reported as skipped (exit 77), each with the first
# "SKIP: ..." line it printed, grouped by that reason, and one install line
# for every package those reasons name.
skip_summary() {
  log=$1
  names=$(sed -n 's/^[[:space:]]*[0-9][0-9]* - \(.*\) (Skipped)$/\1/p' "$log")
  [ -z "$names" ] && return 0
  detail="$build/Testing/Temporary/LastTest.log"
  reasons=$(
    for n in $names; do
      r=""
      if [ -f "$detail" ]; then
        r=$(awk -v t="$n" '
          /^[0-9]+\/[0-9]+ Testing: / { cur = $3 }
          cur == t && /^SKIP: / { sub(/^SKIP: /, ""); print; exit }
        ' "$detail")
      fi
      printf '%s\t%s\n' "${r:-no reason printed}" "$n"
    done | sort
  )
  count=$(echo "$names" | wc -l)
  echo
  echo "=== $count test(s) skipped, by reason ==="
  echo "$reasons" | awk -F '\t' '
    $1 != prev { if (NR > 1) print ""; print "- " $1; printf "   "; prev = $1 }
    { printf " %s", $2 }
    END { print "" }
  '
  pkgs=$(echo "$reasons" | cut -f 1 |
    sed -n 's/.*apt-get install \(-y \)\{0,1\}\([a-z0-9][a-z0-9.+ -]*\).*/\2/p' |
    tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
  if [ -n "$pkgs" ]; then
    echo
    echo "To run them: sudo apt-get install -y ${pkgs% }"
    echo "then run this command again."
  fi
  if echo "$reasons" | grep -q 'H2W_HPACK_TEST_CASE_DIR'; then
    echo "The *_full HPACK tests need the whole hpack-test-case corpus"
    echo "(github.com/http2jp/hpack-test-case): H2W_HPACK_TEST_CASE_DIR=/path/to/it"
    echo "sh tools/quickstart.sh test. The subset in tests/data/ always runs."
  fi
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
    # shellcheck disable=SC2086
    require $BUILD_PKGS
    # Only the two programs the demo runs, with the default warnings: no
    # tests, no -Werror (both belong to the test command and CI).
    cmake -S . -B "$build" -DH2W_BUILD_TESTS=OFF -DH2W_WERROR=OFF \
      -DH2W_BUILD_EXAMPLES=ON
    cmake --build "$build" -j "$jobs" --target h2w-server h2w-client
    run_demo
    ;;
  test)
    # As root the test peers are installed too (one apt-get run); else
    # the tests that need a missing one skip, and the summary says so.
    if is_root_with_apt; then
      # shellcheck disable=SC2086
      missing=$(missing_pkgs $BUILD_PKGS $TEST_PKGS $PEER_PKGS)
      # shellcheck disable=SC2086
      [ -z "$missing" ] || apt_install $missing
    else
      # shellcheck disable=SC2086
      require $BUILD_PKGS $TEST_PKGS
    fi
    set -- -DH2W_WERROR=ON -DH2W_BUILD_TESTS=ON -DH2W_BUILD_EXAMPLES=ON
    if [ -n "${H2W_HPACK_TEST_CASE_DIR:-}" ]; then
      set -- "$@" "-DH2W_HPACK_TEST_CASE_DIR=$H2W_HPACK_TEST_CASE_DIR"
    fi
    cmake -S . -B "$build" "$@"
    cmake --build "$build" -j "$jobs"
    log="$build/quickstart-ctest.log"
    rc=0
    ctest --test-dir "$build" --output-on-failure -j "$jobs" 2>&1 |
      tee "$log" || true
    # The pipeline's status is tee's: ctest's verdict line tells.
    if ! grep -q 'tests passed, 0 tests failed out of' "$log"; then
      rc=8
    fi
    skip_summary "$log"
    exit "$rc"
    ;;
  *)
    echo "usage: sh tools/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
