"""X API v2 rate limits by access tier: per-user and per-app fixed windows (pure).

The numbers are X's published tables (docs.x.com "Rate limits", see docs/sandbox.md);
``unlimited`` is a sandbox-only tier for benchmarks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from distributor.sandbox.x.protocol import Caller, problem

QUARTER = 15 * 60
DAY = 24 * 3600
Window = tuple[int, int]  # (requests, seconds)
Pair = tuple[Window | None, Window | None]  # (per user, per app)

TIERS: dict[str, dict[str, Pair]] = {
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


@dataclass
class _Count:
    reset_at: float
    used: int


class RateWindows:
    """Counts calls per (operation, user) and (operation, app) in fixed windows."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, str], _Count] = {}

    def admit(self, now: float, tier: str, operation: str, caller: Caller) -> dict[str, str]:
        """Count the call and return its rate-limit headers; 429 (with headers) when spent."""
        per_user, per_app = TIERS.get(tier, {}).get(operation, (None, None))
        if tier == "unlimited":
            per_user = per_app = (1_000_000, QUARTER)
        scopes = [("user", caller.user_id, per_user), ("app", caller.app, per_app)]
        active = [(scope, key, window) for scope, key, window in scopes if key and window]
        counts = [
            (scope, window, self._count(now, operation, scope, key, window))
            for scope, key, window in active
        ]
        spent = [item for item in counts if item[2].used >= item[1][0]]
        if spent:
            error = problem(429, "Too Many Requests", "Too Many Requests")
            error.headers = _headers(spent)
            raise error
        for _, _, count in counts:
            count.used += 1
        return _headers(counts)

    def _count(self, now: float, op: str, scope: str, key: str, window: Window) -> _Count:
        count = self._counts.get((op, scope, key))
        if count is None or now >= count.reset_at:
            count = self._counts[(op, scope, key)] = _Count(now + window[1], 0)
        return count


def _headers(counts: list[tuple[str, Window, _Count]]) -> dict[str, str]:
    """``x-rate-limit-*`` of the tightest window, plus X's 24-hour headers for daily ones."""
    headers: dict[str, str] = {}
    if not counts:
        return headers
    scope, window, count = min(counts, key=lambda c: c[1][0] - c[2].used)
    headers["x-rate-limit-limit"] = str(window[0])
    headers["x-rate-limit-remaining"] = str(max(0, window[0] - count.used))
    headers["x-rate-limit-reset"] = str(math.ceil(count.reset_at))
    for scope, window, count in counts:
        if window[1] == DAY:
            prefix = f"x-{scope}-limit-24hour"
            headers[f"{prefix}-limit"] = str(window[0])
            headers[f"{prefix}-remaining"] = str(max(0, window[0] - count.used))
            headers[f"{prefix}-reset"] = str(math.ceil(count.reset_at))
    return headers
