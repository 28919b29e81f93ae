"""Accept a signed event: verify, decode, claim the signature, dedupe, enqueue fan-out.

Nothing is written for a request that is refused. The signature is checked on the raw bytes
before anything is parsed, but its replay marker is written only once the payload has also been
decoded and validated: a validly signed but invalid payload leaves no trace, and sending it
again gets the same 4xx (it cannot do harm, since it is refused every time). If the event cannot
be queued, both the event marker and the replay marker are removed, so the sender can retry the
very same signed request.
"""

from __future__ import annotations

from distributor.errors import DistributorError
from distributor.intake.adapters import decode_event
from distributor.intake.signature import ReplayGuard, verify
from distributor.models import ArticleEvent
from distributor.observe.report import report_event
from distributor.queue.names import FAN_OUT
from distributor.wiring import Container

EVENT_TTL_S = 30 * 86400  # after this a resent event is queued again; the ledger still dedupes


class EnqueueFailed(DistributorError):
    """The broker did not take the event; nothing was recorded, the sender should retry."""


def receive(body: bytes, signature_header: str | None, container: Container) -> tuple[str, bool]:
    """Handle one webhook body; returns ``(event_id, duplicate)`` or raises InvalidInput."""
    settings = container.settings
    tolerance = settings.signature_tolerance_s
    now = container.clock()
    signature = verify(body, signature_header, settings.webhook_secret_values(), now, tolerance)
    event = decode_event(body)
    guard = ReplayGuard(container.redis, container.keys)
    guard.claim(signature, now, tolerance)
    try:
        return accept_event(event, container)
    except BaseException:
        guard.release(signature)
        raise


def accept_event(event: ArticleEvent, container: Container) -> tuple[str, bool]:
    """Queue fan-out once per event id; ``(event_id, True)`` when it was already accepted.

    The dedupe marker and the outbox entry are written in one step before queueing, so an event
    is never marked accepted without the outbox sweep knowing to send it again."""
    event_id, now = event.event_id, container.clock()
    kwargs = {"event": event.model_dump(mode="json"), "event_id": event_id, "accepted_at": now}
    outbox = container.outbox
    if not outbox.add_once(event_id, kwargs, now, EVENT_TTL_S):
        report_event(event_id, event.type, event.article.id, duplicate=True)
        return event_id, True
    try:
        container.enqueue(FAN_OUT, kwargs)
    except Exception as exc:
        outbox.forget(event_id, marker=True)
        raise EnqueueFailed(f"could not queue event {event_id}: {exc}") from exc
    report_event(event_id, event.type, event.article.id, duplicate=False)
    return event_id, False
