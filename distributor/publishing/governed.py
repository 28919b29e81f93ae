"""Platform calls other than a delivery's post that still go through the rate governor: the
governor's slots, the chat's ``flight``, and a 429 that holds the chat for every worker
(docs/architecture.md, "Rate governor")."""

from __future__ import annotations

import time
from collections.abc import Callable

from distributor.errors import RateLimited
from distributor.models import Destination
from distributor.publishers.base import Publisher
from distributor.publishing.ratelimit import RateGovernor


def governed_delete(
    governor: RateGovernor,
    destination: Destination,
    publisher: Publisher,
    message_ids: tuple[str, ...],
    max_wait_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """``publisher.delete`` through the governor: its slots, the chat's flight, and a 429
    holds the chat. ``RateLimited`` (retry after it) when the slots or the chat are not free
    within ``max_wait_s``."""
    wait = governor.acquire_within(governor.table.limits_for(destination), max_wait_s, sleep)
    if wait > 0:  # a short wait was slept, a long one is the caller's retry
        raise RateLimited(f"rate limited for {wait:.1f}s", retry_after=wait)
    with governor.flight(destination, max_wait_s) as held:
        if held > 0:
            raise RateLimited(f"chat held for {held:.1f}s", retry_after=held)
        try:
            publisher.delete(destination, message_ids)
        except RateLimited as exc:
            if exc.retry_after is not None:
                governor.hold_for(destination, exc.retry_after)
            raise
