"""What X says about its limits on every answer to ``POST /2/tweets``, read off the wire.

X reports each window it enforces in a header family (docs.x.com, "Rate limits"):
``x-rate-limit-limit / -remaining / -reset`` for the endpoint's window, and
``x-user-limit-24hour-*`` / ``x-app-limit-24hour-*`` for the 24-hour ones; ``-reset`` is in
epoch seconds. A monthly usage cap is refused with 429 and a ``UsageCapExceeded`` problem
(type ``.../2/problems/usage-capped``) while the windows may still show room, and no header
says when the cap ends: the project's reset day is configured (the developer portal shows it).
A response hook on the client's session turns both into ``LimitReading``s for the budget, so a
429 seen by one worker holds every worker's posts (docs/architecture.md, "X budget").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from distributor.publishers.base import LimitReading

log = logging.getLogger(__name__)
Observe = Callable[[Sequence[LimitReading]], None]

FAMILIES = {  # header prefix → (family, what the console calls it)
    "x-rate-limit": ("rate", "X's rate limit on posting (x-rate-limit)"),
    "x-user-limit-24hour": ("user-24hour", "X's 24-hour limit per user"),
    "x-app-limit-24hour": ("app-24hour", "X's 24-hour limit per app"),
}
USAGE_CAP = "usage-cap"
TIERS = {  # the first guess per API tier before X has answered: (family, posts) of POST /2/tweets
    "free": (("user-24hour", 17), ("app-24hour", 17)),
    "basic": (("user-24hour", 100), ("app-24hour", 1667)),
    "pro": (("rate", 100), ("app-24hour", 10_000)),
}


def tier_guess(tier: str) -> list[tuple[str, int, str]]:
    """(family, limit, label) of each window X's tables give ``tier`` for posting."""
    return [(family, limit, _label(family)) for family, limit in TIERS[tier]]


def _label(family: str) -> str:
    return next(label for fam, label in FAMILIES.values() if fam == family)


def readings(headers: Mapping[str, str]) -> list[LimitReading]:
    """Every complete header family of one answer (case-insensitive, as HTTP headers are)."""
    found: list[LimitReading] = []
    for prefix, (family, label) in FAMILIES.items():
        try:
            limit = int(headers[f"{prefix}-limit"])
            remaining = int(headers[f"{prefix}-remaining"])
            reset = float(headers[f"{prefix}-reset"])
        except (KeyError, ValueError):
            continue
        found.append(LimitReading(family, limit, max(0, remaining), reset, label))
    return found


def usage_capped(body: Any) -> bool:
    """Whether an answer's body is X's monthly usage cap problem."""
    if not isinstance(body, dict):
        return False
    kind = str(body.get("type", ""))
    return body.get("title") == "UsageCapExceeded" or kind.endswith("/problems/usage-capped")


def cap_reset(now: float, day: int) -> float:
    """The next start of day ``day`` of a month, 00:00 UTC, after ``now`` (epoch seconds)."""
    moment = datetime.fromtimestamp(now, UTC)
    year, month = moment.year, moment.month
    candidate = datetime(year, month, day, tzinfo=UTC)
    if candidate.timestamp() <= now:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        candidate = datetime(year, month, day, tzinfo=UTC)
    return candidate.timestamp()


def cap_reading(now: float, day: int) -> LimitReading:
    """The block a ``UsageCapExceeded`` answer puts on posting: until the cap's reset."""
    label = f"X's monthly usage cap (UsageCapExceeded; resets on day {day} of the month)"
    return LimitReading(USAGE_CAP, 0, 0, cap_reset(now, day), label, probe=False)


def watch_post_limits(
    session: requests.Session, observe: Observe, reset_day: int, clock: Callable[[], float]
) -> None:
    """Report the limits in every answer to a post (``POST .../2/tweets``) on ``session``.

    A failure to report is logged, never raised: the post's own outcome must not depend on it,
    and the next answer carries the same headers.
    """

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        request = response.request
        path = urlsplit(request.url or "").path.rstrip("/")
        if request.method != "POST" or not path.endswith("/2/tweets"):
            return response
        found = readings(response.headers)
        if response.status_code == 429 and usage_capped(body_of(response)):
            found.append(cap_reading(clock(), reset_day))
        if found:
            try:
                observe(found)
            except Exception:  # the budget is advice; the post's outcome is the record
                log.warning("could not record X's limits from an answer", exc_info=True)
        return response

    session.hooks["response"].append(hook)


def body_of(response: requests.Response) -> Any:
    """An answer's JSON body, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None
