"""A TCP proxy in front of a real server that can be made slow: each request waits ``delay_s``
before it is passed on while ``slow`` is set (a Redis that stalls, on demand)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class SlowProxy:
    """Where the proxy listens, and the switch that makes it slow."""

    port: int
    delay_s: float
    slow: threading.Event = field(default_factory=threading.Event)


def _pump(src: socket.socket, dst: socket.socket, proxy: SlowProxy | None) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            if proxy is not None and proxy.slow.is_set():
                time.sleep(proxy.delay_s)
            dst.sendall(data)
    for sock in (src, dst):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def slow_proxy(upstream: tuple[str, int], delay_s: float) -> Iterator[SlowProxy]:
    """Proxy loopback connections to ``upstream`` until the block ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    proxy = SlowProxy(listener.getsockname()[1], delay_s)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(upstream)
            threading.Thread(target=_pump, args=(client, server, proxy), daemon=True).start()
            threading.Thread(target=_pump, args=(server, client, None), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        stop.set()
        listener.close()
