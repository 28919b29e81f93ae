"""The story an operator reads, and the numbers Prometheus keeps, for each event and each
delivery outcome: one line each (logger ``distributor.story``), e.g.

    20:41:07 worker  article 20240201-rakor → tg-main sent in 85 ms  https://t.me/visualjambi/12
    20:41:07 worker  article 20240201-rakor → x-main retry in 2.3 s: X rate limit: 429 ...

with the same facts as fields for JSON logs (destination, platform, action, state,
latency_ms, message_ids, link). Called by the API (events) and the task layer (deliveries).
"""

from __future__ import annotations

import logging

from distributor.audience.shares import Click
from distributor.models import Destination
from distributor.observe import metrics
from distributor.publishing.delivery import Outcome, OutcomeKind
from distributor.publishing.routing import Action

log = logging.getLogger("distributor.story")
_STATE = {
    OutcomeKind.DONE: "sent",
    OutcomeKind.NOTHING: "nothing to do",
    OutcomeKind.RETRY: "retry",
    OutcomeKind.FAILED: "failed",
    OutcomeKind.IN_DOUBT: "in doubt",
    OutcomeKind.SKIPPED: "skipped",
}
_DONE_VERB = {"publish": "sent", "update": "updated", "unpublish": "deleted"}


def message_link(destination: Destination, message_id: str) -> str | None:
    """Where a reader finds the post: a public channel's or an X account's URL; a private
    channel's ``t.me/c/`` link (members only); None for other chats."""
    target = destination.target
    if destination.platform == "x":
        return f"https://x.com/{target.lstrip('@')}/status/{message_id}"
    if target.startswith("@"):
        return f"https://t.me/{target[1:]}/{message_id}"
    if target.startswith("-100") and target[1:].isdigit():
        return f"https://t.me/c/{target[4:]}/{message_id}"
    return None


def report_event(event_id: str, event_type: str, article_id: str, duplicate: bool) -> None:
    """The API accepted an event (or saw it again)."""
    metrics.EVENTS.labels(event_type, str(duplicate).lower()).inc()
    what = "seen again (duplicate)" if duplicate else "accepted"
    log.info(
        "event %s %s %s %s", event_id[:8], event_type, article_id, what,
        extra={"event_id": event_id, "article_id": article_id, "event_type": event_type,
               "duplicate": duplicate},
    )  # fmt: skip


def report_fan_out(event_type: str, article_id: str, planned: list[tuple[str, Action]]) -> None:
    """Where an event's deliveries go."""
    where = ", ".join(f"{dest}" if action == "publish" else f"{dest} ({action})"
                      for dest, action in planned) or "nowhere"  # fmt: skip
    kind = event_type.removeprefix("article.")
    log.info("article %s %s → %s", article_id, kind, where, extra={"planned": len(planned)})


def report_delivery(
    destination: Destination,
    action: Action,
    outcome: Outcome,
    article_id: str,
    *,
    accepted_at: float | None,
    now: float,
    count: bool = True,
) -> None:
    """One delivery's outcome: a story line, and (``count``) its metrics."""
    platform = destination.platform
    latency = now - accepted_at if accepted_at is not None else None
    if count:
        _count(destination, action, outcome, latency)
    link = message_link(destination, outcome.message_ids[0]) if outcome.message_ids else None
    state = _DONE_VERB[action] if outcome.kind is OutcomeKind.DONE else _STATE[outcome.kind]
    fields = {
        "destination": destination.id, "platform": platform, "action": action, "state": state,
        "message_ids": list(outcome.message_ids), "link": link,
        "latency_ms": round(latency * 1000) if latency is not None else None,
    }  # fmt: skip
    line = f"article {article_id} → {destination.id} {state}"
    if outcome.kind is OutcomeKind.DONE:
        if latency is not None and action == "publish":
            line += f" in {_duration(latency)}"
        if link:
            line += f"  {link}"
    elif outcome.kind is OutcomeKind.RETRY:
        line += f" in {_duration(outcome.retry_in or 0)}: {outcome.detail}"
    else:
        line += f": {outcome.detail}"
    level = {
        OutcomeKind.NOTHING: logging.DEBUG,
        OutcomeKind.FAILED: logging.WARNING,
        OutcomeKind.IN_DOUBT: logging.WARNING,
        OutcomeKind.SKIPPED: logging.WARNING,
    }.get(outcome.kind, logging.INFO)
    log.log(level, "%s", line, extra=fields)


def _count(
    destination: Destination, action: Action, outcome: Outcome, latency: float | None
) -> None:
    platform = destination.platform
    metrics.DELIVERIES.labels(platform, destination.id, action, outcome.kind.value).inc()
    if outcome.governor_wait_s > 0:
        metrics.GOVERNOR_WAIT.labels(platform).observe(outcome.governor_wait_s)
    if outcome.platform_retry_after is not None:
        metrics.THROTTLED.labels(platform).inc()
    if outcome.kind is OutcomeKind.RETRY and outcome.retry_in is not None:
        reason = (
            "platform" if outcome.platform_retry_after is not None
            else "governor" if outcome.governor_wait_s > 0 else "other"
        )  # fmt: skip
        metrics.RETRY_WAIT.labels(platform, reason).observe(outcome.retry_in)
    if outcome.kind is OutcomeKind.DONE and action == "publish" and latency is not None:
        metrics.PUBLISH_TO_POST.labels(platform).observe(max(0.0, latency))


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min"


def report_clicks(clicks: list[Click]) -> None:
    """Share clicks written to Redis, counted by network, people and bots apart."""
    for click in clicks:
        metrics.CLICKS.labels(click.network, "bot" if click.is_bot else "human").inc()
