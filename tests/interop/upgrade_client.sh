#!/bin/bash
# h2w-client --upgrade (RFC 7540 section 3.2, client side) against a
# python3-h2 server that upgrades: python-h2 decodes our HTTP2-Settings and
# answers stream 1, then more streams on the same connection. The server is
# the short program below (written for this test). Usage:
# upgrade_client.sh <bin dir>
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
interop_init "$1"
need_python_h2
need_bin h2w-client

cat >"$tmp/upgrade_server.py" <<'PY'
"""One connection at a time: an HTTP/1.1 request with Upgrade: h2c is
answered 101 and served as stream 1 by python-h2; /big sends a file,
/echo returns the request body, anything else a short line. --refuse
answers every request with a plain HTTP/1.1 200 instead of upgrading."""
import socket
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions

big = open(sys.argv[1], "rb").read()
refuse = "--refuse" in sys.argv


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return (lines[0].split(" ")[1], fields), rest


class Conn:
    def __init__(self, sock):
        self.sock = sock
        cfg = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config=cfg)
        self.paths, self.bodies, self.out = {}, {}, {}
        self.done = False

    def answer(self, sid):
        path = self.paths.get(sid, "/")
        body = big if path == "/big" else self.bodies.get(sid, b"")
        if path not in ("/big", "/echo"):
            body = ("upgraded %s on stream %d\n" % (path, sid)).encode()
        self.h2.send_headers(sid, [(":status", "200"), ("content-length", str(len(body)))])
        self.out[sid] = body
        self.pump()

    def pump(self):
        for sid in list(self.out):
            body = self.out[sid]
            while body:
                n = min(len(body), self.h2.local_flow_control_window(sid),
                        self.h2.max_outbound_frame_size)
                if n <= 0:
                    break
                self.h2.send_data(sid, body[:n])
                body = body[n:]
            self.out[sid] = body
            if not body:
                self.h2.end_stream(sid)
                del self.out[sid]
        self.sock.sendall(self.h2.data_to_send())

    def on(self, ev):
        if isinstance(ev, h2.events.RequestReceived):
            self.paths[ev.stream_id] = dict(ev.headers).get(":path", "/")
        elif isinstance(ev, h2.events.DataReceived):
            self.bodies[ev.stream_id] = self.bodies.get(ev.stream_id, b"") + ev.data
            self.h2.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            self.answer(ev.stream_id)
        elif isinstance(ev, h2.events.WindowUpdated):
            self.pump()
        elif isinstance(ev, h2.events.ConnectionTerminated):
            # python-h2 refuses every frame after a GOAWAY, even the
            # WINDOW_UPDATEs RFC 9113 section 6.8 still allows: stop here.
            self.done = True

    def events(self, data):
        try:
            return self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            # A GOAWAY and a later frame in the same read (see on()).
            if self.h2.state_machine.state == h2.connection.ConnectionState.CLOSED:
                self.done = True
                return []
            raise

    def run(self, settings, path, rest):
        self.sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                          b"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
        self.h2.initiate_upgrade_connection(settings_header=settings)
        self.paths[1] = path
        self.answer(1)
        data = rest
        while not self.done:
            for ev in self.events(data):
                self.on(ev)
                if self.done:
                    return
            self.sock.sendall(self.h2.data_to_send())
            data = self.sock.recv(65536)
            if not data:
                return


def serve(sock):
    req, rest = read_head(sock)
    if req is None:
        return
    path, fields = req
    if refuse or fields.get("upgrade", "").lower() != "h2c":
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nno\n")
        return
    Conn(sock).run(fields["http2-settings"], path, rest)


lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", 0))
lsock.listen(8)
print("listening on 127.0.0.1:%d" % lsock.getsockname()[1], flush=True)
while True:
    s, _ = lsock.accept()
    try:
        serve(s)
    except (ConnectionResetError, BrokenPipeError):
        pass  # the client left after its last response: not a failure
    except Exception as e:  # one bad connection must not end the test
        print("connection failed: %r" % (e,), file=sys.stderr, flush=True)
    finally:
        s.close()
PY

random_file "$tmp/big" 300000
random_file "$tmp/upload" 200000
start_server py "$PY" "$tmp/upgrade_server.py" "$tmp/big"
base=http://127.0.0.1:$server_port

printf 'upgraded /hello on stream 1\n' >"$tmp/one"
client_ok "--upgrade: GET /hello answered on stream 1" "$tmp/one" \
  --upgrade "$base/hello"
client_ok "--upgrade: GET /big (300000 octets) on stream 1" "$tmp/big" \
  --upgrade "$base/big"
{
  printf 'upgraded /a on stream 1\n'
  cat "$tmp/big"
  cat "$tmp/upload"
  printf 'upgraded /b on stream 7\n'
} >"$tmp/four"
client_ok "--upgrade: 4 URLs, streams 1, 3, 5, 7 on one connection" \
  "$tmp/four" --upgrade "$base/a" "$base/big" -d "@$tmp/upload" "$base/echo" \
  "$base/b"
if no_alarm "$server_log"; then ok "python-h2 server log clean"; else
  fail "python-h2 server reported a problem"
  show "$server_log"
fi

# A server that answers without upgrading: every URL fails, quoting it.
start_server refuse "$PY" "$tmp/upgrade_server.py" "$tmp/big" --refuse
tls_client_fails "a server that does not switch: clear failure" \
  "upgrade refused: the server answered 'HTTP/1.1 200 OK'" \
  --upgrade "http://127.0.0.1:$server_port/hello"
finish
