"""Beat schedule: one beat process per deployment sends these."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from distributor.config import Settings
from distributor.queue.names import (
    EVERGREEN,
    FIRE_RESHARES,
    MAINTENANCE_QUEUE,
    POLL_METRICS,
    PROMOTE,
    READERS_DIGEST,
    READERS_SWEEP,
    RECONCILE,
    REFRESH_TRENDING,
    SEND_DIGEST,
    SWEEP_OUTBOX,
    WATCH_SITE,
)


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Periodic tasks, all on the maintenance queue; the digest only if a chat is set."""
    opts = {"queue": MAINTENANCE_QUEUE, "expires": 60}
    schedule: dict[str, dict[str, Any]] = {
        "reconcile": {"task": RECONCILE, "schedule": 15.0, "options": opts},
        "promote-scheduled": {"task": PROMOTE, "schedule": 5.0, "options": opts},
        "sweep-outbox": {"task": SWEEP_OUTBOX, "schedule": 15.0, "options": opts},
        "refresh-trending": {"task": REFRESH_TRENDING, "schedule": 3600.0, "options": opts},
    }
    # managers: reshares fire within 5 s of their time; evergreen slots are checked each minute
    schedule["fire-reshares"] = {"task": FIRE_RESHARES, "schedule": 5.0, "options": opts}
    schedule["evergreen"] = {"task": EVERGREEN, "schedule": 60.0, "options": opts}
    # readers: settle sends left in doubt; plan digests (once per day and hour, however often)
    schedule["readers-sweep"] = {"task": READERS_SWEEP, "schedule": 15.0, "options": opts}
    every_ten = crontab(minute="*/10")
    schedule["readers-digest"] = {"task": READERS_DIGEST, "schedule": every_ten, "options": opts}
    if settings.has_x or settings.sandbox:
        schedule["poll-metrics"] = {"task": POLL_METRICS, "schedule": 60.0, "options": opts}
    if settings.watch_url:
        every = settings.watch_interval_s
        schedule["watch-site"] = {"task": WATCH_SITE, "schedule": every, "options": opts}
    if settings.digest_chat:
        at = crontab(hour=settings.digest_hour, minute=0)
        schedule["digest"] = {"task": SEND_DIGEST, "schedule": at, "options": opts}
    return schedule
