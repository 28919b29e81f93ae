"""The Celery layer's logging and metrics, hooked to Celery's signals.

- ``setup_logging``: our logging (``distributor.observe.logs``) instead of Celery's.
- ``task_prerun`` / ``task_postrun``: the task's event, article and destination ids bound to
  every line it logs; the tasks-in-progress gauge.
- ``worker_init`` (main process, before the pool forks): with ``DISTRIBUTOR_METRICS_PORT``,
  an HTTP exporter of every pool process's metrics (multiprocess mode: the directory in
  ``PROMETHEUS_MULTIPROC_DIR``, which `distributor worker` creates when unset).
- ``worker_process_shutdown`` (a pool child exiting): ``mark_process_dead``, so its live
  gauges leave the sum; its counters and histograms stay counted.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import signals
from prometheus_client import CollectorRegistry, multiprocess, start_http_server

from distributor.config import Settings
from distributor.observe import metrics
from distributor.observe.logs import bind, configure_logging, unbind

log = logging.getLogger(__name__)


def connect(settings: Settings, component: str) -> None:
    """Connect the receivers for this process (``component``: worker or beat); once."""

    def setup_logging(**_: Any) -> None:
        configure_logging(component, settings.log_format, settings.log_verbose)

    def start_exporter(**_: Any) -> None:
        if settings.metrics_port is None or metrics.multiprocess_dir() is None:
            return
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        start_http_server(settings.metrics_port, settings.metrics_host, registry=registry)
        log.info("metrics on http://%s:%d/metrics", settings.metrics_host, settings.metrics_port)

    signals.setup_logging.connect(setup_logging, weak=False, dispatch_uid="distributor-logs")
    signals.worker_init.connect(start_exporter, weak=False, dispatch_uid="distributor-exporter")
    signals.task_prerun.connect(_started, weak=False, dispatch_uid="distributor-prerun")
    signals.task_postrun.connect(_finished, weak=False, dispatch_uid="distributor-postrun")
    signals.worker_process_shutdown.connect(
        _child_exits, weak=False, dispatch_uid="distributor-child-exit"
    )


def _started(task: Any = None, kwargs: dict[str, Any] | None = None, **_: Any) -> None:
    kwargs = kwargs or {}
    article = kwargs.get("article") or (kwargs.get("event") or {}).get("article") or {}
    bind(
        event_id=kwargs.get("event_id"),
        article_id=article.get("id") if isinstance(article, dict) else None,
        destination=kwargs.get("destination"),
        task=getattr(task, "name", None),
    )
    metrics.IN_PROGRESS.labels(getattr(task, "name", "?")).inc()


def _finished(task: Any = None, **_: Any) -> None:
    metrics.IN_PROGRESS.labels(getattr(task, "name", "?")).dec()
    unbind()


def _child_exits(**_: Any) -> None:
    metrics.mark_process_dead(os.getpid())
