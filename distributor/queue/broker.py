"""The Celery app on the Redis broker, configured so no message is lost, and the producer
the API and tasks send with (docs/architecture.md, "Queue")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from celery import Celery
from kombu import Queue

from distributor.config import Settings
from distributor.keys import Keys
from distributor.queue.names import ALL_QUEUES, FAN_OUT_QUEUE


class Enqueue(Protocol):
    """Send a task by name with JSON keyword arguments, to ``queue`` or the task's default."""

    def __call__(self, task: str, kwargs: dict[str, Any], queue: str | None = None) -> None: ...


def brief(kwargs: Mapping[str, Any]) -> str:
    """A short ``kwargsrepr`` for a task message (objects by their ``id`` or ``type``).

    Celery's default is a ``saferepr`` of the whole article: ~0.17 ms per send and ~1 KB of
    message headers that every worker then decodes and passes to its pool.
    """
    parts = []
    for key, value in kwargs.items():
        if isinstance(value, Mapping):
            value = value.get("id", value.get("type", "{...}"))
        parts.append(f"{key}={str(value)[:64]}")
    return ", ".join(parts)


def create_celery(settings: Settings) -> Celery:
    """A Celery app on the Redis broker; the workers add the tasks (``workers.app``)."""
    app = Celery("distributor", broker=settings.broker, set_as_current=False)
    vt = settings.visibility_timeout_s
    hard_limit = max(2, min(300, vt // 2))  # below the visibility timeout: no early redelivery
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a SIGKILLed child's message is requeued, not acked
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # the ledger is the record
        task_default_queue=FAN_OUT_QUEUE,
        task_queues=[Queue(name) for name in ALL_QUEUES],
        broker_transport_options={
            "visibility_timeout": vt,
            "global_keyprefix": Keys(settings.namespace).celery_prefix(),
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
        },
        visibility_timeout=vt,
        task_time_limit=hard_limit,
        task_soft_time_limit=max(1, hard_limit * 4 // 5),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
    )
    return app


class CeleryEnqueue:
    """``Enqueue`` through a Celery app's producer."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def __call__(self, task: str, kwargs: dict[str, Any], queue: str | None = None) -> None:
        """Publish ``task`` with JSON ``kwargs``; raises when the broker refuses it."""
        self.app.send_task(task, kwargs=kwargs, queue=queue, kwargsrepr=brief(kwargs))

    def close(self) -> None:
        """Release the producer's broker connections."""
        self.app.close()
