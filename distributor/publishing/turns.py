"""A post's turn under its destination's limits: now, later in priority order, or never.

Telegram's limits are GCRA waits of a second or two, taken in process. An X account's budget may
hold a post for hours, in the queue of its ``Standing``. A post whose turn cannot come within
its destination's ``max_delay`` (counted from when its delivery was recorded) is not sent late:
it is skipped, with the reason (docs/architecture.md, "X budget").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from distributor.models import Article, Delivery, Destination
from distributor.publishing.budget import Hold, utc
from distributor.publishing.priority import Standing
from distributor.publishing.ratelimit import RateGovernor, budget_scope


@dataclass(frozen=True, slots=True)
class Turn:
    """``go``: the slot is taken. Else ``stale`` says why the post is skipped, or the post
    waits ``wait_s``: ``held`` describes a budget's hold (``first``: this post just joined the
    queue; ``notice``: the whole account just became held), else it is a short rate wait."""

    go: bool
    wait_s: float = 0.0
    stale: str | None = None
    held: str | None = None
    first: bool = False
    notice: bool = False


def take_turn(
    governor: RateGovernor,
    destination: Destination,
    ticket: str,
    standing: Standing,
    *,
    created: float,
    max_delay_s: float | None,
    now: Callable[[], float],
    max_wait_s: float,
    sleep: Callable[[float], None],
) -> Turn:
    """Wait up to ``max_wait_s`` in process for a short limit; answer at once for anything
    longer, and skip what cannot go out before ``created + max_delay_s``."""
    deadline = None if max_delay_s is None else created + max_delay_s
    limit = f"this destination's max_delay of {duration(max_delay_s or 0)}"
    if deadline is not None and now() > deadline:
        return Turn(False, stale=f"not posted: still waiting past {limit}")
    waited = 0.0
    while True:
        admission = governor.admit(destination, ticket, standing)
        if admission.admitted:
            return Turn(True)
        if admission.until is None:  # a short rate limit, no queue
            if waited + admission.wake_s > max_wait_s:
                return Turn(False, admission.wake_s)
            sleep(admission.wake_s)
            waited += admission.wake_s
            continue
        if deadline is not None and admission.until > deadline:
            why = f"{admission.why} leaves no room before {utc(deadline)}, {limit}"
            return Turn(False, stale=f"not posted: {why} (room at {utc(admission.until)})")
        hold = Hold(budget_scope(destination) or destination.id, admission.held,
                    admission.until, admission.why)  # fmt: skip
        return Turn(
            False, admission.wake_s, held=f"held: {hold.describe()}",
            first=admission.first, notice=admission.fresh,
        )  # fmt: skip


def duration(seconds: float) -> str:
    """``3h``, ``1h30m``, ``45m``, ``20s``: a max_delay as the routing file writes it."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


def archive_edit(
    article: Article, destination: Destination, deliveries: list[Delivery], max_age_s: float,
    now: float,
) -> str | None:  # fmt: skip
    """Why an edit must never get a turn as a first post: the article has no delivery at
    ``destination`` (of another revision) and was published more than ``max_age_s`` ago, so it
    is from the archive the CMS had before distributor, not news (docs/architecture.md, "Old
    articles"). None: post it."""
    if any(d.destination == destination.id and d.revision != article.revision for d in deliveries):
        return None
    age = now - article.published_at.timestamp()
    if age <= max_age_s:
        return None
    return (
        f"an edit of an article published {duration(age)} ago and never posted here: not posted "
        f"as new (first_post_max_age {duration(max_age_s)}; send it by hand to post it)"
    )
