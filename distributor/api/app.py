"""FastAPI app factory: every client comes in through ``Services``."""

from __future__ import annotations

from fastapi import FastAPI

from distributor import __version__
from distributor.api.deps import Services


def create_app(services: Services) -> FastAPI:
    """Build the API around the given services; no globals, so tests can build many."""
    app = FastAPI(title="distributor", version=__version__)
    app.state.services = services
    return app
