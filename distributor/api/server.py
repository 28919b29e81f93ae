"""Serve the API with uvicorn on the real clients built by ``wiring``."""

from __future__ import annotations

from typing import Any

import uvicorn

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.durability import ensure_durable
from distributor.observe.logs import configure_logging
from distributor.wiring import build_container

# h11 buffers at most this much of an unfinished request head (httptools has no such cap: a
# 10 MB header was read whole); one read of the socket may add up to 64 KiB to it
MAX_HEAD_BYTES = 16 * 1024


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How the API is served: bounded request heads, and client addresses taken from
    ``X-Forwarded-For`` only when the connection comes from ``DISTRIBUTOR_TRUSTED_PROXIES``."""
    return {
        "host": settings.api_host,
        "port": settings.api_port,
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxies,
        "server_header": False,
        "log_config": None,  # logging is ours (observe.logs): the story line, JSON in production
        "access_log": settings.log_verbose,
    }


def serve(settings: Settings) -> None:
    """Serve the API on ``settings.api_host:api_port`` until interrupted."""
    configure_logging("api", settings.log_format, settings.log_verbose)
    container = build_container(settings, redis_timeout_s=settings.http_timeout_s)
    try:
        ensure_durable(settings, container.redis)
        uvicorn.run(create_app(container), **uvicorn_options(settings))
    finally:
        container.close()
