"""Shared helpers: an in-memory pump between two sessions, and h2w-server
started on a free loopback port."""

import os
import select
import shutil
import subprocess
import time

import pytest

import h2wire

BIN_DIR = os.environ.get("H2W_BIN_DIR", "")


def native_env():
    """The environment for a native child program: without the sanitizer
    runtime that may be preloaded into this Python (see CMakeLists.txt)."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


def tool(name):
    """Path of a built example program, or skip the test."""
    path = os.path.join(BIN_DIR, name)
    if not BIN_DIR or not os.access(path, os.X_OK):
        pytest.skip(f"{name} was not built (H2W_BIN_DIR={BIN_DIR!r})")
    return path


def program(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def pump(a, b, *, a_events=None, b_events=None, on_a=None, on_b=None, limit=10000):
    """Move bytes between two h2wire sessions until both are quiet.
    Events go to the given lists; on_a/on_b(event) may react to each one
    (queue a response...). Returns (a_events, b_events)."""
    a_events = [] if a_events is None else a_events
    b_events = [] if b_events is None else b_events
    def deliver(events, into, react):
        for ev in events:
            into.append(ev)
            if react:
                react(ev)

    for _ in range(limit):
        moved = False
        for src, dst, dst_events, react in ((a, b, b_events, on_b), (b, a, a_events, on_a)):
            out = src.data_to_send()
            # Events raised while producing output (StreamClosed...) wait
            # for the next receive(); take them now.
            deliver(src.events(), a_events if src is a else b_events, on_a if src is a else on_b)
            if out:
                moved = True
                deliver(dst.receive(out), dst_events, react)
        if not moved:
            return a_events, b_events
    raise AssertionError("the sessions never went quiet")


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def body_of(events, stream_id):
    return b"".join(e.data for e in of(events, h2wire.DataReceived) if e.stream_id == stream_id)


class Server:
    """A server program that prints "listening on HOST:PORT" once ready,
    started with --port 0 so the kernel picks a free port."""

    def __init__(self, argv, env):
        self.proc = subprocess.Popen(
            argv + ["--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.port = self._read_port()
        self.host = "127.0.0.1"

    def _read_port(self):
        line = b""
        deadline = time.monotonic() + 20
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                self.stop()
                raise AssertionError("the server did not start")
            c = os.read(self.proc.stdout.fileno(), 1)
            if not c:
                self.stop()
                raise AssertionError("the server exited before listening")
            line += c
        text = line.decode().strip()
        assert text.startswith("listening on "), text
        return int(text.rpartition(":")[2])

    def url(self, path, scheme="http"):
        return f"{scheme}://{self.host}:{self.port}{path}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def h2w_server():
    s = Server([tool("h2w-server")], native_env())
    yield s
    s.stop()
