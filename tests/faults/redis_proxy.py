"""A TCP proxy on loopback in front of Redis that a test can cut and restore, to make real cache outages.

    proxy = TcpProxy(("127.0.0.1", 6379)); proxy.start()   # the app's CACHE_URL names proxy.port
    proxy.cut("refuse")      # every connection reset, new ones refused: Redis stopped, port closed
    proxy.cut("blackhole")   # nothing answers: new connections are accepted and hear nothing, open ones go silent
    proxy.restore()          # forwards again, on the same port; Redis kept its data (unlike a restart)

A proxy rather than stopping the Redis server: Redis keeps every key across the outage, which is the case
that can serve stale answers afterwards (old generations and answers still there), and the one shared Redis
of the machine is never touched.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

from tests.faults.tcp_proxy import close_sockets, relay


def _reset(sock: socket.socket) -> None:
    """End a connection now, with an RST where the kernel still can, as a dead peer or a firewall would.

    `shutdown` first: a plain `close` while a pump thread is blocked in `recv` on the socket leaves the
    connection open (the pending call keeps it alive), and the "cut" connection would go on carrying traffic.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self.mode = "open"
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._held: list[socket.socket] = []
        self._listener: socket.socket | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> TcpProxy:
        self._listen()
        return self

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self, mode: str = "refuse") -> None:
        assert mode in ("refuse", "blackhole"), mode
        with self._lock:
            self.mode = mode
            pairs, self._pairs = self._pairs, []
            for client, server in pairs:
                _reset(server)
                if mode == "refuse":
                    _reset(client)
                else:
                    self._held.append(client)  # the app's socket stays open and hears nothing
            if mode == "refuse" and self._listener is not None:
                with contextlib.suppress(OSError):  # wakes the thread blocked in accept(); close alone does not
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None

    def restore(self) -> None:
        with self._lock:
            self.mode = "open"
            for client in self._held:
                _reset(client)
            self._held.clear()
            if self._listener is None:
                self._listen()

    def close(self) -> None:
        self.cut("refuse")
        with self._lock:
            for client in self._held:
                _reset(client)
            self._held.clear()

    # -- forwarding ------------------------------------------------------------------------------------
    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed by `cut("refuse")`
            with self._lock:
                if self.mode == "blackhole":
                    self._held.append(client)
                    continue
            try:
                server = socket.create_connection(self.upstream, timeout=2)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if self.mode != "open" or self._listener is not listener:  # cut while this one was connecting
                    _reset(server)
                    _reset(client)
                    continue
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        relay(source, target)
        with self._lock:
            held = source in self._held or target in self._held
        if not held:  # one side ended: end the other (a cut already closed what it had to)
            close_sockets(source, target)
