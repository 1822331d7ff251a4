#!/bin/sh
# The four ways README.md ("How to embed it") says to use h2wire, each
# building and running a tiny outside program: installed into a scratch
# prefix, through pkg-config and through find_package(h2wire); the source
# tree through add_subdirectory(); and the sources vendored, compiled with a
# plain compiler line. Usage: run.sh BUILD_DIR THIS_DIR CC SANITIZE
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

# 3. add_subdirectory(<h2wire source>) -> h2wire::h2wire; tests, examples
# and the docs target stay out of the parent project.
src=$(cd "$here/../.." && pwd)
cmake -S "$here/subdir" -B "$tmp/sub" -DH2W_SOURCE_DIR="$src" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" >/dev/null
cmake --build "$tmp/sub" -j 2 >/dev/null
"$tmp/sub/consumer"
if [ -e "$tmp/sub/h2wire/tests" ] || [ -e "$tmp/sub/h2wire/docs" ]; then
  echo "add_subdirectory built h2wire's tests or docs into the parent"
  exit 1
fi

# 4. Vendoring: include/ (h2wire.h and the committed h2wire_version.h) and
# src/ copied from the source tree into the program's tree, nothing taken
# from a build directory, no CMake and no defines: first the library alone
# with the README's plain compiler line (objects only), then library and
# program in one line (and no warning under the project's own warning set).
mkdir -p "$tmp/vendor/h2wire" "$tmp/vendor/obj"
cp -R "$src/include" "$tmp/vendor/h2wire/include"
cp -R "$src/src" "$tmp/vendor/h2wire/src"
cp "$here/consumer/main.c" "$tmp/vendor/app.c"
(
  cd "$tmp/vendor/obj"
  # shellcheck disable=SC2086
  "$cc" -std=c11 $flags -I../h2wire/include -c ../h2wire/src/*.c
  ls ./*.o >/dev/null
  cd ..
  # shellcheck disable=SC2086
  "$cc" -std=c11 -O2 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror \
    $flags -Ih2wire/include h2wire/src/*.c app.c -o app
  ./app
)
echo "install consumer: pkg-config, find_package, add_subdirectory and vendoring OK"
