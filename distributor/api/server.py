"""Build the API's real clients from Settings and serve it with uvicorn."""

from __future__ import annotations

from typing import Any

import uvicorn
from celery import Celery
from redis import Redis

from distributor.api.app import create_app
from distributor.api.deps import Services
from distributor.config import Settings
from distributor.keys import Keys
from distributor.routing_file import load_routing
from workers.app import brief, create_celery


class CeleryEnqueue:
    """``Enqueue`` through a Celery producer; tasks go to the app's routes (default: fan_out)."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    def __call__(self, name: str, kwargs: dict[str, Any]) -> None:
        """Publish task ``name`` with JSON ``kwargs``; raises when the broker refuses it."""
        self._app.send_task(name, kwargs=kwargs, kwargsrepr=brief(kwargs))

    def close(self) -> None:
        """Release the producer's broker connections."""
        self._app.close()


def build_services(settings: Settings) -> Services:
    """Real Redis, namespaced keys, the routing table and a Celery producer."""
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_connect_timeout=settings.http_timeout_s,
        socket_timeout=settings.http_timeout_s,
    )
    return Services(
        settings=settings,
        redis=redis,
        keys=Keys(settings.namespace),
        routing=load_routing(settings.routing_file),
        enqueue=CeleryEnqueue(create_celery(settings)),
    )


def serve(settings: Settings) -> None:
    """Serve the API on ``settings.api_host:api_port`` until interrupted."""
    services = build_services(settings)
    try:
        uvicorn.run(create_app(services), host=settings.api_host, port=settings.api_port)
    finally:
        if isinstance(services.enqueue, CeleryEnqueue):
            services.enqueue.close()
        services.redis.close()
