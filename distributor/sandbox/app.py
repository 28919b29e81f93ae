"""The sandbox ASGI app: Bot API, X API and the inspection API on one server."""

from __future__ import annotations

from fastapi import FastAPI

from distributor.sandbox.config import ChatSpec, SandboxConfig
from distributor.sandbox.inspection import inspect_router
from distributor.sandbox.state import Sandbox
from distributor.sandbox.telegram.api import telegram_router
from distributor.sandbox.telegram.flood_watch import FloodWatch, flood_router
from distributor.sandbox.x.api import x_router

__all__ = ["ChatSpec", "SandboxConfig", "create_sandbox_app"]


def create_sandbox_app(config: SandboxConfig | None = None) -> FastAPI:
    """A fresh sandbox (its state lives in ``app.state.sandbox``), usable in-process or served."""
    sandbox = Sandbox(config or SandboxConfig())
    app = FastAPI(
        title="distributor sandbox",
        docs_url="/sandbox/docs",
        redoc_url=None,
        openapi_url="/sandbox/openapi.json",
    )
    app.state.sandbox = sandbox
    watch = FloodWatch()  # the storm check: calls to a chat before its retry_after passed
    app.include_router(telegram_router(sandbox, watch))
    app.include_router(flood_router(sandbox, watch))
    app.include_router(x_router(sandbox))
    app.include_router(inspect_router(sandbox))
    return app
