"""Reshares as managers ask for them: the guard rails per destination (published, posted there,
quiet hours, cooldown, daily cap), the calendar, cancelling, and firing what is due.

Entry points for the API, the CLI, the evergreen rotation and a dashboard alike; they raise
``Refused`` (404 / 409 / 422) with the reason. Times are Unix seconds on the injected clock.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from distributor.errors import Refused
from distributor.models import Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.ledger.records import decode_delivery
from distributor.publishing.reshares.records import (
    Reshare,
    ReshareRequest,
    Source,
    Target,
    TargetStatus,
    assemble,
    member,
    stamp,
)
from distributor.publishing.reshares.store import Plan, ReshareStore, Verdict
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.manager_rules import out_of_quiet

log = logging.getLogger(__name__)
SendReshare = Callable[[str, Destination], None]
"""Queue the delivery of one destination of a reshare (reshare id, destination)."""
PAST_SLACK_S = 60.0  # an ``at`` this far in the past still means "now"
HORIZON_S = 90 * 86_400.0  # nothing is scheduled further ahead


def new_id() -> str:
    """A reshare id: ``rs_`` and 16 random hex digits."""
    return f"rs_{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Answer:
    """What a reshare request did at each destination."""

    reshare_id: str
    article_id: str
    targets: tuple[Target, ...]


class Reshares:
    """Ask for, list, cancel and fire reshares."""

    def __init__(
        self,
        store: ReshareStore,
        ledger: Ledger,
        articles: ArticleStore,
        routing: RoutingTable,
        send: SendReshare,
        *,
        tz: ZoneInfo,
        stale_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._ledger = ledger
        self._articles = articles
        self._routing = routing
        self._send = send
        self._tz = tz
        self._stale_s = stale_s
        self._clock = clock

    def request(
        self,
        article_id: str,
        *,
        actor: str,
        destinations: Sequence[str] | None = None,
        at: float | None = None,
        text: str | None = None,
        force: bool = False,
        source: Source = "manager",
    ) -> Answer:
        """Reshare the article now or ``at``, where it is live (or at ``destinations``);
        ``Refused`` (409, every destination's reason in ``details``) when none accepts."""
        article = self._articles.get(article_id)
        if article is None:
            raise Refused(f"unknown article {article_id!r}", 404)
        if not self._articles.is_published(article_id):
            raise Refused(f"article {article_id!r} is unpublished: it cannot be reshared")
        now = self._clock()
        due = now if at is None else at
        if due < now - PAST_SLACK_S or due > now + HORIZON_S:
            raise Refused("at must be between now and 90 days ahead", 422)
        names = self._destinations(article_id, destinations)
        live = self._ledger.live_posts(article_id, names)
        plans = [self._plan(name, due) for name in names if name in live]
        request = ReshareRequest(
            id=new_id(), article_id=article_id, revision=article.revision, created_at=now,
            created_by=actor, source=source, text=text, force=force,
            destinations=tuple(p.destination for p in plans),
        )  # fmt: skip
        verdicts = {v.destination: v for v in self.store.accept(request, plans, now)}
        fire = [member(request.id, p.destination) for p in plans
                if verdicts[p.destination].verdict == "ok" and p.due <= now]  # fmt: skip
        fired = {dest for _, dest in self.store.fire(now, self._stale_s, fire)}
        targets = [
            _target(p, verdicts[p.destination], p.destination in fired) for p in plans
        ] + [
            Target(destination=n, status=TargetStatus.REFUSED, note="not posted there")
            for n in names if n not in live
        ]  # fmt: skip
        if not any(t.status is not TargetStatus.REFUSED for t in targets):
            raise Refused(_refusal(article_id, targets), 409, targets)
        for dest in sorted(fired):
            self._send_or_later(request.id, dest)
        return Answer(request.id, article_id, tuple(targets))

    def get(self, reshare_id: str) -> Reshare | None:
        """A reshare with each destination's state (the ledger's once it has fired)."""
        fields = self.store.fields(reshare_id)
        if not fields:
            return None
        request = ReshareRequest.model_validate_json(fields["json"])
        records = {}
        for dest in request.destinations:
            where = (request.article_id, dest, request.revision)
            record = self._ledger.get(*where, reshare_id)
            if record is not None:
                records[dest] = record
        waiting = self.store.waiting(reshare_id, request.destinations)
        return assemble(fields, waiting, records)

    def calendar(self, start: float, end: float) -> list[Reshare]:
        """Reshares first due between ``start`` and ``end`` (any state), earliest first."""
        return self.many(self.store.calendar(start, end))

    def many(self, ids: Sequence[str]) -> list[Reshare]:
        """``get`` for several reshares, in two round trips (unknown ids left out)."""
        return [
            assemble(s.fields, s.due, {d: decode_delivery(r) for d, r in s.records.items()})
            for s in self.store.many(ids)
        ]

    def cancel(self, reshare_id: str, reason: str) -> Reshare:
        """Cancel the destinations that have not fired; 409 when none is left to cancel."""
        request = self.store.request(reshare_id)
        if request is None:
            raise Refused(f"unknown reshare {reshare_id!r}", 404)
        if not self.store.cancel(request, reason):
            raise Refused(f"reshare {reshare_id} has nothing left to cancel: it has started")
        found = self.get(reshare_id)
        assert found is not None
        return found

    def cancel_article(self, article_id: str, reason: str) -> list[str]:
        """Cancel every scheduled reshare of an article (it was unpublished); their ids."""
        cancelled = []
        for reshare_id in self.store.of_article(article_id):
            request = self.store.request(reshare_id)
            if request is not None and self.store.cancel(request, reason):
                cancelled.append(reshare_id)
        return cancelled

    def fire_due(self) -> int:
        """Send what is due, and what fired long ago without settling; how many were sent."""
        sent = 0
        for reshare_id, dest in self.store.fire(self._clock(), self._stale_s):
            try:
                destination = self._routing.get(dest)
            except KeyError:  # left the routing file since
                self.store.settled(reshare_id, dest)
                continue
            self._send(reshare_id, destination)
            sent += 1
        return sent

    def _send_or_later(self, reshare_id: str, destination: str) -> None:
        """Queue a fired destination; if the broker refuses, ``fire_due`` sends it again once
        its firing period is over (it stays in the firing set until settled)."""
        try:
            self._send(reshare_id, self._routing.get(destination))
        except Exception:
            log.exception("reshare %s to %s not queued; the firing sweep will", reshare_id,
                          destination)  # fmt: skip

    def _destinations(self, article_id: str, asked: Sequence[str] | None) -> list[str]:
        known = [d.id for d in self._routing.destinations]
        if asked is None:
            live = self._ledger.live_posts(article_id, known)
            if not live:
                raise Refused(f"article {article_id!r} is not posted anywhere yet")
            return [d for d in known if d in live]
        unknown = sorted(set(asked) - set(known))
        if unknown:
            raise Refused(f"unknown destinations: {', '.join(unknown)}", 422)
        return list(dict.fromkeys(asked))

    def _plan(self, destination: str, due: float) -> Plan:
        rules = self._routing.reshare_rules(destination)
        moved, note = out_of_quiet(datetime.fromtimestamp(due, self._tz), rules.quiet_hours)
        at = moved.timestamp() if note else due  # unmoved: exactly as asked (no µs rounding)
        return Plan(destination, at, rules.cooldown_s, rules.daily_cap,
                    moved.date().isoformat(), note)  # fmt: skip


def _target(plan: Plan, verdict: Verdict, fired: bool) -> Target:
    if verdict.verdict == "ok":
        status = TargetStatus.QUEUED if fired else TargetStatus.SCHEDULED
        return Target(destination=plan.destination, status=status, at=stamp(plan.due),
                      note=plan.note)  # fmt: skip
    note = "daily cap reached" if verdict.verdict == "cap" else "cooldown"
    return Target(
        destination=plan.destination, status=TargetStatus.REFUSED, at=stamp(plan.due),
        note=note, cooldown_until=stamp(verdict.cooldown_until),
    )  # fmt: skip


def _refusal(article_id: str, targets: Sequence[Target]) -> str:
    parts = []
    for t in targets:
        until = f" until {t.cooldown_until.isoformat()}" if t.cooldown_until else ""
        parts.append(f"{t.destination}: {t.note}{until}")
    return f"no destination takes a reshare of {article_id!r} now: " + "; ".join(parts)
