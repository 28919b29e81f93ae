"""The audit log: every manager action appended to a Redis stream (who, what, on what, when,
with what outcome), never edited. "Who" is a token's name or ``cli:<user>`` or ``evergreen``;
nothing here ever holds a token (docs/managers.md, "Audit")."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from redis import Redis

from distributor.keys import Keys
from distributor.publishing.ledger.records import decode_hash, text_of

PAGE = 500


class AuditEntry(BaseModel):
    """One recorded action."""

    model_config = ConfigDict(frozen=True)

    id: str  # the stream id (Redis server milliseconds and a sequence)
    at: datetime
    actor: str
    action: str  # e.g. reshare.create, reshare.cancel, delivery.retry, token.revoke
    target: str  # what it was done to (article, reshare, delivery, token name)
    outcome: str  # ok, refused, forbidden, error
    detail: str = ""


class AuditLog:
    """Append and read the audit stream."""

    def __init__(self, redis: Redis, keys: Keys, clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._key = keys.audit()
        self._clock = clock

    def append(
        self, actor: str, action: str, target: str, outcome: str = "ok", detail: str = ""
    ) -> str:
        """Record one action; returns its id."""
        fields = {"at": repr(self._clock()), "actor": actor, "action": action,
                  "target": target, "outcome": outcome, "detail": detail[:1000]}  # fmt: skip
        return text_of(self._redis.xadd(self._key, fields))  # type: ignore[arg-type]

    def read(
        self,
        *,
        start: float | None = None,
        end: float | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries between ``start`` and ``end`` (Unix seconds, by stream id), newest first,
        optionally of one actor or action (an ``action`` ending in ``.`` matches a prefix)."""
        high = "+" if end is None else f"{int(end * 1000)}-18446744073709551615"
        low = "-" if start is None else f"{int(start * 1000)}-0"
        out: list[AuditEntry] = []
        count = PAGE if actor or action else min(limit, PAGE)  # filters may skip entries
        while len(out) < limit:
            page: list[tuple[str, dict[bytes | str, bytes | str]]] = self._redis.xrevrange(
                self._key, high, low, count=count
            )  # type: ignore[assignment]
            for raw_id, raw in page:
                fields = decode_hash(raw)
                if _matches(fields, actor, action):  # before building an entry: most are not
                    out.append(_entry(text_of(raw_id), fields))
            if len(page) < count:
                break
            high = f"({text_of(page[-1][0])}"
        return out[:limit]


def _matches(fields: dict[str, str], actor: str | None, action: str | None) -> bool:
    if actor is not None and fields["actor"] != actor:
        return False
    if action is None:
        return True
    done = fields["action"]
    return done.startswith(action) if action.endswith(".") else done == action


def _entry(entry_id: str, fields: dict[str, str]) -> AuditEntry:
    return AuditEntry(
        id=entry_id, at=datetime.fromtimestamp(float(fields["at"]), UTC),
        actor=fields["actor"], action=fields["action"], target=fields["target"],
        outcome=fields["outcome"], detail=fields.get("detail", ""),
    )  # fmt: skip
