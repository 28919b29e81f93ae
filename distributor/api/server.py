"""Serve the API with uvicorn on the real clients built by ``wiring``."""

from __future__ import annotations

import uvicorn

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.durability import ensure_durable
from distributor.wiring import build_container


def serve(settings: Settings) -> None:
    """Serve the API on ``settings.api_host:api_port`` until interrupted."""
    container = build_container(settings, redis_timeout_s=settings.http_timeout_s)
    try:
        ensure_durable(settings, container.redis)
        uvicorn.run(create_app(container), host=settings.api_host, port=settings.api_port)
    finally:
        container.close()
