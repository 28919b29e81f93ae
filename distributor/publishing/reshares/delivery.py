"""One destination of a reshare, posted at most once: its own ledger record (keyed by the
reshare id, docs/managers.md), a new post (never an edit), on X a text that no earlier post of
the article on that account had, and a rate-governor slot only while new articles keep theirs.

Order as for articles (``publishing/delivery.py``): ledger check → render → governor → claim →
platform call → record.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from distributor.errors import LeaseLost, PermanentError
from distributor.formatting import FormatOptions, render
from distributor.formatting.reshare import lead_lines, render_reshare
from distributor.models import Article, DeliveryState, Destination, RenderedPost
from distributor.publishers.base import Publisher
from distributor.publishing.delivery import (
    Outcome,
    OutcomeKind,
    backoff,
    call_platform,
    held_back,
)
from distributor.publishing.ledger import Ledger
from distributor.publishing.priority import Standing, Tier
from distributor.publishing.ratelimit import Limit, RateGovernor
from distributor.publishing.reshares.records import ReshareRequest
from distributor.publishing.reshares.store import ReshareStore
from distributor.publishing.routing.manager_rules import ReshareRules
from distributor.publishing.turns import take_turn

RESERVE = 0.3  # of each rate bucket's burst that reshares leave to new articles
CANDIDATES = 24  # X texts tried per reshare


def reshare_limits(limits: Sequence[Limit]) -> tuple[Limit, ...]:
    """New articles go ahead of reshares: the same scopes and rates, with a burst smaller by
    ``RESERVE`` (one slot at least where the burst has two). A reshare takes a slot only while
    that many stay free, so when the bucket runs low only new articles still get through."""
    smaller = (max(1, limit.burst - max(1, math.ceil(limit.burst * RESERVE))) for limit in limits)
    return tuple(replace(limit, burst=b) for limit, b in zip(limits, smaller, strict=True))


def deliver_reshare(
    request: ReshareRequest,
    destination: Destination,
    article: Article | None,
    *,
    ledger: Ledger,
    store: ReshareStore,
    governor: RateGovernor,
    publisher: Publisher,
    options: FormatOptions,
    rules: ReshareRules,
    max_attempts: int = 8,
    max_wait_s: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Post ``article`` (its newest published revision; None when unpublished) again at
    ``destination`` for this reshare; never twice. The firing set forgets it once settled."""
    where = (request.article_id, destination.id, request.revision)
    current = ledger.get(*where, request.id)
    if current is not None and current.state is DeliveryState.SENDING:
        ledger.claim(*where, reshare=request.id)  # an expired lease becomes in_doubt
        current = ledger.get(*where, request.id)
    if current is not None and current.state is not DeliveryState.PENDING:
        store.settled(request.id, destination.id)
        return Outcome(OutcomeKind.NOTHING, f"already {current.state}", None, current.message_ids)
    if article is None:  # the unpublish's tombstone will refuse the claim when resent
        return Outcome(OutcomeKind.NOTHING, "article unpublished: nothing posted")
    try:
        post = _post(request, destination, article, ledger, store, options, rules)
    except PermanentError as exc:
        return _fail(request, destination, ledger, store, str(exc))
    waiting = _wait_turn(request, destination, governor, ledger, max_wait_s, sleep)
    if waiting is not None:
        return waiting
    with governor.flight(destination, max_wait_s) as held:
        if held > 0:
            return held_back(held)
        claim = ledger.claim(*where, reshare=request.id)
        if claim is None:
            governor.refund(destination)
            store.settled(request.id, destination.id)
            state = getattr(ledger.get(*where, request.id), "state", "unknown")
            return Outcome(OutcomeKind.NOTHING, f"not claimed: {state}")
        try:
            outcome = call_platform(
                claim, destination, post, None, ledger, publisher, max_attempts, article.url,
                governor,
            )  # fmt: skip
        except LeaseLost as exc:
            outcome = Outcome(OutcomeKind.IN_DOUBT, f"{exc}: another party settled this delivery")
    if outcome.kind is not OutcomeKind.RETRY:
        store.settled(request.id, destination.id)
    return outcome


def _wait_turn(
    request: ReshareRequest,
    destination: Destination,
    governor: RateGovernor,
    ledger: Ledger,
    max_wait_s: float,
    sleep: Callable[[float], None],
) -> Outcome | None:
    """None once the reshare may post now; else the retry. An X account's budget queues it
    behind every new article (``Tier.RESHARE``); elsewhere it takes a GCRA slot only while the
    reserve ``reshare_limits`` keeps for new articles stays free."""
    if governor.budgeted(destination):
        now = ledger.now()
        ticket = f"reshare/{request.id}/{destination.id}"
        turn = take_turn(
            governor, destination, ticket, Standing(Tier.RESHARE, 0, now),
            created=now, max_delay_s=None, now=ledger.now, max_wait_s=max_wait_s, sleep=sleep,
        )  # fmt: skip
        if turn.go:
            return None
        if turn.held is None:
            return Outcome(OutcomeKind.RETRY, "rate limited", backoff(0, turn.wait_s))
        return Outcome(OutcomeKind.RETRY, turn.held, turn.wait_s)
    limits = reshare_limits(governor.table.limits_for(destination))
    wait = governor.acquire_within(limits, max_wait_s, sleep)
    if wait > 0:
        return Outcome(OutcomeKind.RETRY, f"rate limited for {wait:.1f}s", backoff(0, wait))
    return None


def _post(
    request: ReshareRequest,
    destination: Destination,
    article: Article,
    ledger: Ledger,
    store: ReshareStore,
    options: FormatOptions,
    rules: ReshareRules,
) -> RenderedPost:
    """Telegram: the post as first made, led by the manager's line if any. X: the first of the
    lead candidates whose text the account has not had for this article (a quote of our
    original post when the destination's ``x_mode`` says so)."""
    if destination.platform == "telegram":
        return render_reshare(article, destination, options, request.text)
    live = ledger.live_post(request.article_id, destination.id)
    quote = live.message_ids[0] if rules.x_mode == "quote" and live and live.message_ids else None
    leads = lead_lines(request.text, rules.leads, destination.language, 0, CANDIDATES)
    posts = [render_reshare(article, destination, options, lead, quote) for lead in leads]
    original = render(article, destination, options).text
    index = store.choose_text(request, destination.id, [original], [p.text for p in posts])
    if index is None:
        raise PermanentError(f"every one of {CANDIDATES} texts was posted before on this account")
    return posts[index]


def _fail(
    request: ReshareRequest, destination: Destination, ledger: Ledger, store: ReshareStore,
    reason: str,
) -> Outcome:  # fmt: skip
    """Record a reshare that cannot be made (no post fits, no new text) as failed."""
    claim = ledger.claim(request.article_id, destination.id, request.revision,
                         reshare=request.id)  # fmt: skip
    if claim is not None:
        ledger.record_failed(claim, reason)
    store.settled(request.id, destination.id)
    return Outcome(OutcomeKind.FAILED, reason)
