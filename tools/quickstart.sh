#!/bin/sh
# The README's quick-start commands.
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

case "${1:-}" in
  test)
    ensure
    configure_and_build
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
  *)
    echo "usage: sh tools/quickstart.sh test" >&2
    exit 2
    ;;
esac
