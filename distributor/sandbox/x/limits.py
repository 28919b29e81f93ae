"""X API v2 rate limits by access tier: per-user and per-app fixed windows, and the monthly
usage cap (pure).

The numbers are X's published tables (docs.x.com "Rate limits", see docs/sandbox.md);
``unlimited`` is a sandbox-only tier for benchmarks. Every answer reports every window that
applies to the caller, each in X's header family for it: ``x-rate-limit-*`` for the endpoint's
(15-minute) window, ``x-user-limit-24hour-*`` / ``x-app-limit-24hour-*`` for 24-hour ones.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from distributor.sandbox.config import XUsageCap, XWindow
from distributor.sandbox.x.protocol import Caller, XApiError, problem

QUARTER = 15 * 60
DAY = 24 * 3600
USAGE_CAPPED = "https://api.twitter.com/2/problems/usage-capped"
Pair = tuple[tuple[int, int] | None, tuple[int, int] | None]  # (per user, per app): (n, s)

_TABLES: dict[str, dict[str, Pair]] = {
    "free": {
        "create_tweet": ((17, DAY), (17, DAY)),
        "delete_tweet": ((17, DAY), (17, DAY)),
        "get_tweets": ((1, QUARTER), (1, QUARTER)),
        "get_users_tweets": ((1, QUARTER), (1, QUARTER)),
        "get_me": ((25, DAY), None),
        "media_upload": ((17, DAY), None),
    },
    "basic": {
        "create_tweet": ((100, DAY), (1667, DAY)),
        "delete_tweet": ((5, QUARTER), None),
        "get_tweets": ((15, QUARTER), (15, QUARTER)),
        "get_users_tweets": ((5, QUARTER), (10, QUARTER)),
        "get_me": ((100, DAY), None),
        "media_upload": ((500, QUARTER), None),
    },
    "pro": {
        "create_tweet": ((100, QUARTER), (10_000, DAY)),
        "delete_tweet": ((50, QUARTER), None),
        "get_tweets": ((900, QUARTER), (450, QUARTER)),
        "get_users_tweets": ((900, QUARTER), (1500, QUARTER)),
        "get_me": ((75, QUARTER), None),
        "media_upload": ((500, QUARTER), None),
    },
}


def _windows(pair: Pair) -> tuple[XWindow, ...]:
    user, app = pair
    found = []
    if user:
        found.append(XWindow(scope="user", requests=user[0], seconds=user[1]))
    if app:
        found.append(XWindow(scope="app", requests=app[0], seconds=app[1]))
    return tuple(found)


TIERS: dict[str, dict[str, tuple[XWindow, ...]]] = {
    tier: {op: _windows(pair) for op, pair in table.items()} for tier, table in _TABLES.items()
}
UNLIMITED = (XWindow(scope="user", requests=1_000_000, seconds=QUARTER),
             XWindow(scope="app", requests=1_000_000, seconds=QUARTER))  # fmt: skip


@dataclass
class _Count:
    reset_at: float
    used: int
    refused: int = 0


class RateWindows:
    """Counts calls per (operation, window, user or app) in fixed windows that start at the
    first call after the last one ended, and posts per app against the usage cap."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, XWindow, str], _Count] = {}
        self._caps: dict[str, _Count] = {}

    def admit(
        self,
        now: float,
        tier: str,
        operation: str,
        caller: Caller,
        overrides: Mapping[Any, list[XWindow]] | None = None,
    ) -> dict[str, str]:
        """Count the call and return its rate-limit headers; 429 (with headers) when spent."""
        windows: tuple[XWindow, ...] | list[XWindow]
        if overrides and operation in overrides:
            windows = overrides[operation]
        elif tier == "unlimited":
            windows = UNLIMITED
        else:
            windows = TIERS.get(tier, {}).get(operation, ())
        counts = [
            (w, self._count(now, operation, w, key))
            for w in windows
            if (key := caller.user_id if w.scope == "user" else caller.app)
        ]
        if any(count.used >= w.requests for w, count in counts):
            error = problem(429, "Too Many Requests", "Too Many Requests")
            error.headers = _headers(counts)
            raise error
        for _, count in counts:
            count.used += 1
        return _headers(counts)

    def charge_cap(self, now: float, cap: XUsageCap | None, caller: Caller, tier: str) -> None:
        """Count a post against the app's usage cap; 429 ``UsageCapExceeded`` once it is spent."""
        if cap is None:
            return
        count = self._caps.get(caller.app)
        if count is None or now >= count.reset_at:
            count = self._caps[caller.app] = _Count(now + cap.seconds, 0)
        if count.used >= cap.posts:
            count.refused += 1
            raise usage_capped(caller.app, tier)
        count.used += 1

    def usage(self) -> list[dict[str, float | int | str]]:
        """Each app's posts, refusals and reset under the usage cap (inspection)."""
        return [
            {"app": app, "posts": c.used, "refused": c.refused, "reset": c.reset_at}
            for app, c in self._caps.items()
        ]

    def listing(self, now: float) -> list[dict[str, float | int | str]]:
        """Every live window's count (inspection)."""
        return [
            {"operation": op, "scope": w.scope, "key": key, "family": w.family,
             "limit": w.requests, "remaining": max(0, w.requests - c.used), "reset": c.reset_at}
            for (op, w, key), c in self._counts.items()
            if now < c.reset_at
        ]  # fmt: skip

    def _count(self, now: float, op: str, window: XWindow, key: str) -> _Count:
        count = self._counts.get((op, window, key))
        if count is None or now >= count.reset_at:
            count = self._counts[(op, window, key)] = _Count(now + window.seconds, 0)
        return count


def usage_capped(app: str, tier: str) -> XApiError:
    """X's answer when a project's monthly usage cap is spent (no ``status`` field, as observed
    in xdevplatform/xdk#25)."""
    account = int(hashlib.sha256(app.encode()).hexdigest()[:12], 16)
    return XApiError(
        429,
        {
            "account_id": account,
            "product_name": f"standard-{tier}",
            "title": "UsageCapExceeded",
            "period": "Monthly",
            "scope": "Product",
            "detail": "Usage cap exceeded: Monthly product cap",
            "type": USAGE_CAPPED,
        },
    )


def _headers(counts: list[tuple[XWindow, _Count]]) -> dict[str, str]:
    """Each window in its family: ``x-rate-limit-*`` for the tightest endpoint (15-minute)
    window (or, without one, the tightest of all, as X always sends it), and the 24-hour
    headers per user and per app."""
    if not counts:
        return {}
    headers: dict[str, str] = {}
    rate = [c for c in counts if c[0].family == "rate"] or counts
    _family(headers, "x-rate-limit", rate)
    for scope in ("user", "app"):
        daily = [c for c in counts if c[0].family == "24hour" and c[0].scope == scope]
        if daily:
            _family(headers, f"x-{scope}-limit-24hour", daily)
    return headers


def _family(headers: dict[str, str], prefix: str, counts: list[tuple[XWindow, _Count]]) -> None:
    window, count = min(counts, key=lambda c: c[0].requests - c[1].used)
    headers[f"{prefix}-limit"] = str(window.requests)
    headers[f"{prefix}-remaining"] = str(max(0, window.requests - count.used))
    headers[f"{prefix}-reset"] = str(math.ceil(count.reset_at))
