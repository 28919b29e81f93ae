"""One delivery: (article, destination, revision, action) → at most one post, recorded.

Order: ledger check → render → rate governor (its turn; ``turns``) → prepare (X: the image
upload) → ledger claim → platform call → ledger record. The claim comes last before the call,
so a worker that dies before it leaves the delivery ``pending`` (redelivered, posted once) and
only a death during the call leaves ``in_doubt``. A post whose turn cannot come within its
destination's ``max_delay`` is recorded ``skipped``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from distributor.errors import (
    DeliveryError,
    DuplicatePost,
    InDoubt,
    LeaseLost,
    PermanentError,
    RateLimited,
    TransientError,
)
from distributor.models import (
    Article,
    Delivery,
    DeliveryState,
    Destination,
    Platform,
    RenderedPost,
    UpdatePolicy,
)
from distributor.publishers.base import Lookup, Publisher
from distributor.publishing.fallback import publish_or_fallback
from distributor.publishing.governed import governed_delete
from distributor.publishing.ledger import Claim, ClaimMode, Ledger, LivePost
from distributor.publishing.priority import Standing, Tier
from distributor.publishing.ratelimit import RateGovernor
from distributor.publishing.routing import Action
from distributor.publishing.turns import archive_edit, take_turn

Render = Callable[[Article, Destination], RenderedPost]
EDITABLE: frozenset[Platform] = frozenset({"telegram"})  # X's API cannot edit a post


class OutcomeKind(StrEnum):
    """What the task does next: ``retry`` after ``retry_in``; anything else is acked."""

    DONE = "done"  # posted, edited or deleted now
    NOTHING = "nothing"  # already done, owned by another worker, or not needed by policy
    RETRY = "retry"  # surely not done; try again
    FAILED = "failed"  # permanent: recorded, never retried
    IN_DOUBT = "in_doubt"  # may be posted: left to the reconciler
    SKIPPED = "skipped"  # too late to post (past the destination's max_delay): recorded


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one ``deliver`` call."""

    kind: OutcomeKind
    detail: str
    retry_in: float | None = None  # seconds, only for RETRY (may exceed a minute)
    message_ids: tuple[str, ...] = ()
    notice: str | None = None  # worth a warning on the console (an account's posts now held)
    # for the metrics (observe.report): the governor's wait, and the platform's (a 429)
    governor_wait_s: float = 0.0
    platform_retry_after: float | None = None


def backoff(
    attempt: int,
    retry_after: float | None = None,
    *,
    base_s: float = 1.0,
    cap_s: float = 60.0,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds before retry ``attempt`` (0-based): exponential with equal jitter, capped,
    and never sooner than the platform's ``retry_after`` (plus jitter so waiters spread)."""
    ceiling = min(cap_s, base_s * 2.0 ** max(attempt, 0))
    delay = ceiling / 2 + rng() * ceiling / 2
    if retry_after is not None:
        delay = max(delay, retry_after + rng() * base_s)
    return delay


def deliver(
    article: Article,
    destination: Destination,
    action: Action,
    *,
    ledger: Ledger,
    governor: RateGovernor,
    publisher: Publisher,
    render: Render,
    max_attempts: int = 8,
    max_wait_s: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    standing: Standing | None = None,
    max_delay_s: float | None = None,
    first_post_max_age_s: float | None = None,
) -> Outcome:
    """Publish, update or unpublish ``article`` at ``destination``; never posts twice.

    ``standing`` places the post in its budget's queue (default: news, newest first);
    ``max_delay_s`` is how long after its record was written it may still go out;
    ``first_post_max_age_s``: an update of an article never delivered here and published
    longer ago than this is skipped, not posted as new (docs/architecture.md, "Old articles").
    """
    if action == "unpublish":
        return _unpublish(article, destination, ledger, governor, publisher, max_wait_s, sleep)
    where = (article.id, destination.id, article.revision)
    ticket = "/".join(map(str, where))
    snapshot = ledger.snapshot(*where)
    current, live = snapshot.current, snapshot.live
    if current is not None and current.state is DeliveryState.SENDING:
        # an expired lease becomes in_doubt; a live one is left alone. Never a claim here: the
        # holder may have released it to pending since the snapshot, and a claim taken now
        # would be one that nobody uses (it would expire into in_doubt with no call made)
        ledger.expire_lease(*where)
        current = ledger.get(*where)
    if current is not None and current.state is not DeliveryState.PENDING:
        governor.forget(destination, ticket)
        return Outcome(OutcomeKind.NOTHING, f"already {current.state}", None, current.message_ids)
    if live is not None and live.revision >= article.revision:
        reason = f"revision {live.revision} is already live"
        ledger.settle(*where, live.message_ids, reason)
        governor.forget(destination, ticket)
        return Outcome(OutcomeKind.NOTHING, reason)
    mode = _mode(destination, live)
    if mode is None:
        assert live is not None
        reason = f"update policy {destination.on_update}: revision {live.revision}'s post stays"
        ledger.settle(*where, live.message_ids, reason)
        governor.forget(destination, ticket)
        return Outcome(OutcomeKind.NOTHING, reason)
    if action == "update" and live is None and first_post_max_age_s is not None:
        old = archive_edit(article, destination, snapshot.deliveries, first_post_max_age_s,
                           ledger.now())  # fmt: skip
        if old is not None:
            governor.forget(destination, ticket)
            if current is None:
                ledger.ensure(*where)
            if ledger.skip(*where, old):
                return Outcome(OutcomeKind.SKIPPED, old)
            return Outcome(OutcomeKind.NOTHING, f"not skipped: {_state(ledger, where)}")
    blocked = _blocked(ledger, article, destination, snapshot.deliveries) if live is None else None
    if blocked is not None:
        return blocked
    post = render(article, destination)
    created = (current or ledger.ensure(*where)).created_at  # max_delay counts from here
    turn = take_turn(
        governor, destination, ticket,
        standing or Standing(Tier.NEWS, 0, article.published_at.timestamp()),
        created=created.timestamp() if created is not None else ledger.now(),
        max_delay_s=max_delay_s, now=ledger.now, max_wait_s=max_wait_s, sleep=sleep,
    )  # fmt: skip
    if turn.stale is not None:
        governor.forget(destination, ticket)
        if ledger.skip(*where, turn.stale):
            return Outcome(OutcomeKind.SKIPPED, turn.stale)
        return Outcome(OutcomeKind.NOTHING, f"not skipped: {_state(ledger, where)}")
    if not turn.go:
        wait = turn.wait_s
        if turn.held is None:
            detail = f"rate limited for {wait:.1f}s"
            return Outcome(OutcomeKind.RETRY, detail, backoff(0, wait), governor_wait_s=wait)
        if turn.first:
            ledger.note(*where, "held", turn.held)
        notice = turn.held if turn.notice else None
        return Outcome(OutcomeKind.RETRY, turn.held, wait, notice=notice, governor_wait_s=wait)
    if mode == "post":
        post = publisher.prepare(destination, post)  # posts nothing; a retry may redo it
    with governor.flight(destination, max_wait_s) as held:
        if held > 0:  # a 429 holds the chat (or a call to it stayed in flight): not yet
            return held_back(held)
        claim = ledger.claim(*where, action=mode)
        if claim is None:
            governor.refund(destination)
            return Outcome(OutcomeKind.NOTHING, f"not claimed: {_state(ledger, where)}")
        try:
            return call_platform(
                claim, destination, post, live, ledger, publisher, max_attempts, article.url,
                governor,
            )  # fmt: skip
        except LeaseLost as exc:
            return Outcome(OutcomeKind.IN_DOUBT, f"{exc}: another party settled this delivery")


def held_back(wait: float) -> Outcome:
    """The chat is held after a 429 (or busy with another call): try again after ``wait``."""
    return Outcome(OutcomeKind.RETRY, f"chat held for {wait:.1f}s", backoff(0, wait))


def _state(ledger: Ledger, where: tuple[str, str, int]) -> str:
    return str(getattr(ledger.get(*where), "state", "unknown"))


def _mode(destination: Destination, live: LivePost | None) -> ClaimMode | None:
    """``post`` a new message, ``edit`` the live one, or None to leave the live one alone."""
    if live is None or destination.on_update is UpdatePolicy.REPOST:
        return "post"
    editable = destination.platform in EDITABLE and live.message_ids
    if destination.on_update is UpdatePolicy.EDIT and editable:
        return "edit"
    return None


def _blocked(
    ledger: Ledger, article: Article, destination: Destination, deliveries: list[Delivery]
) -> Outcome | None:
    """An older revision still on its way (retry later) or in doubt (hold) blocks a new post."""
    for other in deliveries:
        if other.destination != destination.id or other.revision >= article.revision:
            continue
        if other.state in (DeliveryState.PENDING, DeliveryState.SENDING):
            return Outcome(
                OutcomeKind.RETRY, f"revision {other.revision} is {other.state}", backoff(1)
            )
        if other.state is DeliveryState.IN_DOUBT:
            reason = f"held: revision {other.revision} may be posted (in doubt)"
            ledger.note(article.id, destination.id, article.revision, "held", reason)
            return Outcome(OutcomeKind.NOTHING, reason)
    return None


def call_platform(
    claim: Claim,
    destination: Destination,
    post: RenderedPost,
    live: LivePost | None,
    ledger: Ledger,
    publisher: Publisher,
    max_attempts: int,
    article_url: str,
    governor: RateGovernor,
) -> Outcome:
    """The platform call under a claim (and the chat's ``flight``), and its record; a 429
    holds the chat for every worker. ``LeaseLost`` propagates."""
    try:
        if claim.action == "edit":
            assert live is not None
            publisher.edit(destination, live.message_ids, post)
            ids = live.message_ids
        else:
            ids, post = publish_or_fallback(claim, destination, post, ledger, publisher)
    except RateLimited as exc:  # a spent limit: waiting cures it, so it is not an attempt
        if exc.retry_after is not None:
            governor.hold_for(destination, exc.retry_after)
        ledger.release(claim, str(exc))
        wait = backoff(0, exc.retry_after)
        return Outcome(OutcomeKind.RETRY, str(exc), wait, platform_retry_after=exc.retry_after)
    except TransientError as exc:
        outcome = _retry(claim, ledger, str(exc), exc.retry_after, max_attempts)
        return replace(outcome, platform_retry_after=exc.retry_after)
    except DuplicatePost as exc:
        lookup = Lookup(article_url)
        return _found_duplicate(claim, destination, ledger, publisher, lookup, str(exc), post)
    except InDoubt as exc:
        if claim.action == "edit":  # repeating an edit cannot duplicate anything
            return _retry(claim, ledger, str(exc), None, max_attempts)
        ledger.record_in_doubt(claim, str(exc))
        return Outcome(OutcomeKind.IN_DOUBT, str(exc))
    except PermanentError as exc:
        ledger.record_failed(claim, str(exc))
        return Outcome(OutcomeKind.FAILED, str(exc))
    except Exception as exc:
        ledger.record_in_doubt(claim, f"unexpected error during the platform call: {exc!r}")
        raise
    ledger.record_sent(claim, ids, post.method)
    verb = "edited" if claim.action == "edit" else "posted"
    return Outcome(OutcomeKind.DONE, verb, None, ids)


def _found_duplicate(
    claim: Claim,
    destination: Destination,
    ledger: Ledger,
    publisher: Publisher,
    lookup: Lookup,
    error: str,
    post: RenderedPost,
) -> Outcome:
    """The platform already shows this exact post (an uncertain earlier attempt made it): look
    it up and record it as ours, so an unpublish deletes the real post (docs/architecture.md,
    "X budget", duplicate refusals)."""
    try:
        ids = publisher.find_post(destination, lookup)
    except DeliveryError as exc:
        ledger.record_in_doubt(claim, f"{error}; looking the post up failed: {exc}")
        return Outcome(OutcomeKind.IN_DOUBT, str(exc))
    others = {
        i
        for d in ledger.list_deliveries(claim.article_id)
        if d.destination == claim.destination and d.revision != claim.revision
        for i in d.message_ids
    }
    if not ids or others & set(ids):
        ledger.record_failed(claim, f"{error}; no post of ours found for {lookup.article_url}")
        return Outcome(OutcomeKind.FAILED, error)
    ledger.record_sent(claim, ids, post.method)
    return Outcome(OutcomeKind.DONE, f"found: the platform already shows it ({error})", None, ids)


def _retry(
    claim: Claim, ledger: Ledger, error: str, retry_after: float | None, max_attempts: int
) -> Outcome:
    if claim.attempt >= max_attempts:
        reason = f"gave up after {claim.attempt} attempts: {error}"
        ledger.record_failed(claim, reason)
        return Outcome(OutcomeKind.FAILED, reason)
    ledger.release(claim, error)
    return Outcome(OutcomeKind.RETRY, error, backoff(claim.attempt, retry_after))


def _unpublish(
    article: Article,
    destination: Destination,
    ledger: Ledger,
    governor: RateGovernor,
    publisher: Publisher,
    max_wait_s: float,
    sleep: Callable[[float], None],
) -> Outcome:
    """Delete every recorded post up to this revision; deletes are safe to repeat. Each takes
    the governor's slots and the chat's flight, as a post does."""
    plan = ledger.unpublish(article.id, destination.id, article.revision)
    if plan.busy:
        return Outcome(OutcomeKind.RETRY, "a post is in flight", backoff(1))
    doubt = f"; revisions {list(plan.in_doubt)} in doubt" if plan.in_doubt else ""
    if not plan.message_ids:
        return Outcome(OutcomeKind.NOTHING, f"no post to delete{doubt}")
    try:
        governed_delete(governor, destination, publisher, plan.message_ids, max_wait_s, sleep)
    except TransientError as exc:
        return Outcome(OutcomeKind.RETRY, str(exc), backoff(1, exc.retry_after))
    except InDoubt as exc:
        return Outcome(OutcomeKind.RETRY, str(exc), backoff(1))
    except PermanentError as exc:
        ledger.note(article.id, destination.id, article.revision, "delete_failed", str(exc))
        return Outcome(OutcomeKind.FAILED, str(exc))
    ledger.mark_deleted(article.id, destination.id, article.revision, "article unpublished")
    return Outcome(OutcomeKind.DONE, f"deleted{doubt}", None, plan.message_ids)
