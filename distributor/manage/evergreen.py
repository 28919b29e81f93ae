"""The evergreen rotation: at each destination that has one in the routing file, an old article
posted again at most once per ``interval_h``, chosen by its record (share-link clicks, platform
shares, X engagement; never at random), never twice within ``no_repeat_days``, not in quiet
hours and not within ``pause_after_fresh_min`` of a new article there.

Slots are not a queue: a tick takes the slot only when ``interval_h`` has passed since the last
one, so after downtime one pick goes out, never the backlog. Each pick is a reshare (source
``evergreen``), so it posts exactly once like any other (docs/managers.md, "Evergreen").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from redis import Redis

from distributor.audience.shares import ShareTracker
from distributor.errors import Refused
from distributor.keys import Keys
from distributor.lua import script
from distributor.manage.audit import AuditLog
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.reshares.service import Reshares
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.manager_rules import EvergreenRules, out_of_quiet

DAY, ACTOR = 86_400.0, "evergreen"
State = Literal["due", "waiting", "quiet", "paused", "empty"]


@dataclass(frozen=True, slots=True)
class Record:
    """What an article has earned: share-link clicks, shares on the platforms, X engagement."""

    clicks: int = 0
    shares: int = 0
    engagement: int = 0

    @property
    def score(self) -> int:
        """The sum the rotation ranks by."""
        return self.clicks + self.shares + self.engagement


def record_of(tracker: ShareTracker, article_id: str) -> Record:
    """An article's record from the share counters."""
    counts = tracker.counts(article_id)
    shares = sum(p.shares for p in counts.platform.values())
    engagement = sum(p.engagement for p in counts.platform.values())
    return Record(counts.clicks.human, shares, engagement)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article in the age window and category, its record (left empty when it is out) and
    why it is out (if it is)."""

    article_id: str
    title: str
    published_at: float
    record: Record
    excluded: str = ""


@dataclass(frozen=True)
class Decision:
    """What the rotation does at one destination now, and why."""

    destination: str
    state: State
    reason: str
    next_slot: float  # when the next slot opens (now, when due)
    ranked: tuple[Candidate, ...] = ()  # eligible first (best first), then the excluded
    picked: str | None = None  # the article a tick reshared
    reshare_id: str | None = None
    upcoming: list[tuple[float, str]] = field(default_factory=list)  # dry run: (slot, article)


class Evergreen:
    """Decide and take evergreen slots."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        routing: RoutingTable,
        articles: ArticleStore,
        ledger: Ledger,
        record: Callable[[str], Record],
        reshares: Reshares,
        audit: AuditLog,
        *,
        tz: ZoneInfo,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis, self._keys, self._routing = redis, keys, routing
        self._articles, self._ledger, self._record = articles, ledger, record
        self._reshares, self._audit, self._tz, self._clock = reshares, audit, tz, clock
        self._take = redis.register_script(script("distributor.manage", "evergreen_slot"))

    def tick(self) -> list[Decision]:
        """Take each due slot and reshare its best candidate (the next one if refused)."""
        decisions = []
        for dest, rules in self._routing.evergreen.items():
            now, seen = self._clock(), self._slot(dest)
            decision = self.decide(dest, rules, now, float(seen) if seen else None)
            if decision.state == "due" and self._take_slot(dest, seen, now):
                decision = self._pick(decision, now)
            decisions.append(decision)
        return decisions

    def dry_run(self, slots: int = 5) -> list[Decision]:
        """Every destination's decision now and its next ``slots`` picks, nothing taken."""
        out = []
        for dest, rules in self._routing.evergreen.items():
            now = self._clock()
            seen = self._slot(dest)
            decision = self.decide(dest, rules, now, float(seen) if seen else None)
            if not decision.ranked:  # waiting, quiet or paused: rank anyway, to show
                ranked = tuple(self._candidates(dest, rules, now))
                decision = replace(decision, ranked=ranked, upcoming=[])
            eligible = [c for c in decision.ranked if not c.excluded]
            quiet = self._routing.reshare_rules(dest).quiet_hours
            at, upcoming = max(now, decision.next_slot), []
            for candidate in eligible[:slots]:
                at = out_of_quiet(datetime.fromtimestamp(at, self._tz), quiet)[0].timestamp()
                upcoming.append((at, candidate.article_id))
                at += rules.interval_h * 3600
            decision.upcoming.extend(upcoming)
            out.append(decision)
        return out

    def next_slots(self) -> dict[str, float]:
        """When each destination's next slot opens (now, if one is open), ranking nothing."""
        now = self._clock()
        return {
            dest: _next_slot(rules, now, float(seen) if (seen := self._slot(dest)) else None)
            for dest, rules in self._routing.evergreen.items()
        }

    def decide(self, dest: str, rules: EvergreenRules, now: float, last: float | None) -> Decision:
        """The state of the rotation at ``dest`` at ``now`` (given its last slot) and why."""
        next_slot = _next_slot(rules, now, last)
        if next_slot > now:
            return Decision(dest, "waiting", f"next slot at {self._local(next_slot)}", next_slot)
        quiet = self._routing.reshare_rules(dest).quiet_hours
        if quiet is not None and quiet.contains(datetime.fromtimestamp(now, self._tz)):
            return Decision(dest, "quiet", f"quiet hours {quiet}: slot skipped", now)
        fresh = self._ledger.last_fresh_post(dest)
        pause = rules.pause_after_fresh_min * 60
        if fresh is not None and now - fresh < pause:
            reason = f"a new article went out at {self._local(fresh)}"
            return Decision(dest, "paused", reason, now)
        ranked = tuple(self._candidates(dest, rules, now))
        if not ranked or ranked[0].excluded:
            return Decision(dest, "empty", "no eligible article", now, ranked)
        best = ranked[0]
        reason = f"best record: {best.article_id} scores {best.record.score}"
        return Decision(dest, "due", reason, now, ranked)

    def _pick(self, decision: Decision, now: float) -> Decision:
        for candidate in (c for c in decision.ranked if not c.excluded):
            try:
                answer = self._reshares.request(
                    candidate.article_id, actor=ACTOR, destinations=[decision.destination],
                    source="evergreen",
                )  # fmt: skip
            except Refused:
                continue  # a cooldown or cap met since the ranking: the next one
            picked = self._keys.evergreen_picked(decision.destination)
            self._redis.zadd(picked, {candidate.article_id: now})
            reason = f"picked {candidate.article_id} (score {candidate.record.score})"
            detail = f"{answer.reshare_id} to {decision.destination}: {reason}"
            self._audit.append(ACTOR, "evergreen.pick", candidate.article_id, "ok", detail)
            return Decision(decision.destination, "due", reason, now, decision.ranked,
                            candidate.article_id, answer.reshare_id)  # fmt: skip
        return Decision(decision.destination, "empty", "every candidate refused", now,
                        decision.ranked)  # fmt: skip

    def _candidates(self, dest: str, rules: EvergreenRules, now: float) -> list[Candidate]:
        """The window's articles in the categories, eligible ones ranked by record (only they
        are scored), then the excluded with the reason."""
        ids = self._articles.published_ids_between(
            now - rules.max_age_days * DAY, now - rules.min_age_days * DAY
        )
        found = self._articles.get_many(ids)
        posts = self._ledger.posts_at(ids, dest)
        picked_key = self._keys.evergreen_picked(dest)
        since = now - rules.no_repeat_days * DAY
        recent: list[tuple[str, float]] = self._redis.zrangebyscore(
            picked_key, f"({since!r}", "+inf", withscores=True
        )  # type: ignore[assignment]
        picked = dict(recent)
        cooldown = self._routing.reshare_rules(dest).cooldown_s
        out = []
        for article_id, article in zip(ids, found, strict=True):
            if article is None or not rules.takes(article.category):
                continue
            live, last_post = posts[article_id]
            excluded = ""
            if not live:
                excluded = "not posted here"
            elif article_id in picked:
                excluded = f"picked at {self._local(picked[article_id])} (no repeat in the window)"
            elif last_post is not None and now < last_post + cooldown:
                excluded = f"cooldown until {self._local(last_post + cooldown)}"
            record = Record() if excluded else self._record(article_id)
            out.append(Candidate(article_id, article.title, article.published_at.timestamp(),
                                 record, excluded))  # fmt: skip
        out.sort(key=lambda c: (bool(c.excluded), -c.record.score, -c.published_at, c.article_id))
        return out

    def _slot(self, dest: str) -> str:
        """When the destination's last slot was taken, as stored ("" for never)."""
        return str(self._redis.hget(self._keys.evergreen_slots(), dest) or "")

    def _take_slot(self, dest: str, seen: str, now: float) -> bool:
        return bool(self._take(keys=[self._keys.evergreen_slots()], args=[dest, seen, repr(now)]))

    def _local(self, t: float) -> str:
        return f"{datetime.fromtimestamp(t, self._tz):%Y-%m-%d %H:%M %Z}"


def _next_slot(rules: EvergreenRules, now: float, last: float | None) -> float:
    return now if last is None else max(now, last + rules.interval_h * 3600)
