#!/usr/bin/env python3
"""Generate src/huffman_table.c: the HPACK Huffman tables (RFC 7541 App. B).

Usage: python3 tools/gen_huffman.py [output.c]   (default: src/huffman_table.c)
       python3 tools/gen_huffman.py --check      (verify the code table only)

The code table below is RFC 7541 Appendix B, typed in as (code, bit length)
per symbol 0..256 (256 is EOS). Before anything is written the table is
checked for the properties the RFC states or implies: it is a canonical
Huffman code (codes assigned in order of length, then symbol), the Kraft sum
is exactly 1 (the code tree is complete, so every bit string decodes to a
symbol or to EOS), and EOS is thirty 1 bits (RFC 7541 §5.2 padding is a
prefix of it). Any typo in the table breaks one of these checks.

Outputs, consumed by src/huffman.c:
  h2w_huffman_code[257], h2w_huffman_bits[257]: the encoder's table.
  h2w_huffman_decode_table[256 * 256]: a byte-at-a-time decoding automaton.
    A state is an internal node of the code tree (there are exactly 256 for
    257 leaves); the root is state 0. Entry [state * 256 + byte] describes
    what happens when the 8 bits of `byte` are walked from `state`:
      bits  0..7   first emitted symbol
      bits  8..15  second emitted symbol (a byte holds at most two codes,
                   as the shortest code has 5 bits); the two are the low
                   16 bits, stored together
      bits 16..23  next state (so `(entry >> 8) & 0xff00` is the offset of
                   the next row)
      bit  28      ACCEPT: the input may end here, i.e. the bits of the
                   unfinished code are all ones and at most 7 long
                   (RFC 7541 §5.2 padding rules)
      bit  29      FAIL: the walk decoded EOS (RFC 7541 §5.2: an error);
                   such an entry is FAIL alone (no symbol, state 0)
      bits 30..31  number of symbols emitted (0..2): one shift away
  h2w_huffman_decode_table4[256 * 16], h2w_huffman_accept4[32]: the same
    automaton four bits a step in 8 KiB instead of 256 KiB, compiled
    instead of the byte table when H2W_HUFFMAN_COMPACT is defined non-zero.
    Entry [state * 16 + nibble], 16 bits:
      bits  0..7   next state
      bits  8..15  the emitted symbol, or 0 when none (four bits complete
                   at most one code, as the shortest has 5 bits)
    States are numbered breadth-first, so a state below 15 is at depth 3
    or less: the walk emitted a symbol exactly when the next state is below
    15 (without one it went 4 levels down from at least the root). FAIL
    (EOS decoded) is 0xffff, which no walk gives (state 255 is deep, so a
    walk there emits nothing and has symbol bits 0). ACCEPT depends on the
    state alone and is the bit [state] of h2w_huffman_accept4, read once at
    the end of a string.
"""

import os
import sys

# RFC 7541 Appendix B: symbol -> (code as hex, length in bits).
CODES = [
    (0x1FF8, 13), (0x7FFFD8, 23), (0xFFFFFE2, 28), (0xFFFFFE3, 28),
    (0xFFFFFE4, 28), (0xFFFFFE5, 28), (0xFFFFFE6, 28), (0xFFFFFE7, 28),
    (0xFFFFFE8, 28), (0xFFFFEA, 24), (0x3FFFFFFC, 30), (0xFFFFFE9, 28),
    (0xFFFFFEA, 28), (0x3FFFFFFD, 30), (0xFFFFFEB, 28), (0xFFFFFEC, 28),
    (0xFFFFFED, 28), (0xFFFFFEE, 28), (0xFFFFFEF, 28), (0xFFFFFF0, 28),
    (0xFFFFFF1, 28), (0xFFFFFF2, 28), (0x3FFFFFFE, 30), (0xFFFFFF3, 28),
    (0xFFFFFF4, 28), (0xFFFFFF5, 28), (0xFFFFFF6, 28), (0xFFFFFF7, 28),
    (0xFFFFFF8, 28), (0xFFFFFF9, 28), (0xFFFFFFA, 28), (0xFFFFFFB, 28),
    # ' ' .. '/'
    (0x14, 6), (0x3F8, 10), (0x3F9, 10), (0xFFA, 12),
    (0x1FF9, 13), (0x15, 6), (0xF8, 8), (0x7FA, 11),
    (0x3FA, 10), (0x3FB, 10), (0xF9, 8), (0x7FB, 11),
    (0xFA, 8), (0x16, 6), (0x17, 6), (0x18, 6),
    # '0' .. '?'
    (0x0, 5), (0x1, 5), (0x2, 5), (0x19, 6),
    (0x1A, 6), (0x1B, 6), (0x1C, 6), (0x1D, 6),
    (0x1E, 6), (0x1F, 6), (0x5C, 7), (0xFB, 8),
    (0x7FFC, 15), (0x20, 6), (0xFFB, 12), (0x3FC, 10),
    # '@' .. 'O'
    (0x1FFA, 13), (0x21, 6), (0x5D, 7), (0x5E, 7),
    (0x5F, 7), (0x60, 7), (0x61, 7), (0x62, 7),
    (0x63, 7), (0x64, 7), (0x65, 7), (0x66, 7),
    (0x67, 7), (0x68, 7), (0x69, 7), (0x6A, 7),
    # 'P' .. '_'
    (0x6B, 7), (0x6C, 7), (0x6D, 7), (0x6E, 7),
    (0x6F, 7), (0x70, 7), (0x71, 7), (0x72, 7),
    (0xFC, 8), (0x73, 7), (0xFD, 8), (0x1FFB, 13),
    (0x7FFF0, 19), (0x1FFC, 13), (0x3FFC, 14), (0x22, 6),
    # '`' .. 'o'
    (0x7FFD, 15), (0x3, 5), (0x23, 6), (0x4, 5),
    (0x24, 6), (0x5, 5), (0x25, 6), (0x26, 6),
    (0x27, 6), (0x6, 5), (0x74, 7), (0x75, 7),
    (0x28, 6), (0x29, 6), (0x2A, 6), (0x7, 5),
    # 'p' .. 127
    (0x2B, 6), (0x76, 7), (0x2C, 6), (0x8, 5),
    (0x9, 5), (0x2D, 6), (0x77, 7), (0x78, 7),
    (0x79, 7), (0x7A, 7), (0x7B, 7), (0x7FFE, 15),
    (0x7FC, 11), (0x3FFD, 14), (0x1FFD, 13), (0xFFFFFFC, 28),
    # 128 .. 159
    (0xFFFE6, 20), (0x3FFFD2, 22), (0xFFFE7, 20), (0xFFFE8, 20),
    (0x3FFFD3, 22), (0x3FFFD4, 22), (0x3FFFD5, 22), (0x7FFFD9, 23),
    (0x3FFFD6, 22), (0x7FFFDA, 23), (0x7FFFDB, 23), (0x7FFFDC, 23),
    (0x7FFFDD, 23), (0x7FFFDE, 23), (0xFFFFEB, 24), (0x7FFFDF, 23),
    (0xFFFFEC, 24), (0xFFFFED, 24), (0x3FFFD7, 22), (0x7FFFE0, 23),
    (0xFFFFEE, 24), (0x7FFFE1, 23), (0x7FFFE2, 23), (0x7FFFE3, 23),
    (0x7FFFE4, 23), (0x1FFFDC, 21), (0x3FFFD8, 22), (0x7FFFE5, 23),
    (0x3FFFD9, 22), (0x7FFFE6, 23), (0x7FFFE7, 23), (0xFFFFEF, 24),
    # 160 .. 191
    (0x3FFFDA, 22), (0x1FFFDD, 21), (0xFFFE9, 20), (0x3FFFDB, 22),
    (0x3FFFDC, 22), (0x7FFFE8, 23), (0x7FFFE9, 23), (0x1FFFDE, 21),
    (0x7FFFEA, 23), (0x3FFFDD, 22), (0x3FFFDE, 22), (0xFFFFF0, 24),
    (0x1FFFDF, 21), (0x3FFFDF, 22), (0x7FFFEB, 23), (0x7FFFEC, 23),
    (0x1FFFE0, 21), (0x1FFFE1, 21), (0x3FFFE0, 22), (0x1FFFE2, 21),
    (0x7FFFED, 23), (0x3FFFE1, 22), (0x7FFFEE, 23), (0x7FFFEF, 23),
    (0xFFFEA, 20), (0x3FFFE2, 22), (0x3FFFE3, 22), (0x3FFFE4, 22),
    (0x7FFFF0, 23), (0x3FFFE5, 22), (0x3FFFE6, 22), (0x7FFFF1, 23),
    # 192 .. 223
    (0x3FFFFE0, 26), (0x3FFFFE1, 26), (0xFFFEB, 20), (0x7FFF1, 19),
    (0x3FFFE7, 22), (0x7FFFF2, 23), (0x3FFFE8, 22), (0x1FFFFEC, 25),
    (0x3FFFFE2, 26), (0x3FFFFE3, 26), (0x3FFFFE4, 26), (0x7FFFFDE, 27),
    (0x7FFFFDF, 27), (0x3FFFFE5, 26), (0xFFFFF1, 24), (0x1FFFFED, 25),
    (0x7FFF2, 19), (0x1FFFE3, 21), (0x3FFFFE6, 26), (0x7FFFFE0, 27),
    (0x7FFFFE1, 27), (0x3FFFFE7, 26), (0x7FFFFE2, 27), (0xFFFFF2, 24),
    (0x1FFFE4, 21), (0x1FFFE5, 21), (0x3FFFFE8, 26), (0x3FFFFE9, 26),
    (0xFFFFFFD, 28), (0x7FFFFE3, 27), (0x7FFFFE4, 27), (0x7FFFFE5, 27),
    # 224 .. 255
    (0xFFFEC, 20), (0xFFFFF3, 24), (0xFFFED, 20), (0x1FFFE6, 21),
    (0x3FFFE9, 22), (0x1FFFE7, 21), (0x1FFFE8, 21), (0x7FFFF3, 23),
    (0x3FFFEA, 22), (0x3FFFEB, 22), (0x1FFFFEE, 25), (0x1FFFFEF, 25),
    (0xFFFFF4, 24), (0xFFFFF5, 24), (0x3FFFFEA, 26), (0x7FFFF4, 23),
    (0x3FFFFEB, 26), (0x7FFFFE6, 27), (0x3FFFFEC, 26), (0x3FFFFED, 26),
    (0x7FFFFE7, 27), (0x7FFFFE8, 27), (0x7FFFFE9, 27), (0x7FFFFEA, 27),
    (0x7FFFFEB, 27), (0xFFFFFFE, 28), (0x7FFFFEC, 27), (0x7FFFFED, 27),
    (0x7FFFFEE, 27), (0x7FFFFEF, 27), (0x7FFFFF0, 27), (0x3FFFFEE, 26),
    # EOS
    (0x3FFFFFFF, 30),
]

EOS = 256
F_FAIL = 1 << 29
F_ACCEPT = 1 << 28


def check_codes():
    """Fail loudly unless CODES is RFC 7541's canonical, complete code."""
    if len(CODES) != 257:
        raise SystemExit("expected 257 symbols, got %d" % len(CODES))
    for sym, (code, nbits) in enumerate(CODES):
        if not 5 <= nbits <= 30 or code >> nbits:
            raise SystemExit("symbol %d: code %x does not fit %d bits"
                             % (sym, code, nbits))
    # Canonical Huffman: walking symbols by (length, symbol), each code is
    # the previous one plus one, shifted left when the length grows.
    order = sorted(range(257), key=lambda s: (CODES[s][1], s))
    expect, prev_bits = 0, CODES[order[0]][1]
    for sym in order:
        code, nbits = CODES[sym]
        expect <<= nbits - prev_bits
        prev_bits = nbits
        if code != expect:
            raise SystemExit("symbol %d: code %x, canonical order wants %x"
                             % (sym, code, expect))
        expect += 1
    # Kraft sum exactly 1 <=> the tree is complete: sum of 2^(30 - len)
    # must be 2^30.
    if sum(1 << (30 - nbits) for _, nbits in CODES) != 1 << 30:
        raise SystemExit("Kraft sum is not 1")
    if CODES[EOS] != ((1 << 30) - 1, 30):
        raise SystemExit("EOS is not thirty 1 bits")


def build_tree():
    """Return (children, leaf, depth, ones): per internal node, its two
    children (node id or None), the symbol at each child when it is a leaf,
    its depth, and whether its path from the root is all ones. Node ids are
    assigned breadth-first, so the root is 0."""
    root = {}
    for sym, (code, nbits) in enumerate(CODES):
        node = root
        for i in range(nbits - 1, 0, -1):
            node = node.setdefault((code >> i) & 1, {})
            if not isinstance(node, dict):
                raise SystemExit("code of %d has a prefix code" % sym)
        if (code & 1) in node:
            raise SystemExit("code of %d is a prefix of another" % sym)
        node[code & 1] = sym
    ids, queue = {id(root): 0}, [(root, 0, True)]
    nodes = []
    while queue:
        node, depth, ones = queue.pop(0)
        nodes.append((node, depth, ones))
        for bit in (0, 1):
            child = node[bit]
            if isinstance(child, dict):
                ids[id(child)] = len(ids)
                queue.append((child, depth + 1, ones and bit == 1))
    children, leaf, depth, ones = [], [], [], []
    for node, d, o in nodes:
        children.append([ids[id(node[b])] if isinstance(node[b], dict)
                         else None for b in (0, 1)])
        leaf.append([None if isinstance(node[b], dict) else node[b]
                     for b in (0, 1)])
        depth.append(d)
        ones.append(o)
    if len(nodes) != 256:
        raise SystemExit("expected 256 internal nodes, got %d" % len(nodes))
    return children, leaf, depth, ones


def decode_entry(tree, state, byte):
    children, leaf, depth, ones = tree
    emitted = []
    for i in range(7, -1, -1):
        bit = (byte >> i) & 1
        sym = leaf[state][bit]
        if sym is None:
            state = children[state][bit]
            continue
        if sym == EOS:
            return F_FAIL  # RFC 7541 §5.2: EOS in the string is an error
        emitted.append(sym)
        state = 0
    assert len(emitted) <= 2
    entry = (state << 16) | (len(emitted) << 30)
    for k, sym in enumerate(emitted):
        entry |= sym << (8 * k)
    # RFC 7541 §5.2: the string may end only inside a run of at most 7
    # padding bits, all of them ones (the most significant bits of EOS).
    if ones[state] and depth[state] <= 7:
        entry |= F_ACCEPT
    return entry


STATE_EMITS = 15  # states 0..14: depth 0..3, reached only after a symbol
FAIL4 = 0xFFFF


def decode_entry4(tree, state, nibble):
    """The 16-bit entry for walking the 4 bits of `nibble` from `state`."""
    children, leaf, depth, _ = tree
    emitted = []
    for i in range(3, -1, -1):
        bit = (nibble >> i) & 1
        sym = leaf[state][bit]
        if sym is None:
            state = children[state][bit]
            continue
        if sym == EOS:
            return FAIL4
        emitted.append(sym)
        state = 0
    assert len(emitted) <= 1
    # The layout's premises: breadth-first ids put depth <= 3 below 15,
    # and a walk emits a symbol exactly when it ends there.
    assert (depth[state] <= 3) == (state < STATE_EMITS)
    assert bool(emitted) == (state < STATE_EMITS)
    entry = state | ((emitted[0] << 8) if emitted else 0)
    assert entry != FAIL4
    return entry


def accept_bits(tree):
    """Bit s set when a string may end in state s (RFC 7541 §5.2)."""
    _, _, depth, ones = tree
    bits = [0] * 32
    for s in range(256):
        if ones[s] and depth[s] <= 7:
            bits[s >> 3] |= 1 << (s & 7)
    return bits


def self_test4(table4, accept):
    """The same RFC 7541 C.4.1 test with the 4-bit automaton."""
    data = bytes.fromhex("f1e3c2e5f23a6ba0ab90f4ff")
    state, out = 0, bytearray()
    for b in data:
        for nib in (b >> 4, b & 15):
            entry = table4[state * 16 + nib]
            assert entry != FAIL4
            state = entry & 0xFF
            if state < STATE_EMITS:
                out.append(entry >> 8)
    if bytes(out) != b"www.example.com" or not (accept[state >> 3] >> (state & 7)) & 1:
        raise SystemExit("4-bit self test failed: %r" % bytes(out))


def self_test(table):
    """Decode RFC 7541 C.4.1's "www.example.com" with the automaton."""
    data = bytes.fromhex("f1e3c2e5f23a6ba0ab90f4ff")
    state, out, entry = 0, bytearray(), F_ACCEPT
    for b in data:
        entry = table[state * 256 + b]
        assert not entry & F_FAIL
        for k in range(entry >> 30):
            out.append((entry >> (8 * k)) & 0xFF)
        state = (entry >> 16) & 0xFF
    if bytes(out) != b"www.example.com" or not entry & F_ACCEPT:
        raise SystemExit("self test failed: %r" % bytes(out))


def render(table, table4, accept):
    out = []
    w = out.append
    w("/* generated by tools/gen_huffman.py — do not edit.\n")
    w(" *\n")
    w(" * HPACK Huffman code (RFC 7541 Appendix B) and a decoding\n")
    w(" * automaton, byte-at-a-time (256 KiB) or, with H2W_HUFFMAN_COMPACT,\n")
    w(" * four bits a step (8 KiB); the entry layouts are described in the\n")
    w(" * generator and in src/huffman.h. */\n")
    w('#include "huffman.h"\n\n')
    # The tables are data, laid out for reading; keep clang-format's line
    # filling out of them so that regenerating is byte-for-byte stable.
    w("/* clang-format off */\n")
    w("const uint32_t h2w_huffman_code[257] = {\n")
    for i in range(0, 257, 6):
        row = ", ".join("0x%08x" % c for c, _ in CODES[i:i + 6])
        w("    %s,\n" % row)
    w("};\n\n")
    w("const uint8_t h2w_huffman_bits[257] = {\n")
    for i in range(0, 257, 16):
        row = ", ".join("%2d" % n for _, n in CODES[i:i + 16])
        w("    %s,\n" % row)
    w("};\n\n")
    w("#if H2W_HUFFMAN_IS_COMPACT\n")
    w("const uint16_t h2w_huffman_decode_table4[256 * 16] = {\n")
    for state in range(256):
        row = ", ".join("0x%04x" % e for e in table4[state * 16:state * 16 + 16])
        w("    %s,\n" % row)
    w("};\n\n")
    w("const uint8_t h2w_huffman_accept4[32] = {\n")
    for i in range(0, 32, 16):
        w("    %s,\n" % ", ".join("0x%02x" % b for b in accept[i:i + 16]))
    w("};\n")
    w("#else\n")
    w("const uint32_t h2w_huffman_decode_table[256 * 256] = {\n")
    for state in range(256):
        w("    /* state %d */\n" % state)
        base = state * 256
        for i in range(0, 256, 6):
            row = ", ".join("0x%08x" % e
                            for e in table[base + i:base + min(i + 6, 256)])
            w("    %s,\n" % row)
    w("};\n")
    w("#endif\n")
    w("/* clang-format on */\n")
    return "".join(out)


def main(argv):
    check_codes()
    if argv[1:] == ["--check"]:
        print("RFC 7541 Appendix B table: canonical, complete, EOS ok")
        return
    tree = build_tree()
    table = [decode_entry(tree, s, b) for s in range(256) for b in range(256)]
    self_test(table)
    table4 = [decode_entry4(tree, s, n) for s in range(256) for n in range(16)]
    accept = accept_bits(tree)
    self_test4(table4, accept)
    here = os.path.dirname(os.path.abspath(__file__))
    path = argv[1] if len(argv) > 1 else os.path.join(
        here, "..", "src", "huffman_table.c")
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(table, table4, accept))


if __name__ == "__main__":
    main(sys.argv)
