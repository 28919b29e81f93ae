"""The Celery layer's composition root: the worker app with its tasks and beat schedule, and
one ``Container`` per worker process (docs/architecture.md, "Workers")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, Task
from redis import Redis

from distributor.config import Settings
from distributor.durability import ensure_durable
from distributor.queue.broker import CeleryEnqueue, create_celery
from distributor.queue.names import ALL_QUEUES
from distributor.wiring import Container, build_container
from workers import observe
from workers.schedules import beat_schedule
from workers.tasks import TASKS

_HOLDER = "distributor_container"  # the app.conf entry holding each process's ContainerHolder


class ContainerHolder:
    """Gives each (forked) process its own Container, so no connection crosses a fork."""

    def __init__(self, settings: Settings, app: Celery) -> None:
        self.settings = settings
        self._app = app
        self._pid = -1
        self._container: Container | None = None

    def get(self) -> Container:
        """This process's Container, built on first call after a fork."""
        if self._container is None or self._pid != os.getpid():
            self._container = build_container(self.settings, CeleryEnqueue(self._app))
            self._pid = os.getpid()
        return self._container


class ContainerTask(Task):  # type: ignore[type-arg]
    """A task whose ``container`` is its worker process's clients."""

    @property
    def container(self) -> Container:
        """The clients of this process (built on first use)."""
        holder: ContainerHolder = self.app.conf[_HOLDER]
        return holder.get()


def create_worker_app(settings: Settings, component: str = "worker") -> Celery:
    """The Celery app with every task registered, the beat schedule set, and our logging and
    metrics hooked to its signals (``workers.observe``)."""
    observe.connect(settings, component)
    app = create_celery(settings)
    app.conf[_HOLDER] = ContainerHolder(settings, app)
    for name, function, max_retries in TASKS:
        register = app.task(name=name, base=ContainerTask, bind=True, max_retries=max_retries)
        register(function)
    app.conf.beat_schedule = beat_schedule(settings)
    app.conf.update(timezone=settings.timezone)
    return app


def worker_argv(
    queues: list[str] | None, concurrency: int, pool: str, verbose: bool = True
) -> list[str]:
    """The `celery worker` arguments of every distributor worker (and of the bare-Celery bench);
    without ``verbose`` no start-up banner."""
    return [
        *(() if verbose else ("--quiet",)),  # celery's global option: before the command
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        f"--queues={','.join(queues or ALL_QUEUES)}",
        "--without-gossip",
        "--without-mingle",
    ]


def worker_main(
    settings: Settings, queues: list[str] | None, concurrency: int, pool: str = "prefork"
) -> None:
    """Run a worker (blocks until stopped) on a Redis that keeps what it acknowledges."""
    _check_durability(settings)
    argv = worker_argv(queues, concurrency, pool, settings.log_verbose)
    create_worker_app(settings).worker_main(argv)


def beat_main(settings: Settings, var_dir: Path = Path("var")) -> None:
    """Run beat (blocks until stopped); exactly one per deployment."""
    _check_durability(settings)
    var_dir.mkdir(parents=True, exist_ok=True)
    app = create_worker_app(settings, component="beat")
    quiet = [] if settings.log_verbose else ["--quiet"]  # no start-up banner
    schedule = f"--schedule={var_dir / 'celerybeat-schedule'}"
    args: list[Any] = [*quiet, "beat", "--loglevel=INFO", schedule]
    app.start(args)


def _check_durability(settings: Settings) -> None:
    redis = Redis.from_url(
        settings.redis_url, decode_responses=True, socket_connect_timeout=5, socket_timeout=5
    )
    with redis:
        ensure_durable(settings, redis)
