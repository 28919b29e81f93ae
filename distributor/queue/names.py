"""Task and queue names: defined once, imported by the producers (API, CLI) and the workers."""

from __future__ import annotations

FAN_OUT = "distributor.fan_out"
DELIVER = "distributor.deliver"
RECONCILE = "distributor.reconcile"
PROMOTE = "distributor.promote_scheduled"
SWEEP_OUTBOX = "distributor.sweep_outbox"
REFRESH_TRENDING = "distributor.refresh_trending"
POLL_METRICS = "distributor.poll_metrics"
SEND_DIGEST = "distributor.send_digest"
WATCH_SITE = "distributor.watch_site"
# managers (docs/managers.md)
DELIVER_RESHARE = "distributor.deliver_reshare"
FIRE_RESHARES = "distributor.fire_reshares"
EVERGREEN = "distributor.evergreen"
# readers (distributor/audience/readers): one chunk of a reader job, the sweep, the digests
READERS_RUN = "distributor.readers_run"
READERS_SWEEP = "distributor.readers_sweep"
READERS_DIGEST = "distributor.readers_digest"

FAN_OUT_QUEUE = "fan_out"
MAINTENANCE_QUEUE = "maintenance"


def deliver_queue(platform: str) -> str:
    """One queue per platform, so a throttled platform never blocks the other."""
    return f"deliver.{platform}"


READERS_QUEUE = deliver_queue("readers")  # readers: apart, so channel posts never queue behind them
ALL_QUEUES = (
    FAN_OUT_QUEUE, deliver_queue("telegram"), deliver_queue("x"), MAINTENANCE_QUEUE, READERS_QUEUE
)  # fmt: skip
