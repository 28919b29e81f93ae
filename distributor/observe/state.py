"""The deployment's state as gauges, read from Redis when ``/metrics`` is scraped: queue depth
per Celery queue and unacknowledged messages, deliveries in doubt and in flight, delayed
task sends, and accepted events whose deliveries have not all left ``pending``. One pipeline
per scrape; a Redis error gives ``distributor_state_up 0`` instead of the numbers."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis, RedisError

from distributor.keys import Keys
from distributor.queue.names import ALL_QUEUES


class StateCollector(Collector):
    """Gauges of one deployment's Redis (its namespace)."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    def collect(self) -> Iterator[GaugeMetricFamily]:
        keys = self._keys
        pipe = self._redis.pipeline(transaction=False)
        for queue in ALL_QUEUES:
            pipe.llen(keys.queue(queue))
        pipe.hlen(f"{keys.celery_prefix()}unacked")
        for zset in (keys.in_doubt(), keys.leases(), keys.scheduled(), keys.outbox()):
            pipe.zcard(zset)
        try:
            *depths, unacked, in_doubt, sending, scheduled, outbox = pipe.execute()
        except (RedisError, OSError):
            yield GaugeMetricFamily("distributor_state_up", "Whether Redis answered", value=0)
            return
        yield GaugeMetricFamily("distributor_state_up", "Whether Redis answered", value=1)
        depth = GaugeMetricFamily(
            "distributor_queue_depth", "Messages waiting in each Celery queue", labels=["queue"]
        )
        for queue, count in zip(ALL_QUEUES, depths, strict=True):
            depth.add_metric([queue], count)
        yield depth
        gauges = (
            ("distributor_queue_unacked", "Messages taken by a worker and not yet acknowledged",
             unacked),
            ("distributor_in_doubt_deliveries", "Deliveries that may or may not be posted",
             in_doubt),
            ("distributor_sending_deliveries", "Deliveries under a claim (platform call)", sending),
            ("distributor_scheduled_tasks", "Task sends delayed past a minute", scheduled),
            ("distributor_outbox_events", "Accepted events with a delivery still pending", outbox),
        )  # fmt: skip
        for name, documentation, value in gauges:
            yield GaugeMetricFamily(name, documentation, value=value)
