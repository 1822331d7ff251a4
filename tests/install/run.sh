#!/bin/sh
# Installs the built tree into a scratch prefix, then builds and runs a tiny
# outside program against it twice: once through pkg-config, once through
# find_package(h2wire). Usage: run.sh BUILD_DIR THIS_DIR CC SANITIZE
set -eu
build=$1
here=$2
cc=$3
sanitize=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
flags=""
case "$sanitize" in
  ON|on|1|TRUE|true) flags="-fsanitize=address,undefined" ;;
esac

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name h2wire.pc | head -n 1)
[ -n "$pc" ] || { echo "h2wire.pc was not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
[ -f "$libdir/libh2wire.a" ] || { echo "libh2wire.a was not installed"; exit 1; }
soname=$(objdump -p "$libdir/libh2wire.so" | awk '/SONAME/ {print $2}')
[ -n "$soname" ] || { echo "libh2wire.so has no SONAME"; exit 1; }
echo "installed $soname in $libdir"

# 1. pkg-config
PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exists h2wire
cflags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags h2wire)
libs=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --libs h2wire)
# shellcheck disable=SC2086
"$cc" $flags $cflags "$here/consumer/main.c" -o "$tmp/pc-consumer" $libs
LD_LIBRARY_PATH="$libdir" "$tmp/pc-consumer"

# 2. find_package(h2wire) -> h2wire::h2wire
cmake -S "$here/consumer" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" >/dev/null
cmake --build "$tmp/cm" >/dev/null
"$tmp/cm/consumer"
echo "install consumer: pkg-config and find_package both OK"
