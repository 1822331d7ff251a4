# shellcheck shell=bash
# shellcheck disable=SC2154 # bin, tmp, server_pid, server_log, exit_code: lib.sh
# TLS helpers for the interop tests (sourced after lib.sh, not run).
#
#   need_tls_build            SKIP unless h2w-server and h2w-client were
#                             built with OpenSSL
#   make_cert                 a throwaway self-signed certificate for
#                             localhost and 127.0.0.1 in $tmp: sets cert, key
#   tls_client_ok <name> <expected body file> <h2w-client args...>
#                             like client_ok, for https:// URLs
#   tls_client_fails <name> <stderr regex> <h2w-client args...>
#   stop_server_clean         SIGTERM the server: exit 0, clean log
#
# The private key lives only in $tmp, made at test time and removed on
# exit; no key is ever committed.

need_tls_build() {
  local p
  for p in h2w-server h2w-client; do
    need_bin "$p"
    if "$bin/$p" --help 2>&1 | grep -q 'this build has no TLS'; then
      skip "$p was built without TLS (apt-get install -y libssl-dev, configure again)"
    fi
  done
}

# RSA, so the TLS 1.2 suite RFC 9113 section 9.2.2 makes mandatory
# (ECDHE-RSA-AES128-GCM-SHA256) is usable; the subjectAltName covers both
# names a test may dial, so a verifying client accepts it as a trust root.
make_cert() {
  need_cmd openssl openssl
  cert=$tmp/cert.pem
  key=$tmp/key.pem
  if ! openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 \
    -keyout "$key" -out "$cert" -subj /CN=localhost \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -addext 'basicConstraints=critical,CA:TRUE' \
    >"$tmp/openssl.log" 2>&1; then
    echo "FAIL openssl req could not make a test certificate"
    show "$tmp/openssl.log"
    exit 1
  fi
}

# tls_client_ok <name> <expected body file> <h2w-client args...>: exit 0,
# stdout equal to the file, one "URL -> STATUS (N bytes)" line per URL.
tls_client_ok() {
  local name=$1 want=$2 rc=0 a urls=0 lines
  shift 2
  for a in "$@"; do
    case $a in https://* | http://*) urls=$((urls + 1)) ;; esac
  done
  run "$bin/h2w-client" "$@" >"$tmp/client.out" 2>"$tmp/client.err" || rc=$?
  lines=$(grep -cE '^https?://[^ ]* -> [0-9]{3} \([0-9]+ bytes\)$' \
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

# tls_client_fails <name> <regex for stderr> <h2w-client args...>: exit 1
# (not a timeout, not a signal) with a message matching the regex.
tls_client_fails() {
  local name=$1 want=$2 rc=0
  shift 2
  run "$bin/h2w-client" "$@" >"$tmp/client.out" 2>"$tmp/client.err" || rc=$?
  if [ "$rc" = 1 ] && grep -Eq "$want" "$tmp/client.err"; then
    ok "$name"
  else
    fail "$name: exit $rc, want 1 and a message matching '$want'"
    show "$tmp/client.err"
  fi
}

# stop_server_clean: SIGTERM the server started by start_server; it must
# exit 0 within 10 s with a quiet log (under ASan: no leak or error
# report, which only appears at exit).
stop_server_clean() {
  kill -TERM "$server_pid" 2>/dev/null || true
  if ! wait_exit "$server_pid" 10; then
    fail "server still running 10 s after SIGTERM"
  elif [ "$exit_code" = 0 ] && no_alarm "$server_log"; then
    ok "server exits 0 on SIGTERM, log clean"
  else
    fail "server exit $exit_code on SIGTERM"
    show "$server_log"
  fi
}
