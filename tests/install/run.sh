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

# ABI policy (README "ABI policy"): before 1.0 the SONAME is
# libh2wire.so.0.MINOR, from 1.0 on libh2wire.so.MAJOR; only h2w_* symbols
# are exported (cmake/h2wire.map); the CMake package accepts a request for
# another 0.y as incompatible (SameMinorVersion) before 1.0.
version=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --modversion h2wire)
major=${version%%.*}
minor=${version#*.}
minor=${minor%%.*}
if [ "$major" = 0 ]; then want=libh2wire.so.0.$minor; else want=libh2wire.so.$major; fi
[ "$soname" = "$want" ] || { echo "SONAME $soname, want $want for $version"; exit 1; }
[ -e "$libdir/$soname" ] || { echo "$libdir/$soname is missing"; exit 1; }
if command -v nm >/dev/null 2>&1; then
  nm -D --defined-only "$libdir/libh2wire.so" | awk '{print $NF}' >"$tmp/syms"
  if grep -v '^h2w_' "$tmp/syms"; then
    echo "libh2wire.so exports the symbols above, which are not h2w_*"
    exit 1
  fi
  grep -q '^h2w_session_recv$' "$tmp/syms" || { echo "h2w_session_recv not exported"; exit 1; }
  echo "exports: $(wc -l <"$tmp/syms") symbols, all h2w_*"
else
  echo "nm not found (apt-get install -y binutils): export check skipped"
fi
find_version() { # find_version <version>: can find_package(h2wire <version>) succeed?
  rm -rf "$tmp/fv"
  mkdir "$tmp/fv"
  printf 'cmake_minimum_required(VERSION 3.20)\nproject(fv NONE)\nfind_package(h2wire %s REQUIRED)\n' \
    "$1" >"$tmp/fv/CMakeLists.txt"
  cmake -S "$tmp/fv" -B "$tmp/fv/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null 2>&1
}
find_version "$major.$minor" || { echo "find_package(h2wire $major.$minor) failed"; exit 1; }
if [ "$major" = 0 ] && [ "$minor" -gt 0 ] && find_version "0.$((minor - 1))"; then
  echo "find_package(h2wire 0.$((minor - 1))) accepted $version: want SameMinorVersion before 1.0"
  exit 1
fi
echo "package version: $major.$minor found, other minor versions refused"

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
