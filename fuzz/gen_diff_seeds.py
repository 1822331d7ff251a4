#!/usr/bin/env python3
"""Write the seed corpora of fuzz_diff_server and fuzz_diff_client
(fuzz/corpus/diff_server/, fuzz/corpus/diff_client/): one file per
scenario (finding_* ones reproduce open defects and abort until they are
fixed, then stay as regress_* seeds), the same bytes for both roles (the
input says what the client and the server do, whichever library plays
each). The layout is the one fuzz/diff_peer.h reads: [flags][o1][o2][o3][n][n x (id sel, value sel)]
then ops. Usage: python3 fuzz/gen_diff_seeds.py"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# op numbers (diff_peer_ops.h, op % 16)
TO_NG, TO_H, H_SEND, NG_SEND, REQ, RESP, RESUME, RST, PING, SETTINGS, \
    PRIO, GOAWAY, PUSH, TICK, WINDOW, PUMP = range(16)

# gen_setting(): (a % 5) picks the id, b the value index
HTS, IWS, MFS, MCS, MHLS = range(5)


def header(flags=0, o1=0, o2=0, o3=0, settings=()):
    out = [flags, o1, o2, o3, len(settings)]
    for ident, val in settings:
        out += [ident, val]
    return out


def req(a=0, body=0, extras=(), defer=0, trailers=0, chunk=0, c=1):
    b = body | (defer << 3) | (trailers << 5) | (chunk << 6)
    out = [REQ, a | (len(extras) << 4), b, c]
    for ns, sel in extras:
        out += [ns, sel]
    return out


def resp(sel=0, status=0, body=0, extras=(), info=0, defer=0, trailers=0,
         chunk=0, c=2):
    a = status | (len(extras) << 4) | (0x80 if info else 0)
    b = body | (defer << 3) | (trailers << 5) | (chunk << 6)
    out = [RESP, sel, a, b, c]
    for ns, sel2 in extras:
        out += [ns, sel2]
    return out


def settings(ng_side, entries):
    out = [SETTINGS, (ng_side & 1) | ((len(entries) - 1) << 1)]
    for ident, val in entries:
        out += [ident, val]
    return out


SEEDS = {
    "get": header() + req() + [PUMP] + resp() + [PUMP],
    "post_big_both_ways": header() + req(body=6, defer=2, trailers=1,
                                         chunk=2)
    + [PUMP, RESUME, PUMP] + resp(body=7, info=1, defer=1, trailers=1)
    + [PUMP, RESUME | 0x10, PUMP],
    "many_streams": header(o3=1) + req(body=3) * 3 + [PUMP]
    + resp(body=4) + resp(sel=1, body=5) + [PUMP] + resp() + [PUMP],
    # several HEADER_TABLE_SIZE entries in one SETTINGS: issue 14 defect C
    "regress_defect_C_settings_multi_hts": header(settings=[(HTS, 1), (HTS, 4), (IWS, 4), (IWS, 0)])
    + req(extras=[(0, 20), (2, 5)]) + [PUMP]
    + settings(0, [(HTS, 1), (HTS, 6), (IWS, 1), (IWS, 6)])
    + settings(1, [(HTS, 1), (HTS, 4), (IWS, 5), (IWS, 8), (MFS, 3)])
    + req(extras=[(0, 20), (1, 7)], body=6) + [PUMP]
    + resp(extras=[(0, 20)], body=6) + resp(extras=[(3, 9)]) + [PUMP],
    "push": header(flags=0x04) + req() + [PUMP, PUSH, 0, 1, 0x0b, 3, PUMP]
    + resp(sel=0) + resp(sel=0, body=3) + [PUMP],
    "goaway_server": header(o3=1) + req() + req() + [PUMP]
    + [GOAWAY, 1, PUMP] + resp() + [PUMP] + req() + [PUMP],
    "goaway_client_shutdown": header() + req(body=2) + [PUMP, GOAWAY, 2, PUMP]
    + resp(body=2) + [TICK, 50, PUMP],
    "splits": header() + req(body=3) + [H_SEND, 7, H_SEND, 200, NG_SEND]
    + [TO_NG, 1, TO_H, 1] * 12 + [TO_NG, 0, TO_H, 0] + resp(body=4)
    + [H_SEND, 0, NG_SEND | 0x30] + [TO_NG, 3, TO_H, 5] * 12 + [PUMP],
    "ticks_keepalive": header(flags=0x02) + req() + [TICK, 120, TICK, 200]
    + resp() + [TICK, 255, PING, 0, PING, 1, PUMP, TICK, 90],
    "manual_flow": header(flags=0x01, o1=0x13) + req(body=6) + [PUMP]
    + resp(body=7) + [PUMP, WINDOW, 0x80, 0, 0, PUMP, WINDOW, 0x00, 20, 0,
                      WINDOW, 0x03, 30, 0, PUMP, WINDOW, 0x80, 0, 0, PUMP],
    "priorities": header(flags=0x80) + req(a=0x83) + req(a=0x8c) + [PUMP]
    + [PRIO, 0x01, 0, PRIO, 0x29, 1, PRIO, 0x14, 0, PRIO, 0x3b, 1, PUMP]
    + resp() + resp(sel=0) + [PUMP],
    "resets": header() + req(body=6) + req(body=6) + req() + [PUMP]
    + [RST, 0x02, 0, RST, 0x05, 0, PUMP] + resp(body=6) + [PUMP],
    "padding_bigframes": header(flags=0x18, o2=0x03) + req(body=6, chunk=0)
    + [PUMP] + resp(body=7) + [PUMP],
    # a WINDOW_UPDATE, then SETTINGS INITIAL_WINDOW_SIZE 2^31-1 and 65535:
    # the first entry overflows the stream window, issue 14 defect I
    "regress_defect_I_window_overflow": header() + req(body=0) + [PUMP, WINDOW, 0x01, 0, 0]
    + [WINDOW, 0x00, 0, 0, PUMP] + settings(1, [(IWS, 8), (IWS, 0)])
    + settings(0, [(IWS, 8), (IWS, 0)]) + [PUMP] + resp() + [PUMP],
    # h2wire server with INITIAL_WINDOW_SIZE 2^31-1 lowers it to 65535
    # while a 200000-octet upload is in flight: the stream's receive
    # window is never reopened (stall; found by fuzz_diff_server)
    "regress_recv_window_stall_after_iws_change": header(o1=8)
    + req(body=7) + [NG_SEND, TO_H, 0, H_SEND, 0]
    + settings(0, [(IWS, 0)]) + [PUMP] + resp() + [PUMP],
    # nghttp2 announces a 100-octet window: it then sends a small
    # WINDOW_UPDATE per frame it reads, which h2wire takes for a dribble
    # attack (issue 15 §1)
    "regress_issue15_s1_tiny_window_updates": header(settings=[(IWS, 3)])
    + req(body=7) + [PUMP] + resp(body=7) + [PUMP],
    # nghttp2's frame buffer grows to 65535 for a 1-octet body (read-length
    # callback, h2wire's MAX_FRAME_SIZE 65536), then h2wire lowers it to
    # 16384: a ~25 KB header block sent before the SETTINGS arrives is
    # accepted, one sent after the ACK leaves in one frame and is refused
    # with FRAME_SIZE_ERROR (an allowed difference, fuzz/README.md)
    "nghttp2_header_frames_around_lowered_mfs": header(flags=0x08, o1=7, o2=2)
    + [PUMP] + req(body=1) + [PUMP] + resp(body=1) + [PUMP]
    + settings(0, [(MFS, 0)]) + [H_SEND, 0]
    + req(extras=[(0, 0xff), (1, 0xff), (6, 0xff)]) + [NG_SEND, TO_H, 0, PUMP]
    + req(extras=[(0, 0xff), (1, 0xff), (6, 0xff)]) + [PUMP]
    + resp(extras=[(0, 0xff), (1, 0xff), (6, 0xff)]) + [PUMP],
    # a send() of 3 octets starts stream 3's HEADERS under no limit, then
    # nghttp2's SETTINGS MAX_CONCURRENT_STREAMS 1 reaches h2wire before
    # the rest is written; nghttp2 refuses stream 3 (REFUSED_STREAM), which
    # the harness blamed on h2wire by the limit in force at the frame's
    # last octet (CI's 60-second run at 54b49b6)
    "regress_harness_headers_cut_across_lowered_limit": header() + req()
    + [PUMP] + settings(1, [(MCS, 1)]) + req()
    + [H_SEND, 3, NG_SEND, TO_H, 0, PUMP],
}


# Reproducers that abort in one role only.
ONLY = {"regress_recv_window_stall_after_iws_change": "diff_server",
        "regress_harness_headers_cut_across_lowered_limit": "diff_client"}


def main():
    for role in ("diff_server", "diff_client"):
        d = os.path.join(HERE, "corpus", role)
        os.makedirs(d, exist_ok=True)
        for name, ops in SEEDS.items():
            if ONLY.get(name, role) != role:
                continue
            fname = name if name.startswith(("finding_", "regress_")) else "seed_" + name
            with open(os.path.join(d, fname), "wb") as f:
                f.write(bytes(ops))


if __name__ == "__main__":
    main()
