#!/bin/bash
# Every example program names itself and says what was wrong on a bad
# command line (exit 2), instead of printing only its usage text.
# Usage: cli_errors.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
interop_init "$1"

# bad_cli <program> <expected first stderr line, a fixed string> <args...>
bad_cli() {
  local prog=$1 want=$2 rc=0 first
  shift 2
  if [ ! -x "$bin/$prog" ]; then
    echo "note: $prog not built, skipped"
    return
  fi
  run "$bin/$prog" "$@" >/dev/null 2>"$tmp/err" || rc=$?
  first=$(head -n 1 "$tmp/err")
  if [ "$rc" = 2 ] && [ "$first" = "$want" ]; then
    ok "$prog $*: $first"
  else
    fail "$prog $*: exit $rc, first line '$first', want exit 2 and '$want'"
  fi
}

bad_cli h2w-server "h2w-server: unknown or incomplete option '--bogus'" --bogus
bad_cli h2w-server "h2w-server: bad port 'x'" --port x
bad_cli h2w-server "h2w-server: --write-timeout needs a value in milliseconds" --write-timeout
bad_cli h2w-client "h2w-client: no URL given"
bad_cli h2w-client "h2w-client: unknown or incomplete option '--bogus'" --bogus http://127.0.0.1/
bad_cli grpc-style "grpc-style: no mode given (server or client)"
bad_cli grpc-style "grpc-style: unknown mode 'serve' (server or client)" serve
bad_cli grpc-style "grpc-style server: bad port 'x' (0 to 65535)" server x
bad_cli grpc-style "grpc-style client: no URL given" client
bad_cli grpc-style "grpc-style client: --raw: 'zz' is not an even number of hex digits" \
  client --raw zz http://127.0.0.1:1/pkg.Service/Echo
bad_cli grpc-style "grpc-style client: http://127.0.0.1:1/pkg.Service/Echo: no MESSAGE (a call carries at least one)" \
  client http://127.0.0.1:1/pkg.Service/Echo
bad_cli downchannel-client "downchannel-client: no URL given"
bad_cli downchannel-client "downchannel-client: ftp://x/: want an http:// or https:// URL" ftp://x/
bad_cli downchannel-client "downchannel-client: --ping-interval: bad value '0' (seconds, 0.001 to 2000000, up to 3 decimals)" \
  --ping-interval 0 http://127.0.0.1:1/
bad_cli downchannel-client "downchannel-client: unknown option '--bogus'" --bogus http://127.0.0.1:1/
bad_cli minimal-server "minimal-server: bad port 'x'" x
bad_cli minimal-client "minimal-client: want 1 to 64 URLs"
bad_cli minimal-client "minimal-client: ftp://x/: want http://HOST[:PORT]/PATH, all on one HOST:PORT" ftp://x/
finish
