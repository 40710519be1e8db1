"""A real HTTP receiver on loopback for webhook tests: records each request, answers from a script."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """`codes`: the status of each successive request (then 200). `hang`: hold requests until released."""

    codes: list[int] = field(default_factory=list)
    hang: bool = False
    requests: list[Received] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self):
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.connections += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                if receiver.hang:
                    receiver.release.wait(30)
                    return
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class TricklingReceiver:
    """A raw loopback receiver that answers `head` at once, then `trickle` one byte every `every` seconds.

    Each byte arrives well within a per-read timeout, so only an overall deadline ends the attempt early.
    `finished` is set once the whole answer has been written (the client waited for all of it).
    """

    def __init__(self, head: bytes, trickle: bytes, *, every: float = 0.25):
        self.head, self.trickle, self.every = head, trickle, every
        self.finished = threading.Event()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(self.head)
                for byte in self.trickle:
                    time.sleep(self.every)
                    connection.sendall(bytes([byte]))
                self.finished.set()
            except OSError:
                pass  # the client hung up: what the deadline is for

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"

    def close(self) -> None:
        self.server.close()
