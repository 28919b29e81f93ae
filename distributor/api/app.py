"""FastAPI app factory: every client comes in through the ``Container``."""

from __future__ import annotations

from fastapi import FastAPI

from distributor import __version__
from distributor.api import (
    audit,
    deliveries,
    events,
    failures,
    metrics,
    preview,
    reshares,
    share_widget,
    skipped,
)
from distributor.api import qr as qr_api
from distributor.api import shares as shares_api
from distributor.api import telegram as telegram_api
from distributor.api import trending as trending_api
from distributor.api.errors import install_error_handlers
from distributor.api.limits import BodyLimit
from distributor.desk.app import install_desk
from distributor.wiring import Container


def create_app(container: Container) -> FastAPI:
    """Build the API around the given services; no globals, so tests can build many."""
    app = FastAPI(title="distributor", version=__version__)
    app.state.container = container
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=container.settings.max_body_bytes)
    app.include_router(events.router)
    app.include_router(deliveries.router)
    app.include_router(skipped.router)
    app.include_router(preview.router)
    shares_api.install_share_links(app)
    qr_api.install_qr_routes(app)  # before the share links' /s/... catch-all
    app.include_router(shares_api.router)
    app.include_router(trending_api.router)
    install_desk(app)  # the managers' desk, /manage
    # managers (docs/managers.md)
    app.include_router(reshares.router)
    app.include_router(failures.router)
    app.include_router(audit.router)
    app.add_middleware(BodyLimit, limit=container.settings.max_body_bytes)
    app.include_router(share_widget.router)
    app.include_router(metrics.router)
    app.include_router(telegram_api.router)  # readers: the bot's webhook
    return app
