"""Prometheus metrics (prometheus-client): what is counted, and how a process exposes them.

Every process records into the metrics below. Celery's prefork pool forks children that come
and go, so the workers run in prometheus-client's multiprocess mode: with
``PROMETHEUS_MULTIPROC_DIR`` set before this module is imported, each process writes its
values to files there, counters and histograms of dead children stay counted, and
``exposition`` adds every file up. `distributor run` gives the API, worker and beat one
directory, so the API's ``/metrics`` shows everything; a worker on its own host serves the
same from its main process on ``DISTRIBUTOR_METRICS_PORT`` (``workers.observe``). Without
the variable a process counts in memory (tests, a lone API).

Names and labels (docs/architecture.md, "Operations"; docs/grafana-dashboard.json):
deliveries by platform, destination, action and outcome; publish → post latency;
platform 429s; retry waits; governor waits; events accepted; share clicks; tasks in progress.
Queue depth, in-doubt, scheduled and outbox sizes are read from Redis when scraped
(``observe.state``).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400)
WAIT_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400)

DELIVERIES = Counter(
    "distributor_deliveries",
    "Delivery attempts by outcome: done, nothing (already done or not needed), retry, failed, "
    "in_doubt",
    ["platform", "destination", "action", "outcome"],
)
PUBLISH_TO_POST = Histogram(
    "distributor_publish_to_post_seconds",
    "From the API accepting an article.published event (202) to the platform taking the post",
    ["platform"],
    buckets=LATENCY_BUCKETS,
)
THROTTLED = Counter(
    "distributor_platform_throttled",
    "Platform answers that asked us to wait (HTTP 429, Telegram flood control)",
    ["platform"],
)
RETRY_WAIT = Histogram(
    "distributor_retry_wait_seconds",
    "How long a delivery waits before its next attempt, by why (platform, governor, other)",
    ["platform", "reason"],
    buckets=WAIT_BUCKETS,
)
GOVERNOR_WAIT = Histogram(
    "distributor_governor_wait_seconds",
    "Waits the rate governor imposed before a platform call (slept or deferred)",
    ["platform"],
    buckets=WAIT_BUCKETS,
)
EVENTS = Counter(
    "distributor_events_accepted",
    "Events the API accepted, by type; duplicates apart",
    ["type", "duplicate"],
)
CLICKS = Counter(
    "distributor_share_clicks",
    "Share-link clicks written, by network, people and known bots apart",
    ["network", "kind"],
)
IN_PROGRESS = Gauge(
    "distributor_tasks_in_progress",
    "Celery tasks running now, by task",
    ["task"],
    multiprocess_mode="livesum",
)


def multiprocess_dir() -> str | None:
    """The multiprocess directory this process writes to, if any."""
    return os.environ.get(MULTIPROC_ENV) or None


def exposition(*extra: Collector) -> tuple[bytes, str]:
    """The text exposition of this process's metrics (every process's in multiprocess mode)
    followed by ``extra`` collectors' (read at this moment), and its content type."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if extra:
        own = CollectorRegistry(auto_describe=False)
        for collector in extra:
            own.register(collector)
        body += generate_latest(own)
    return body, CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges from the multiprocess directory."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
