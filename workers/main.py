"""Entry points for `distributor worker` and `distributor beat`."""

from __future__ import annotations

from pathlib import Path

from celery import Celery

from distributor.config import Settings
from workers.app import ALL_QUEUES, create_celery
from workers.runtime import RuntimeHolder
from workers.schedules import beat_schedule
from workers.tasks import register


def build_worker_app(settings: Settings) -> Celery:
    """The Celery app with our tasks registered and the beat schedule set."""
    app = create_celery(settings)
    register(app, RuntimeHolder(settings))
    app.conf.beat_schedule = beat_schedule(settings)
    app.conf.update(timezone=settings.timezone)
    return app


def worker_argv(queues: list[str] | None, concurrency: int, pool: str) -> list[str]:
    """The `celery worker` arguments of every distributor worker (and of the bare-Celery bench)."""
    return [
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
    """Run a worker (blocks until stopped)."""
    build_worker_app(settings).worker_main(worker_argv(queues, concurrency, pool))


def beat_main(settings: Settings, var_dir: Path = Path("var")) -> None:
    """Run beat (blocks until stopped); exactly one per deployment."""
    var_dir.mkdir(parents=True, exist_ok=True)
    app = build_worker_app(settings)
    app.start(["beat", "--loglevel=INFO", f"--schedule={var_dir / 'celerybeat-schedule'}"])
