"""A post budget learnt from the platform, spent like an editor (docs/architecture.md, "X budget").

Each account (a *scope*) has windows (X: the 15-minute and 24-hour limits, a usage cap), each a
limit, a remaining count and a reset time. Configured numbers are only the first guess: every
answer's headers replace them (``observe``), a 429 included, so every worker waits for the same
reset. ``admit`` spends at once while the windows have room (less a safety margin, and less a
reserve that only breaking news may spend); when they are short, posts queue by ``Standing``
(tier, weight, newest first) and the first ``free`` of the queue go as room comes back. A held
post learns when to ask again; the first in line asks the platform itself now and then
(``probe_s``), in case the platform's count was reset behind our back (a restarted sandbox).
Everything runs in Lua on one Redis, on the ``clock`` passed in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script
from distributor.publishers.base import LimitReading
from distributor.publishing.priority import Standing


@dataclass(frozen=True, slots=True)
class Guess:
    """A window assumed before the platform has said anything (from the configured tier)."""

    family: str
    limit: int
    label: str


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """How a budget is spent.

    ``reserve``: the share of each window only breaking news may spend; ``margin``: posts per
    window never spent (a count that lags the platform's); ``probe_s``: how often the first held
    post may ask the platform anyway (0: never); ``recheck_s``: how soon to ask again when the
    reset is unknown or others ahead are taking the room; ``grace_s``: how long past its wake
    a held post may stay silent before it loses its place.
    """

    guess: tuple[Guess, ...] = ()
    reserve: float = 0.1
    margin: int = 1
    probe_s: float = 3600.0
    recheck_s: float = 5.0
    grace_s: float = 300.0


@dataclass(frozen=True, slots=True)
class Admission:
    """A budget's answer to one post.

    Admitted: the slot is taken (``probe``: taken although the budget looked spent, to let the
    platform's answer correct us). Else the post is held: ask again in ``wake_s``; room comes
    back at ``until`` (epoch seconds) for the reason ``why``; ``ahead`` posts rank before it,
    ``held`` wait in all; ``first`` when this post just joined the queue, ``fresh`` when the
    whole account just became held.
    """

    admitted: bool
    wake_s: float = 0.0
    held: int = 0
    until: float | None = None
    why: str = ""
    ahead: int = 0
    first: bool = False
    fresh: bool = False
    probe: bool = False


@dataclass(frozen=True, slots=True)
class Hold:
    """An account whose posts wait: how many, until when, why."""

    scope: str
    held: int
    until: float
    why: str

    def describe(self) -> str:
        """One line for the console, ``distributor status`` and the health endpoint."""
        posts = "post" if self.held == 1 else "posts"
        return f"{self.held} {posts} held for {self.scope} until {utc(self.until)}: {self.why}"


def utc(epoch: float) -> str:
    """A moment in UTC, to the second, as the console and the status show it."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class PostBudget:
    """Budgets per scope in Redis, shared by every worker process."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        policy: BudgetPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.policy = policy or BudgetPolicy()
        self._clock = clock
        self._guess = json.dumps(
            [{"family": g.family, "limit": g.limit, "label": g.label} for g in self.policy.guess]
        )
        pkg = "distributor.publishing"
        self._admit = redis.register_script(script(pkg, "budget_admit"))
        self._observe = redis.register_script(script(pkg, "budget_observe"))
        self._refund = redis.register_script(script(pkg, "budget_refund"))

    def now(self) -> float:
        """The budget's clock (epoch seconds; the platform's resets are on the same scale)."""
        return self._clock()

    def admit(self, scope: str, ticket: str, standing: Standing) -> Admission:
        """Take a slot for the post ``ticket`` now, or hold it in the queue by ``standing``."""
        k, p = self._keys, self.policy
        keys = [
            k.budget(scope), k.budget_held(scope), k.budget_checkin(scope),
            k.budget_status(scope), k.budget_probe(scope), k.budget_scopes(),
        ]  # fmt: skip
        args: list[str | int | float] = [
            scope, repr(self.now()), ticket, repr(standing.score), int(standing.reserve),
            p.reserve, p.margin, p.grace_s, p.probe_s, p.recheck_s, self._guess,
        ]  # fmt: skip
        ok, wake, held, until, why, ahead, first, fresh, probe = self._admit(keys=keys, args=args)
        if int(ok):
            return Admission(True, held=int(held), probe=bool(int(probe)))
        now = self.now()
        return Admission(
            False, max(0.0, float(wake) - now), int(held), float(until), _text(why),
            int(ahead), bool(int(first)), bool(int(fresh)),
        )  # fmt: skip

    def observe(self, scope: str, readings: Sequence[LimitReading]) -> None:
        """The platform's own count (from an answer's headers) replaces ours."""
        if not readings:
            return
        payload = json.dumps(
            [
                {"family": r.family, "limit": r.limit, "remaining": r.remaining,
                 "reset": r.reset, "label": r.label, "probe": int(r.probe)}
                for r in readings
            ]
        )  # fmt: skip
        keys = [self._keys.budget(scope), self._keys.budget_scopes()]
        self._observe(keys=keys, args=[scope, repr(self.now()), payload])

    def refund(self, scope: str) -> None:
        """Give back a slot taken for a post that was not sent (its claim was refused)."""
        self._refund(keys=[self._keys.budget(scope)])

    def forget(self, scope: str, ticket: str) -> None:
        """Take a post out of the queue (it was settled some other way)."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.zrem(self._keys.budget_held(scope), ticket)
        pipe.zrem(self._keys.budget_checkin(scope), ticket)
        pipe.zcard(self._keys.budget_held(scope))
        if pipe.execute()[-1] == 0:  # the account is no longer held (a race only repeats a notice)
            self._redis.delete(self._keys.budget_status(scope))

    def windows(self, scope: str) -> dict[str, LimitReading]:
        """What the budget believes of each window now (for status and tests)."""
        raw = self._redis.hgetall(self._keys.budget(scope))
        out: dict[str, LimitReading] = {}
        for family, value in raw.items():
            w = json.loads(value)
            reading = LimitReading(
                _text(family), int(w["limit"]), int(w["remaining"]), float(w["reset"]),
                str(w["label"]), bool(w["probe"]),
            )  # fmt: skip
            out[reading.family] = reading
        return out

    def holds(self) -> list[Hold]:
        """Every account with posts waiting (those still asking), soonest reopening first."""
        now = self.now()
        found: list[Hold] = []
        for raw in sorted(self._redis.smembers(self._keys.budget_scopes())):
            scope = _text(raw)
            held = int(self._redis.zcount(self._keys.budget_checkin(scope), f"({now!r}", "+inf"))
            if held == 0:
                continue
            status = self._redis.hgetall(self._keys.budget_status(scope))
            until = float(status.get("until", now))
            found.append(Hold(scope, held, until, _text(status.get("why", ""))))
        return sorted(found, key=lambda h: h.until)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
