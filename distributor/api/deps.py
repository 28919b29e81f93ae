"""Dependency aliases for route handlers; the container itself is built in ``wiring``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from distributor.wiring import Container


def get_container(request: Request) -> Container:
    """The app's container (set by ``create_app``)."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
