#!/bin/sh
# The binding as a user installs it: `pip install` of bindings/python,
# offline (--no-build-isolation --no-index: setuptools and wheel from the
# system), into a fresh venv (--system-site-packages), with no
# H2WIRE_LIBRARY anywhere. setup.py builds libh2wire.so with CMake from
# this source tree into the package; then, from another directory,
# `import h2wire` must load that bundled copy and `python3 -m h2wire.get`
# must fetch from h2w-server.
# Usage: pip_install.sh SOURCE_ROOT PYTHON [BIN_DIR]; exit 77 = skipped.
set -eu
root=$1
py=$2
bin=${3:-}
need="python3-venv python3-pip python3-setuptools python3-wheel"
skip() {
  echo "SKIP: $* (apt-get install -y $need)"
  exit 77
}
[ -x "$py" ] || skip "$py not found"
"$py" -c 'import venv, ensurepip' 2>/dev/null || skip "$py has no venv/ensurepip"
"$py" -m pip --version >/dev/null 2>&1 || skip "$py has no pip"
"$py" -c 'import setuptools, wheel' 2>/dev/null || skip "$py has no setuptools or wheel"
command -v cmake >/dev/null 2>&1 || { echo "SKIP: cmake not found (apt-get install -y cmake)"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/h2w-pip.XXXXXX")
srv=""
cleanup() {
  [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
unset H2WIRE_LIBRARY PYTHONPATH LD_PRELOAD || true
export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# A copy of bindings/python, so that setuptools' build/ and *.egg-info stay
# out of the source tree; H2WIRE_SOURCE_DIR says where the C sources are.
mkdir "$tmp/src"
(cd "$root/bindings/python" && tar cf - --exclude=build --exclude='*.egg-info' \
  --exclude=__pycache__ .) | (cd "$tmp/src" && tar xf -)
"$py" -m venv --system-site-packages "$tmp/venv"
vpy=$tmp/venv/bin/python3
if ! H2WIRE_SOURCE_DIR=$root timeout 280 "$vpy" -m pip install -q \
  --no-build-isolation --no-index "$tmp/src" >"$tmp/pip.log" 2>&1; then
  echo "FAIL pip install"
  tail -n 40 "$tmp/pip.log"
  exit 1
fi
echo "ok   pip install --no-build-isolation --no-index bindings/python"

cd "$tmp"
where=$("$vpy" -c 'import h2wire, h2wire._lib as l; print(l.lib._name); print(h2wire.version())')
lib=$(echo "$where" | sed -n 1p)
case $lib in
  "$tmp/venv/"*/site-packages/h2wire/libh2wire.so) echo "ok   import h2wire loads the bundled $lib" ;;
  *) echo "FAIL import h2wire loaded '$lib', not the copy in the venv"; exit 1 ;;
esac
echo "ok   h2wire.version(): $(echo "$where" | sed -n 2p)"

if [ -n "$bin" ] && [ -x "$bin/h2w-server" ]; then
  "$bin/h2w-server" --host 127.0.0.1 --port 0 >"$tmp/srv.log" 2>&1 &
  srv=$!
  i=0
  while ! grep -qs '^listening on ' "$tmp/srv.log"; do
    i=$((i + 1))
    [ "$i" -lt 200 ] && kill -0 "$srv" 2>/dev/null || { echo "FAIL h2w-server did not start"; exit 1; }
    sleep 0.05
  done
  port=$(sed -n 's/^listening on .*://p' "$tmp/srv.log")
  timeout 30 "$vpy" -m h2wire.get --prior-knowledge \
    "http://127.0.0.1:$port/bytes/1000" >"$tmp/body"
  n=$(wc -c <"$tmp/body" | tr -d ' ')
  [ "$n" = 1000 ] || { echo "FAIL python3 -m h2wire.get: $n octets, want 1000"; exit 1; }
  echo "ok   python3 -m h2wire.get without H2WIRE_LIBRARY: 1000 octets from h2w-server"
else
  "$vpy" -m h2wire.get --help >/dev/null
  echo "ok   python3 -m h2wire.get --help (h2w-server not built: no fetch)"
fi
echo "all checks passed"
