"""A small real TCP proxy on loopback that a test can cut and restore: a network outage on demand.

`TcpProxy(upstream_port)` listens on a free loopback port and relays every connection to
`127.0.0.1:upstream_port`, one thread per direction. `cut()` severs every relayed connection (both sides
see the connection reset or closed, as when a server restarts or a link drops) and refuses new ones (they
are accepted and closed at once, so the port stays ours); `restore()` relays again. Bounded: daemon
threads, a listener that wakes every 0.2 s, `close()` ends everything.

    with TcpProxy(5432) as proxy:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{proxy.port}/db"
        ...
        proxy.cut(); ...; proxy.restore()
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, upstream_port: int, *, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port: int = self.listener.getsockname()[1]
        self.relayed = 0  # connections relayed so far
        self.refused = 0  # connections refused while cut
        self._cut = False
        self._closed = False
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._thread = threading.Thread(target=self._accept, name=f"tcp proxy :{self.port}", daemon=True)
        self._thread.start()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def is_cut(self) -> bool:
        return self._cut

    def cut(self) -> None:
        """Sever every relayed connection and refuse new ones until `restore()`."""
        with self._lock:
            self._cut = True
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            close_sockets(*pair)

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._thread.join(timeout=5)
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                refused = self._cut
            if refused:
                self.refused += 1
                close_sockets(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                close_sockets(client)
                continue
            server.settimeout(None)
            client.settimeout(None)
            pair = (client, server)
            with self._lock:
                if self._cut:  # cut while we connected upstream
                    close_sockets(*pair)
                    continue
                self._pairs.add(pair)
                self.relayed += 1
            for source, target in (pair, pair[::-1]):
                threading.Thread(target=self._pump, args=(source, target, pair), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, pair: tuple[socket.socket, socket.socket]) -> None:
        relay(source, target)
        with self._lock:
            self._pairs.discard(pair)
        close_sockets(*pair)


def relay(source: socket.socket, target: socket.socket) -> None:
    """Copy what `source` sends to `target` until either side ends or fails (one direction of a proxied pair)."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass


def close_sockets(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()
