#!/usr/bin/env python3
"""Write the seed corpus of fuzz_events from those of fuzz_session_server
and fuzz_session_client: their peer bytes (after the 7-octet header and the
two scripts of fuzz/session_fuzz.h) behind fuzz_events' 6-octet header
(role and mode bits, pause threshold / 16, piece-size seed), each seed in
a few modes, so the fuzzer starts from real conversations.

Usage: gen_events_seeds.py [fuzz/corpus]
"""
import os
import struct
import sys

# (mode octet bits, pause octet): bit 0 server, 1 frames, 2 data in input,
# 3 push on, 4 validation off.
MODES = [(0x0, 0), (0x6, 1), (0x4, 40), (0xA, 3), (0x12, 0)]

# Seeds also written with the mode bits of fuzz_events.c's later additions
# (0x20 promises refused, the event side through its own on_push_promise;
# 0x40 both send the PING "evfuzz!!" first; 0x80 the event-buffer calls'
# contract), as "x_<role>_<name>", with the peer's PING ACK of that PING
# after its first SETTINGS and SETTINGS ACK (so after `start` octets).
EXTRA = [("session_server", "get", 42), ("session_server", "three_streams", 42),
         ("session_client", "push_accepted", 24),
         ("session_client", "push_two_then_rst", 24),
         ("session_client", "response", 24)]
PING_ACK = bytes([0, 0, 8, 6, 1, 0, 0, 0, 0]) + b"evfuzz!!"


def peer_bytes(seed):
    if len(seed) < 7:
        return None
    oplen = struct.unpack(">H", seed[4:6])[0]
    cblen = seed[6]
    start = 7 + oplen + cblen
    return seed[start:] if start <= len(seed) else None


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    out = os.path.join(corpus, "events")
    os.makedirs(out, exist_ok=True)
    n = 0
    for role, name in ((1, "session_server"), (0, "session_client")):
        d = os.path.join(corpus, name)
        for i, f in enumerate(sorted(os.listdir(d))):
            with open(os.path.join(d, f), "rb") as fh:
                peer = peer_bytes(fh.read())
            if not peer:
                continue
            mode, pause = MODES[i % len(MODES)]
            head = bytes([mode | role, pause]) + struct.pack("<I", 0x9E3779B9 * (i + 1) & 0xFFFFFFFF)
            with open(os.path.join(out, f"{name[8:]}_{f}"), "wb") as fh:
                fh.write(head + peer)
            n += 1
    for name, f, start in EXTRA:
        with open(os.path.join(corpus, name, f), "rb") as fh:
            peer = peer_bytes(fh.read())
        role = 1 if name == "session_server" else 0
        peer = peer[:start] + PING_ACK + peer[start:]
        for mode in (0xE8, 0xCE, 0x68):
            head = bytes([mode | role, 0]) + struct.pack("<I", 0x2545F491)
            fn = os.path.join(out, "x_%s_%s_%02x" % (name[8:], f, mode))
            with open(fn, "wb") as fh:
                fh.write(head + peer)
            n += 1
    print(f"{n} seeds in {out}")


if __name__ == "__main__":
    main()
