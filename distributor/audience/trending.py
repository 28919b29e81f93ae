"""Trending boards: decayed scores without rescoring (docs/architecture.md, "Audience").

Every event adds ``weight * 2^((t - T0) / half_life)`` to sorted sets, so older events weigh
less relative to newer ones without touching stored scores. A *window* is a board with its own
half-life (``now`` = the configured one, 6 h by default; ``today`` = 24 h; ``week`` = 7 days),
kept for the whole site (scope ``all``) and for each category (``cat:<category>``).
``renormalise`` moves T0 forward before the scores grow too large; ``prune`` drops articles with
no event for ``retention_s``. Each article also keeps its events bucketed per hour and kind,
each bucket's weight decayed to the bucket start, so ``explain`` can list what sums to a score.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import NoScriptError

from distributor.config import Settings
from distributor.keys import Keys
from distributor.lua import script

EventKind = Literal["view", "share_click", "platform_share", "engagement"]
EVENT_KINDS: tuple[EventKind, ...] = ("view", "share_click", "platform_share", "engagement")
WINDOWS: tuple[str, ...] = ("now", "today", "week")
GLOBAL_SCOPE = "all"
HOUR = 3600.0


def category_scope(category: str) -> str:
    """The board scope of a category (case-insensitive); empty for no category."""
    name = category.strip().casefold()
    return f"cat:{name}" if name else ""


@dataclass(frozen=True)
class TrendingConfig:
    """Half-life per window, weight per event kind, and how long an idle article stays."""

    half_lives_s: Mapping[str, float] = field(
        default_factory=lambda: {"now": 6 * HOUR, "today": 24 * HOUR, "week": 168 * HOUR}
    )
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "view": 1.0,
            "share_click": 4.0,
            "platform_share": 6.0,
            "engagement": 2.0,
        }
    )
    retention_s: float = 8 * 24 * HOUR
    bucket_s: float = HOUR

    @classmethod
    def from_settings(cls, settings: Settings) -> TrendingConfig:
        """Default windows, with ``now`` at the configured half-life."""
        base = cls()
        half_lives = dict(base.half_lives_s)
        half_lives["now"] = settings.trending_half_life_h * HOUR
        return cls(half_lives_s=half_lives)


@dataclass(frozen=True)
class Entry:
    """One article on a board; ``score`` is its decayed weight as of the read time."""

    article_id: str
    score: float


@dataclass(frozen=True)
class ExplainItem:
    """Events of one kind in one hour and what they add to the score as of the read time."""

    kind: str
    bucket_start: datetime
    events: int
    weight: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """An article's score on one board and the events that sum to it."""

    article_id: str
    window: str
    scope: str
    score: float
    items: tuple[ExplainItem, ...]


class Trending:
    """Records weighted events and reads the boards; all writes are single Lua scripts."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        config: TrendingConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._config = config or TrendingConfig()
        self._clock = clock
        self._record = redis.register_script(script("distributor.audience", "trending_record"))
        self._record.sha = str(
            redis.script_load(script("distributor.audience", "trending_record"))
        )  # pipelines use EVALSHA directly
        self._remove = redis.register_script(script("distributor.audience", "trending_remove"))
        self._renormalise = redis.register_script(
            script("distributor.audience", "trending_renormalise")
        )
        self._packed_windows = ";".join(
            f"{name}|{float(half_life)!r}|{keys.trend_board(name, '')}"
            for name, half_life in self._config.half_lives_s.items()
        )
        self._windows = [
            arg
            for name, half_life in self._config.half_lives_s.items()
            for arg in (name, repr(float(half_life)), keys.trend_board(name, ""))
        ]

    @property
    def config(self) -> TrendingConfig:
        """The half-lives and weights in use."""
        return self._config

    def record(
        self,
        article_id: str,
        category: str,
        kind: EventKind,
        count: int = 1,
        t: float | None = None,
    ) -> bool:
        """Add ``count`` events of ``kind``; False when unpublished or count < 1."""
        if count < 1:
            return False
        pipe = self.pipeline()
        self.queue_record(pipe, article_id, category, kind, count, t)
        return bool(self.execute(pipe)[0])

    def pipeline(self) -> Pipeline:
        """A pipeline on the boards' Redis, for ``queue_record`` and ``execute``."""
        return self._redis.pipeline(transaction=False)

    def queue_record(
        self,
        pipe: Pipeline,
        article_id: str,
        category: str,
        kind: EventKind,
        count: int = 1,
        t: float | None = None,
    ) -> None:
        """``record`` as one EVALSHA queued on the caller's pipeline (result: how many events
        it added); run the pipeline with ``execute`` so a lost script is loaded again."""
        if count < 1:
            return
        when = self._clock() if t is None else t
        bucket = math.floor(when / self._config.bucket_s) * self._config.bucket_s
        keys = [
            self._keys.trend_epochs(),
            self._keys.trend_scopes(),
            self._keys.trend_article(article_id),
            self._keys.trend_last(),
            self._keys.trend_blocked(),
        ]
        args: list[str | int | float] = [
            article_id,
            category_scope(category),
            repr(when),
            repr(float(self._config.weights[kind])),
            kind,
            repr(bucket),
            count,
            self._packed_windows,
        ]
        pipe.evalsha(self._record.sha, len(keys), *keys, *args)

    def execute(self, pipe: Pipeline) -> list[Any]:
        """Run a pipeline holding queued records; a record that met a Redis without the
        script (restart, SCRIPT FLUSH) is loaded and run again, the rest are not repeated."""
        commands = [args for args, _ in pipe.command_stack]
        results: list[Any] = pipe.execute(raise_on_error=False)
        for i, result in enumerate(results):
            if isinstance(result, NoScriptError):
                self._record.sha = str(
                    self._redis.script_load(script("distributor.audience", "trending_record"))
                )
                results[i] = self._redis.evalsha(self._record.sha, *commands[i][2:])
            elif isinstance(result, Exception):
                raise result
        return results

    def top(
        self,
        window: str = "now",
        category: str | None = None,
        limit: int = 20,
        now: float | None = None,
    ) -> list[Entry]:
        """The ``limit`` highest articles of a board: one ZREVRANGE, O(log N + limit)."""
        half_life = self._half_life(window)
        scope = category_scope(category) if category else GLOBAL_SCOPE
        if not scope or limit < 1:
            return []
        pipe = self._redis.pipeline(transaction=False)
        pipe.hget(self._keys.trend_epochs(), window)
        pipe.zrevrange(self._keys.trend_board(window, scope), 0, limit - 1, withscores=True)
        epoch, rows = pipe.execute()
        factor = self._to_now(epoch, half_life, now)
        return [Entry(article_id=member, score=score * factor) for member, score in rows]

    def categories(self) -> list[str]:
        """The categories that have a board (as ``category_scope`` keeps them), sorted."""
        scopes = self._redis.smembers(self._keys.trend_scopes())
        names = (str(s) for s in scopes)
        return sorted(s.removeprefix("cat:") for s in names if s.startswith("cat:"))

    def score(self, article_id: str, window: str = "now", now: float | None = None) -> float:
        """An article's global score in a window as of ``now`` (0 when not on the board)."""
        half_life = self._half_life(window)
        pipe = self._redis.pipeline(transaction=False)
        pipe.hget(self._keys.trend_epochs(), window)
        pipe.zscore(self._keys.trend_board(window, GLOBAL_SCOPE), article_id)
        epoch, raw = pipe.execute()
        return float(raw or 0.0) * self._to_now(epoch, half_life, now)

    def explain(
        self, article_id: str, window: str = "now", now: float | None = None
    ) -> Explanation | None:
        """The events and decayed weights that sum to the article's global score, or None."""
        half_life = self._half_life(window)
        at = self._clock() if now is None else now
        pipe = self._redis.pipeline(transaction=False)
        pipe.hget(self._keys.trend_epochs(), window)
        pipe.zscore(self._keys.trend_board(window, GLOBAL_SCOPE), article_id)
        pipe.hgetall(self._keys.trend_article(article_id))
        epoch, raw, fields = pipe.execute()
        if raw is None:
            return None
        items = []
        for name, value in fields.items():
            parts = name.split("|")
            if parts[0] != "d" or parts[1] != window:
                continue
            kind, bucket = parts[2], parts[3]
            start = float(bucket)
            items.append(
                ExplainItem(
                    kind=kind,
                    bucket_start=datetime.fromtimestamp(start, UTC),
                    events=int(fields.get(f"n|{kind}|{bucket}", 0)),
                    weight=float(fields.get(f"w|{kind}|{bucket}", 0.0)),
                    contribution=float(value) * 2 ** ((start - at) / half_life),
                )
            )
        items.sort(key=lambda item: (item.bucket_start, item.kind))
        return Explanation(
            article_id=article_id,
            window=window,
            scope=GLOBAL_SCOPE,
            score=float(raw) * self._to_now(epoch, half_life, at),
            items=tuple(items),
        )

    def remove(self, article_id: str, *, block: bool = True) -> None:
        """Take an article off every board; with ``block`` later events are ignored."""
        self._remove(
            keys=[
                self._keys.trend_scopes(),
                self._keys.trend_article(article_id),
                self._keys.trend_last(),
                self._keys.trend_blocked(),
            ],
            args=[article_id, "1" if block else "0", *self._windows],
        )

    def restore(self, article_id: str) -> None:
        """Let a republished article collect events again (it starts from zero)."""
        self._redis.srem(self._keys.trend_blocked(), article_id)

    def renormalise(self, now: float | None = None) -> None:
        """Move every board's T0 to ``now`` and rescale its scores (beat: hourly)."""
        at = self._clock() if now is None else now
        self._renormalise(
            keys=[self._keys.trend_epochs(), self._keys.trend_scopes()],
            args=[repr(at), *self._windows],
        )

    def prune(self, now: float | None = None) -> int:
        """Remove articles whose latest event is older than ``retention_s``; how many."""
        at = self._clock() if now is None else now
        stale = self._redis.zrangebyscore(
            self._keys.trend_last(), "-inf", repr(at - self._config.retention_s)
        )
        for article_id in stale:
            self.remove(str(article_id), block=False)
        return len(stale)

    def _half_life(self, window: str) -> float:
        try:
            return float(self._config.half_lives_s[window])
        except KeyError:
            raise ValueError(f"unknown trending window {window!r}") from None

    def _to_now(self, epoch: str | None, half_life: float, now: float | None) -> float:
        if epoch is None:
            return 1.0
        at = self._clock() if now is None else now
        return float(2 ** ((float(epoch) - at) / half_life))


# ARGV after the fixed ones: for each window its name, half-life and board key prefix.
# ARGV[8] packs the windows as "name|half-life|board-prefix;...".
