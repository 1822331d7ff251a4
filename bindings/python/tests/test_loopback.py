"""Over real sockets on loopback: the binding's client against h2w-server
(in process, through python3 -m h2wire.get, and through the asyncio
example client), and curl against the binding-driven asyncio example
server."""

import os
import socket
import subprocess
import sys

import pytest
from conftest import Server, native_env, of, program, tool

import h2wire
from h2wire import Session

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
# h2w-server's /bytes/N body: this 64-octet line repeated (routes.c).
PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+\n"


def pattern(n):
    return (PATTERN * (n // len(PATTERN) + 1))[:n]


def exchange(host, port, requests, timeout=30):
    """Blocking client: send every (headers, body) at once on one
    connection; returns {stream id: (response headers, body, trailers)}."""
    results = {}
    with socket.create_connection((host, port), timeout=timeout) as sock, Session.client() as s:
        ids = [s.send_request(h, b) for h, b in requests]
        for sid in ids:
            results[sid] = [None, bytearray(), None]
        open_ids = set(ids)
        while open_ids:
            out = s.data_to_send()
            if out:
                sock.sendall(out)
            data = sock.recv(65536)
            assert data, "h2w-server closed the connection"
            for ev in s.receive(data):
                r = results.get(getattr(ev, "stream_id", None))
                if isinstance(ev, h2wire.ResponseReceived):
                    r[0] = dict(ev.headers)
                elif isinstance(ev, h2wire.DataReceived):
                    r[1] += ev.data
                elif isinstance(ev, h2wire.TrailersReceived):
                    r[2] = ev.headers
                elif isinstance(ev, h2wire.StreamClosed):
                    assert not ev.reset, ev
                    open_ids.discard(ev.stream_id)
        s.close()
        sock.sendall(s.data_to_send())
    return [results[i] for i in ids]


def req(server, path, method="GET"):
    return [(":method", method), (":scheme", "http"),
            (":authority", f"{server.host}:{server.port}"), (":path", path)]


def python_env():
    """For a child Python: PYTHONPATH (set by run.py) and, in a sanitizer
    build, the preloaded runtime the library needs."""
    return dict(os.environ)


def get(*args, check_rc=None):
    p = subprocess.run(
        [sys.executable, "-m", "h2wire.get", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=python_env(), timeout=120,
    )
    if check_rc is not None:
        assert p.returncode == check_rc, p.stderr.decode()
    return p


# ---- the binding as a client of h2w-server -------------------------------


def test_binding_client_concurrent_streams(h2w_server):
    upload = os.urandom(1 << 20)
    sizes = [0, 1, 16384, 100000, 1 << 20]
    results = exchange(
        h2w_server.host, h2w_server.port,
        [(req(h2w_server, f"/bytes/{n}"), None) for n in sizes]
        + [(req(h2w_server, "/echo", "POST"), upload), (req(h2w_server, "/nope"), None)],
    )
    for n, (hdrs, body, _) in zip(sizes, results):
        assert hdrs[b":status"] == b"200"
        assert body == pattern(n)
    assert results[-2][1] == upload  # 1 MiB each way through the windows
    assert results[-1][0][b":status"] == b"404"


def test_get_acceptance(h2w_server):
    p = get("--prior-knowledge", h2w_server.url("/bytes/1000"), check_rc=0)
    assert p.stdout == pattern(1000) and len(p.stdout) == 1000
    assert p.stderr == b""


def test_get_many_urls_in_order_through_upgrade(h2w_server):
    (greeting,) = [r[1] for r in exchange(h2w_server.host, h2w_server.port,
                                          [(req(h2w_server, "/"), None)])]
    urls = [h2w_server.url(u) for u in ("/bytes/300000", "/", "/bytes/64", "/bytes/0")]
    expect = pattern(300000) + greeting + pattern(64)
    # Without --prior-knowledge: HTTP/1.1 Upgrade to h2c, then the rest.
    assert get(*urls, check_rc=0).stdout == expect
    assert get("--prior-knowledge", *urls, check_rc=0).stdout == expect


def test_get_failures(h2w_server):
    p = get("--prior-knowledge", h2w_server.url("/nope"), h2w_server.url("/bytes/3"), check_rc=0)
    assert p.stdout == b"not found\n" + pattern(3)  # a 404 is still a response
    p = get("--prior-knowledge", "--fail", h2w_server.url("/nope"), check_rc=1)
    assert b"404" in p.stderr
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    p = get("--prior-knowledge", f"http://127.0.0.1:{dead}/", h2w_server.url("/bytes/5"), check_rc=1)
    assert p.stdout == pattern(5) and b"127.0.0.1:%d" % dead in p.stderr
    get("ftp://example.org/", check_rc=1)


def test_get_https_with_alpn(tmp_path):
    openssl = program("openssl")
    server_bin = tool("h2w-server")
    usage = subprocess.run([server_bin, "--help"], stdout=subprocess.PIPE, env=native_env())
    if b"has no TLS" in usage.stdout:
        pytest.skip("h2w-server was built without TLS")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    srv = Server([server_bin, "--cert", str(cert), "--key", str(key)], native_env())
    try:
        url = srv.url("/bytes/5000", scheme="https")
        p = get("--insecure", url, check_rc=0)
        assert p.stdout == pattern(5000)
        p = get(url, check_rc=1)  # self-signed: verification fails by default
        assert b"CERTIFICATE_VERIFY_FAILED" in p.stderr or b"certificate" in p.stderr
    finally:
        srv.stop()


def test_readme_example(h2w_server):
    """The README's client, run against h2w-server, so it cannot rot."""
    with open(os.path.join(os.path.dirname(HERE), "README.md")) as f:
        code = f.read().split("```python\n", 1)[1].split("```", 1)[0]
    assert "8080" in code
    p = subprocess.run(
        [sys.executable, "-c", code.replace("8080", str(h2w_server.port))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=python_env(), timeout=60,
    )
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.startswith(b"Hello from h2w-server")


def test_asyncio_client_example(h2w_server):
    p = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, "asyncio_client.py"),
         "--port", str(h2w_server.port), "/bytes/70000", "/", "/nope"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=python_env(), timeout=60,
    )
    assert p.returncode == 0, p.stderr.decode()
    lines = p.stdout.decode().splitlines()
    assert lines[0].split()[:3] == ["/bytes/70000", "200", "70000"]
    assert lines[1].split()[1] == "200" and lines[2].split()[1] == "404"


# ---- curl and h2wire.get against the binding-driven asyncio server -------


@pytest.fixture(scope="module")
def aio_server():
    s = Server([sys.executable, os.path.join(EXAMPLES, "asyncio_server.py")], python_env())
    yield s
    s.stop()


def curl(*args):
    p = subprocess.run(
        [program("curl"), "-sS", "--http2-prior-knowledge", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=native_env(), timeout=60,
    )
    assert p.returncode == 0, p.stderr.decode()
    return p


def test_curl_against_binding_server(aio_server, tmp_path):
    p = curl("-w", "%{http_version} %{http_code}", aio_server.url("/"))
    assert p.stdout.startswith(b"Hello from h2wire ") and p.stdout.endswith(b"2 200")
    assert curl(aio_server.url("/bytes/1000000")).stdout == pattern(1000000)
    upload = tmp_path / "up.bin"
    data = os.urandom(3 << 20)
    upload.write_bytes(data)
    p = curl("--data-binary", f"@{upload}", "-D", str(tmp_path / "h"), aio_server.url("/echo"))
    assert p.stdout == data
    # One URL per curl run: Debian 12's curl 7.88.1 fails the second
    # request on a reused prior-knowledge connection with any server
    # ("Error in the HTTP2 framing layer"; nghttpd does the same).
    p = curl("-w", " %{http_code}", aio_server.url("/nope"))
    assert p.stdout == b"not found\n 404"
    # The echo's trailers reach curl's header dump.
    hdrs = (tmp_path / "h").read_bytes().lower()
    assert b"x-echo-length: %d" % len(data) in hdrs


def test_get_against_binding_server(aio_server):
    p = get("--prior-knowledge", aio_server.url("/bytes/1000"), check_rc=0)
    assert p.stdout == pattern(1000)
    # The h2c Upgrade is not implemented by the example: a clean failure.
    p = get(aio_server.url("/bytes/1"), check_rc=1)
    assert p.stdout == b""


def test_in_process_server_with_threads():
    """A blocking server in a thread on the binding; curl is the client.
    Sessions cross threads (one at a time), which the C API allows."""
    import threading

    lsock = socket.create_server(("127.0.0.1", 0))
    port = lsock.getsockname()[1]
    seen = []

    def serve():
        conn, _ = lsock.accept()
        with conn, Session.server() as s:
            conn.sendall(s.data_to_send())
            while s.want_read:
                data = conn.recv(65536)
                if not data:
                    break
                for ev in s.receive(data):
                    seen.append(ev)
                    if isinstance(ev, h2wire.RequestReceived):
                        s.send_response(ev.stream_id, [(":status", "201")], b"threaded")
                conn.sendall(s.data_to_send())

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    p = curl("-w", " %{http_code}", f"http://127.0.0.1:{port}/x")
    t.join(30)
    lsock.close()
    assert p.stdout == b"threaded 201"
    (r,) = of(seen, h2wire.RequestReceived)
    assert dict(r.headers)[b":path"] == b"/x"
