"""A self-signed certificate for 127.0.0.1 (openssl) and an ASGI app served over HTTPS in a
thread: what a webhook on a self-signed certificate looks like to Telegram."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from distributor.sandbox.server import free_port


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for the IP address 127.0.0.1."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def serving_https(app: Any, cert: Path, key: Path) -> Iterator[str]:
    """``app`` on a free port over HTTPS; yields ``https://127.0.0.1:<port>``."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), log_level="warning", lifespan="off",
        ssl_certfile=str(cert), ssl_keyfile=str(key), timeout_graceful_shutdown=1,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="https", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the HTTPS server did not start")
        time.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(5)
