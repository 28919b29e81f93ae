"""Serving the sandbox: blocking (``distributor sandbox``) or in a background thread for tests."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from distributor.errors import DistributorError
from distributor.publishing.routing.loader import load_routing
from distributor.redact import redact_bot_tokens
from distributor.sandbox.app import create_sandbox_app
from distributor.sandbox.config import ChatSpec, ChatType, SandboxConfig

STARTUP_TIMEOUT_S = 10.0


class SandboxStartError(DistributorError):
    """The background sandbox did not start listening in time."""


def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    config: SandboxConfig | None = None,
    access_log: bool = True,
) -> None:
    """Run the sandbox until interrupted (``access_log``: a line per request)."""
    server_config = uvicorn.Config(
        create_sandbox_app(config), host=host, port=port, log_level="info", access_log=access_log
    )
    redact_bot_tokens("uvicorn.access")
    uvicorn.Server(server_config).run()


def chat_for_target(target: str) -> ChatSpec:
    """The sandbox chat a routing target names: ``@username`` (a channel) or a numeric id."""
    if target.startswith("@"):
        digest = int(hashlib.sha256(target.lower().encode()).hexdigest()[:9], 16)
        return ChatSpec(id=-1_000_000_000_000 - digest, type="channel", username=target)
    chat_id = int(target)
    kind: ChatType = (
        "private" if chat_id > 0 else "channel" if str(chat_id).startswith("-100") else "group"
    )
    return ChatSpec(id=chat_id, type=kind)


def sandbox_config_for(
    routing: Path | None, *, flood_control: bool = True, extra_chats: Sequence[str] = ()
) -> SandboxConfig:
    """A config whose chats are the Telegram targets of the routing file and ``extra_chats``
    (such as the reconciler's probe chat), for the demo."""
    targets = set(extra_chats)
    if routing is not None:
        table = load_routing(routing)
        targets |= {d.target for d in table.destinations if d.platform == "telegram"}
    chats = [chat_for_target(t) for t in sorted(targets)]
    return SandboxConfig(flood_control=flood_control, chats=chats)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[str]:
    """A live sandbox on ``port`` (a free one by default); yields its base URL.

    Telegram clients use ``f"{base_url}/bot"`` as ``base_url``; tweepy clients are routed
    with ``distributor.publishers.transport.route_tweepy_to(client, base_url)``.
    """
    app = create_sandbox_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port or free_port(host),
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, name="sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise SandboxStartError(f"sandbox did not start on {host}:{server.config.port}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
