"""h2wire's Python binding against python-h2, in one process, on the same
work (issue 19). Every workload runs both libraries in turn, `--runs`
times, interleaved (h2, h2wire, h2, h2wire...), so that drift of the
machine hits both alike; each row gives the medians and their ratio
(python-h2 time / h2wire time: how many times faster h2wire is).

  requests     in-memory client + server: --requests GETs with 12 request
               fields in batches of 100 concurrent streams, each answered
               with 3 fields and a 100-octet body; validation on in both
               (h2's defaults validate inbound and outbound headers).
  unique       the same with a distinct :path per request (h2wire's cache
               of packed header lists then never hits).
  server       the server side of the same work only: the client's bytes
               are recorded once and replayed into a fresh server.
  bulk         --bodies responses of 1 MiB, with the default 65,535-octet
               windows and with 16 MiB ones, in a warm process (after a
               warm-up round) and in a fresh process (a new interpreter per
               run, timing its first transfer: page faults included).
  idle         the per-call overhead of data_to_send() with nothing to send.

Run from a build tree:
  H2WIRE_LIBRARY=build/lib/libh2wire.so PYTHONPATH=bindings/python \\
      python3 bindings/python/bench/bench.py [--runs 7] [--only requests,...]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import timeit

import h2.config
import h2.connection
import h2.events
import h2.settings

import h2wire

REQ = [
    (b":method", b"GET"),
    (b":scheme", b"https"),
    (b":authority", b"www.example.com"),
    (b":path", b"/static/js/application.min.js?v=20261207"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    (b"accept", b"*/*"),
    (b"accept-language", b"en-US,en;q=0.5"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"referer", b"https://www.example.com/index.html"),
    (b"cookie", b"session=0123456789abcdef; theme=dark"),
    (b"cache-control", b"no-cache"),
    (b"x-request-id", b"4f0c2a8e-1d7b-4c1e-9a52-7b9e3f6d2c10"),
]
BODY = b"x" * 100
RESP = [(b":status", b"200"), (b"content-type", b"text/plain"), (b"content-length", b"100")]
BATCH = 100
MIB = 1 << 20
BIG = 16 * MIB
BIG_RESP = [(b":status", b"200"), (b"content-length", str(MIB).encode())]


# ---- python-h2 ------------------------------------------------------------


def h2_pair(window=None):
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    s = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
    c.initiate_connection()
    s.initiate_connection()
    if window:
        c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        c.increment_flow_control_window(window - 65535)
    s.receive_data(c.data_to_send())
    c.receive_data(s.data_to_send())
    s.receive_data(c.data_to_send())
    c.receive_data(s.data_to_send())
    return c, s


def unique_req(i):
    """REQ with a :path of its own (no two header lists alike)."""
    r = list(REQ)
    r[3] = (b":path", b"/static/item/%d.js" % i)
    return r


def h2_requests(n, unique=False):
    c, s = h2_pair()
    done = 0
    while done < n:
        k = min(BATCH, n - done)
        for i in range(k):
            req = unique_req(done + i) if unique else REQ
            c.send_headers(c.get_next_available_stream_id(), req, end_stream=True)
        for ev in s.receive_data(c.data_to_send()):
            if isinstance(ev, h2.events.RequestReceived):
                s.send_headers(ev.stream_id, RESP)
                s.send_data(ev.stream_id, BODY, end_stream=True)
        for ev in c.receive_data(s.data_to_send()):
            if isinstance(ev, h2.events.StreamEnded):
                done += 1
            elif isinstance(ev, h2.events.DataReceived):
                # h2 leaves flow control to the application (h2wire's is
                # automatic): give the window back.
                c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        s.receive_data(c.data_to_send())
    return done


def h2_server(chunks):
    s = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
    s.initiate_connection()
    s.data_to_send()
    n = 0
    for chunk in chunks:
        for ev in s.receive_data(chunk):
            if isinstance(ev, h2.events.RequestReceived):
                s.send_headers(ev.stream_id, RESP)
                s.send_data(ev.stream_id, BODY, end_stream=True)
                n += 1
        s.data_to_send()
    return n


def h2_bulk(bodies, window):
    c, s = h2_pair(window)
    got = 0
    for _ in range(bodies):
        sid = c.get_next_available_stream_id()
        c.send_headers(sid, REQ, end_stream=True)
        left = MIB
        ended = False
        while not ended:
            for ev in s.receive_data(c.data_to_send()):
                if isinstance(ev, h2.events.RequestReceived):
                    s.send_headers(ev.stream_id, BIG_RESP)
            if left:
                # As much as the windows allow, in frames of the peer's size.
                room = min(left, s.local_flow_control_window(sid))
                step = s.max_outbound_frame_size
                body = BIG_BODY
                while room > 0:
                    n = min(step, room)
                    off = MIB - left
                    s.send_data(sid, body[off : off + n], end_stream=(left == n))
                    left -= n
                    room -= n
            for ev in c.receive_data(s.data_to_send()):
                if isinstance(ev, h2.events.DataReceived):
                    got += len(ev.data)
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    ended = True
    return got


# ---- h2wire ---------------------------------------------------------------


def hw_pair(window=None, record=None):
    copts = {}
    if window:
        copts.update(initial_window_size=window, connection_window_size=window)
    c = h2wire.Session.client(**copts)
    s = h2wire.Session.server()
    for _ in range(2):
        out = c.data_to_send()
        if record is not None:
            record.append(out)
        s.receive(out)
        c.receive(s.data_to_send())
    return c, s


def hw_requests(n, record=None, unique=False):
    c, s = hw_pair(record=record)
    RR = h2wire.RequestReceived
    SE = h2wire.StreamEnded
    done = 0
    while done < n:
        k = min(BATCH, n - done)
        for i in range(k):
            c.send_request(unique_req(done + i) if unique else REQ)
        out = c.data_to_send()
        if record is not None:
            record.append(out)
        for ev in s.receive(out):
            if ev.__class__ is RR:
                s.send_response(ev.stream_id, RESP, BODY)
        for ev in c.receive(s.data_to_send()):
            if ev.__class__ is SE:
                done += 1
        out = c.data_to_send()
        if record is not None and out:
            record.append(out)
        s.receive(out)
    return done


def hw_server(chunks):
    s = h2wire.Session.server()
    s.data_to_send()
    RR = h2wire.RequestReceived
    n = 0
    for chunk in chunks:
        for ev in s.receive(chunk):
            if ev.__class__ is RR:
                s.send_response(ev.stream_id, RESP, BODY)
                n += 1
        s.data_to_send()
    return n


def hw_bulk(bodies, window):
    c, s = hw_pair(window)
    got = 0
    for _ in range(bodies):
        c.send_request(REQ)
        ended = False
        while not ended:
            for ev in s.receive(c.data_to_send()):
                if isinstance(ev, h2wire.RequestReceived):
                    s.send_response(ev.stream_id, BIG_RESP, BIG_BODY)
            for ev in c.receive(s.data_to_send()):
                if isinstance(ev, h2wire.DataReceived):
                    got += len(ev.data)
                elif isinstance(ev, h2wire.StreamEnded):
                    ended = True
    return got


BIG_BODY = bytes(range(256)) * (MIB // 256)


# ---- harness --------------------------------------------------------------


def timed(fn, *args):
    t0 = time.perf_counter()
    r = fn(*args)
    return time.perf_counter() - t0, r


def interleave(runs, pairs):
    """pairs: [(name, fn, args)] for h2 then h2wire; medians of `runs`."""
    times = {name: [] for name, _, _ in pairs}
    results = {}
    for _ in range(runs):
        for name, fn, args in pairs:
            t, r = timed(fn, *args)
            times[name].append(t)
            if results.setdefault(name, r) != r:
                raise AssertionError(f"{name}: result changed {results[name]} -> {r}")
    return {k: statistics.median(v) for k, v in times.items()}, results


def row(title, med, unit_count, unit):
    h, w = med["h2"], med["h2wire"]
    print(f"{title:<34} python-h2 {unit_count / h:>10,.0f} {unit}/s   h2wire {unit_count / w:>11,.0f} {unit}/s"
          f"   ratio {h / w:5.1f}x", flush=True)
    return {"workload": title, "h2_s": h, "h2wire_s": w, "ratio": h / w}


def fresh_one(libname, window, bodies):
    """Child process: one bulk transfer in a new interpreter; prints its
    time as JSON."""
    fn = h2_bulk if libname == "h2" else hw_bulk
    t, got = timed(fn, bodies, window)
    assert got == bodies * MIB
    print(json.dumps({"t": t}))


def fresh(runs, window, bodies):
    times = {"h2": [], "h2wire": []}
    for _ in range(runs):
        for name in ("h2", "h2wire"):
            out = subprocess.run(
                [sys.executable, __file__, "--fresh-one", name, str(window or 0), str(bodies)],
                check=True, capture_output=True, text=True,
            ).stdout
            times[name].append(json.loads(out.strip().splitlines()[-1])["t"])
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--bodies", type=int, default=16)
    ap.add_argument("--only", default="requests,unique,server,bulk,idle")
    ap.add_argument("--json", help="also write the rows to this file")
    ap.add_argument("--fresh-one", nargs=3, metavar=("LIB", "WINDOW", "BODIES"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.fresh_one:
        lib, window, bodies = a.fresh_one
        fresh_one(lib, int(window) or None, int(bodies))
        return
    only = set(a.only.split(","))
    rows = []
    print(f"python-h2 {h2.__version__}, h2wire {h2wire.version()}, Python {sys.version.split()[0]}; "
          f"medians of {a.runs} interleaved runs", flush=True)
    if "requests" in only:
        hw_requests(1000), h2_requests(1000)  # warm-up
        med, _ = interleave(a.runs, [("h2", h2_requests, (a.requests,)), ("h2wire", hw_requests, (a.requests,))])
        rows.append(row(f"requests ({a.requests} GETs)", med, a.requests, "req"))
    if "unique" in only:
        # The same, but no two requests alike: what packing costs when the
        # binding's cache of packed header lists cannot help.
        med, _ = interleave(a.runs, [("h2", h2_requests, (a.requests, True)),
                                     ("h2wire", hw_requests, (a.requests, None, True))])
        rows.append(row(f"requests, unique :path ({a.requests})", med, a.requests, "req"))
    if "server" in only:
        chunks = []
        hw_requests(a.requests, chunks)
        assert hw_server(chunks) == a.requests == h2_server(chunks)
        med, _ = interleave(a.runs, [("h2", h2_server, (chunks,)), ("h2wire", hw_server, (chunks,))])
        rows.append(row(f"server only ({a.requests} GETs)", med, a.requests, "req"))
    if "bulk" in only:
        for window, wname in ((None, "default window"), (BIG, "16 MiB window")):
            h2_bulk(2, window), hw_bulk(2, window)  # warm-up
            med, _ = interleave(a.runs, [("h2", h2_bulk, (a.bodies, window)), ("h2wire", hw_bulk, (a.bodies, window))])
            rows.append(row(f"bulk 1 MiB, {wname}, warm", med, a.bodies, "MiB"))
            med = fresh(a.runs, window, a.bodies)
            rows.append(row(f"bulk 1 MiB, {wname}, fresh", med, a.bodies, "MiB"))
    if "idle" in only:
        hc, _ = h2_pair()
        wc, _ = hw_pair()
        n = 1_000_000
        times = {"h2": [], "h2wire": []}
        for _ in range(a.runs):
            times["h2"].append(timeit.timeit(hc.data_to_send, number=n))
            times["h2wire"].append(timeit.timeit(wc.data_to_send, number=n))
        # Times per call, in ns, and the same ratio.
        h = statistics.median(times["h2"]) / n * 1e9
        w = statistics.median(times["h2wire"]) / n * 1e9
        print(f"{'idle data_to_send()':<34} python-h2 {h:>9.0f} ns/call    h2wire {w:>10.0f} ns/call"
              f"   ratio {h / w:5.1f}x", flush=True)
        rows.append({"workload": "idle data_to_send()", "h2_ns": h, "h2wire_ns": w, "ratio": h / w})
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
