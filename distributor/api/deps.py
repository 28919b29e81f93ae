"""What route handlers depend on, as ``Annotated`` aliases; built once per app, not per import."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from redis import Redis

from distributor.config import Settings
from distributor.keys import Keys
from distributor.routing import RoutingTable

Enqueue = Callable[[str, dict[str, Any]], None]
"""Send a task by name with JSON keyword arguments (Celery ``send_task`` in production)."""


@dataclass
class Services:
    """The clients one API process uses, handed to ``create_app``."""

    settings: Settings
    redis: Redis
    keys: Keys
    routing: RoutingTable
    enqueue: Enqueue
    clock: Callable[[], float] = field(default=time.time)


def get_services(request: Request) -> Services:
    """The app's services (set by ``create_app``)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
