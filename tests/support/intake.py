"""Test harness for the intake API: real Settings, real Redis, a real Celery producer."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from redis import Redis

from distributor.api.server import uvicorn_options
from distributor.config import ApiToken, Settings
from distributor.intake.signature import SIGNATURE_HEADER, sign
from distributor.keys import Keys
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.wiring import Container, build_container

SECRET = "intake-test-secret-0123456789abcdef"
READER_TOKEN = "reader-token-5f1c2a"
RESHARE_TOKEN = "reshare-token-9b7e41"
TOKENS = [
    ApiToken(name="reader", token=SecretStr(READER_TOKEN), scopes=frozenset({"deliveries:read"})),
    ApiToken(name="resharer", token=SecretStr(RESHARE_TOKEN), scopes=frozenset({"reshare"})),
]
PORTS = range(18300, 18400)


def make_settings(redis_url: str, keys: Keys, **overrides: Any) -> Settings:
    """Settings for one test: its own namespace, a known secret and tokens."""
    defaults: dict[str, Any] = {
        "webhook_secret": SecretStr(SECRET), "tokens": TOKENS, "routing_file": EXAMPLE_ROUTING,
    }  # fmt: skip
    return Settings(redis_url=redis_url, namespace=keys.prefix, **(defaults | overrides))


@contextmanager
def api_services(settings: Settings) -> Iterator[Container]:
    """``build_container`` as the API builds it, closed afterwards."""
    container = build_container(settings, redis_timeout_s=settings.http_timeout_s)
    try:
        yield container
    finally:
        container.close()


def signed_headers(body: bytes, stamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """JSON content type and a valid signature made now (or at ``stamp``)."""
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, secret.encode(), int(time.time()) if stamp is None else stamp),
    }


def snapshot(redis_url: str) -> dict[bytes, tuple[bytes, bytes | None]]:
    """Every key of the test database with its type and serialized value."""
    with Redis.from_url(redis_url) as raw:
        return {key: (raw.type(key), raw.dump(key)) for key in raw.scan_iter(count=1000)}


def queued_tasks(redis: Redis, keys: Keys, queue: str = "fan_out") -> list[dict[str, Any]]:
    """The Celery messages waiting in a queue, decoded: name and kwargs of each."""
    out = []
    for raw in redis.lrange(keys.queue(queue), 0, -1):
        message = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        out.append({"task": message["headers"]["task"], "kwargs": kwargs})
    return out


def free_port() -> int:
    """A port in this suite's range that nothing listens on."""
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18300-18399")


@dataclass
class LiveServer:
    """A uvicorn server running the app in a thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def live_server(app: FastAPI, settings: Settings | None = None) -> Iterator[LiveServer]:
    """Serve ``app`` over real HTTP on a free port, as ``distributor api`` serves it (with
    ``settings``' options), until the block ends."""
    port = free_port()
    options = uvicorn_options(settings or Settings(_env_file=None))  # type: ignore[call-arg]
    options.update(host="127.0.0.1", port=port)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
