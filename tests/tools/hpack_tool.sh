#!/bin/sh
# Tests of the h2w-hpack command-line format (tools/h2w-hpack.c), which
# other scripts depend on. Usage: hpack_tool.sh <path to h2w-hpack>
# Blocks are RFC 7541 Appendix C examples.
set -u
tool=$1
tmp=${TMPDIR:-/tmp}/h2w-hpack-test.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
fails=0

# check <name> <mode args> <stdin> <expected stdout> <expected exit code>
#       [<expected stderr prefix>]
check() {
  name=$1 args=$2 input=$3 want=$4 wantrc=$5 wanterr=${6:-}
  printf '%s' "$input" | $tool $args >"$tmp/out" 2>"$tmp/err"
  rc=$?
  printf '%s' "$want" >"$tmp/want"
  if ! cmp -s "$tmp/out" "$tmp/want"; then
    echo "FAIL $name: stdout differs"
    diff "$tmp/want" "$tmp/out" | head -20
    fails=$((fails + 1))
  elif [ "$rc" != "$wantrc" ]; then
    echo "FAIL $name: exit code $rc, want $wantrc"
    fails=$((fails + 1))
  elif [ -n "$wanterr" ] && ! head -c ${#wanterr} "$tmp/err" | grep -qF "$wanterr"; then
    echo "FAIL $name: stderr '$(cat "$tmp/err")', want '$wanterr...'"
    fails=$((fails + 1))
  elif [ -z "$wanterr" ] && [ -s "$tmp/err" ]; then
    echo "FAIL $name: unexpected stderr '$(cat "$tmp/err")'"
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

nl='
'
cr=$(printf '\r')
C31=828684410f7777772e6578616d706c652e636f6d
C32=828684be58086e6f2d6361636865
C33=828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565
C41=828684418cf1e3c2e5f23a6ba0ab90f4ff
C42=828684be5886a8eb10649cbf
C43=828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf
C51=4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d
C52=4803333037c1c0bf
C53=88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31

REQ1=":method: GET$nl:scheme: http$nl:path: /$nl:authority: www.example.com$nl"
REQ2="${REQ1}cache-control: no-cache$nl"
REQ3=":method: GET$nl:scheme: https$nl:path: /index.html$nl:authority: www.example.com${nl}custom-key: custom-value$nl"
D1="Mon, 21 Oct 2013 20:13:21 GMT"
D2="Mon, 21 Oct 2013 20:13:22 GMT"
LOC="https://www.example.com"
RESP1=":status: 302${nl}cache-control: private${nl}date: $D1${nl}location: $LOC$nl"
RESP2=":status: 307${nl}cache-control: private${nl}date: $D1${nl}location: $LOC$nl"
RESP3=":status: 200${nl}cache-control: private${nl}date: $D2${nl}location: $LOC${nl}content-encoding: gzip${nl}set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1$nl"

# Decoding: RFC C.3 and C.4, one context each; hex case and spaces ignored.
check "decode C.3" decode "$C31$nl$C32$nl$C33$nl" \
  "$REQ1$nl$REQ2$nl$REQ3$nl" 0
check "decode C.4 upper case, spaces" decode \
  "$(echo $C41 | tr a-f A-F)${nl}82 86 84 be 58 86 a8 eb 10 64 9c bf$nl$C43$nl" \
  "$REQ1$nl$REQ2$nl$REQ3$nl" 0
check "decode CRLF lines, last line without newline" decode \
  "$C31$cr$nl$C32" "$REQ1$nl$REQ2$nl" 0
# C.5 needs table size 256: the update 3fe101 must come first (§4.2).
check "decode table-size + C.5" decode \
  "table-size 256${nl}3fe101$C51$nl$C52$nl$C53$nl" \
  "$RESP1$nl$RESP2$nl$RESP3$nl" 0
check "decode table-size without the update" decode \
  "table-size 256$nl$C51$nl" "" 1 "error: "
# reset: a new context, so C.3.2's reference to entry 62 is now invalid.
check "decode reset" decode "$C31${nl}reset$nl$C31$nl" "$REQ1$nl$REQ1$nl" 0
check "decode reset forgets the table" decode "$C31${nl}reset$nl$C32$nl" \
  "$REQ1$nl" 1 "error: "
check "decode empty block" decode "$nl$C31$nl" "$nl$REQ1$nl" 0
# Escaping: octets outside 0x20-0x7e and the backslash become \xHH.
check "decode escapes" decode "0003615c7f04205c0aff$nl" \
  'a\x5c\x7f:  \x5c\x0a\xff'"$nl$nl" 0
check "decode never-indexed literal" decode \
  "100870617373776f726406736563726574$nl" "password: secret$nl$nl" 0
# Errors: earlier blocks stay printed; exit 1; "error: " on stderr.
check "decode bad index keeps earlier output" decode "$C31${nl}80$nl$C31$nl" \
  "$REQ1$nl" 1 "error: "
check "decode odd hex" decode "828$nl" "" 1 "error: "
check "decode non-hex" decode "82zz$nl" "" 1 "error: "
check "decode truncated block" decode "41$nl" "" 1 "error: "
check "decode bad table-size" decode "table-size x$nl" "" 1 "error: "
check "decode table-size overflow" decode "table-size 4294967296$nl" "" 1 \
  "error: "

# Encoding: our output equals the RFC's for C.3 (raw) and C.4 (Huffman).
check "encode C.3 --no-huffman" "encode --no-huffman" \
  "$REQ1$nl$REQ2$nl$REQ3$nl" "$C31$nl$C32$nl$C33$nl" 0
check "encode C.4" encode "$REQ1$nl$REQ2$nl$REQ3" "$C41$nl$C42$nl$C43$nl" 0
check "encode table-size + C.5 --no-huffman" "encode --no-huffman" \
  "table-size 256$nl$RESP1$nl$RESP2$nl$RESP3$nl" \
  "3fe101$C51$nl$C52$nl$C53$nl" 0
check "encode reset" "encode --no-huffman" "$REQ1${nl}reset$nl$REQ1$nl" \
  "$C31$nl$C31$nl" 0
check "encode escapes" "encode --no-huffman" \
  'x\x01\x5cy: a\x5c\xffb'"$nl" "400478015c7904615cff62$nl" 0
check "encode ': ' inside a value" "encode --no-huffman" \
  "x-a: b: c$nl" "4003782d6104623a2063$nl" 0
check "encode empty value" "encode --no-huffman" "x-a: $nl" \
  "4003782d6100$nl" 0
check "encode missing separator" encode "x-a: b${nl}novalue$nl" "" 1 "error: "
check "encode reset inside a block" encode "x-a: b${nl}reset$nl" "" 1 "error: "
check "encode bad escape" encode 'x: \x4'"$nl" "" 1 "error: "
check "encode bad escape letter" encode 'x: \q41'"$nl" "" 1 "error: "
check "encode error keeps earlier blocks" encode \
  "$REQ1${nl}x:y$nl" "$C41$nl" 1 "error: "
check "usage" "frobnicate" "" "" 2 "usage: "

if [ "$fails" -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all h2w-hpack tool tests passed"
