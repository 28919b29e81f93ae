"""Serve the API with uvicorn on the real clients built by ``wiring``."""

from __future__ import annotations

import uvicorn

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.observe.logs import configure_logging
from distributor.wiring import build_container


def serve(settings: Settings) -> None:
    """Serve the API on ``settings.api_host:api_port`` until interrupted."""
    configure_logging("api", settings.log_format, settings.log_verbose)
    container = build_container(settings, redis_timeout_s=settings.http_timeout_s)
    try:
        uvicorn.run(
            create_app(container), host=settings.api_host, port=settings.api_port,
            log_config=None, access_log=settings.log_verbose,
        )  # fmt: skip
    finally:
        container.close()
