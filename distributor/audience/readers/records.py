"""Reader jobs and the per-(article, reader) send records, as strings in Redis (pure).

A *job* is one pass over a list of readers: ``send:<article>`` (the new article),
``edit:<article>:<revision>`` and ``delete:<article>`` (it changed or was unpublished) and
``digest:<day>:<hour>`` (daily digests due at that hour). Every job of an article shares the
article's records; a digest day has its own, so a reader gets at most one digest a day.

A record is one hash field (the chat id) holding ``<state>|...``:

- ``c|token|lease_until|after_id`` claimed right before the send (``after_id``: the highest
  message id known in that chat then);
- ``s|message_id|sent_at|revision`` sent (and edited up to ``revision``);
- ``?|after_id|lease_until|since`` in doubt: the send went out and its answer was lost, or the
  claim's lease ran out; never sent again blindly;
- ``f|reason`` refused for good (blocked, deactivated, ...); ``m|chat_id`` followed a migrated
  group; ``x|message_id`` deleted after an unpublish; ``n|`` nothing to send (an empty digest).

No record means not sent (yet). Cheaper than a ledger entry (one short hash field, no history),
just as exactly-once: the claim is a compare-and-set and only its holder moves it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

JobKind = Literal["send", "edit", "delete", "digest"]
RECORD_TTL_S = 49 * 3600  # Telegram lets a bot delete its message for 48 hours
EDIT_WINDOW_S = 48 * 3600


@dataclass(frozen=True, slots=True)
class Job:
    """One reader job; ``scope`` names the records it shares (an article, or a digest day)."""

    kind: JobKind
    scope: str
    revision: int = 0
    hour: int = 0

    @property
    def id(self) -> str:
        """``send:<a>``, ``edit:<a>:<revision>``, ``delete:<a>``, ``digest:<day>:<hour>``."""
        if self.kind == "edit":
            return f"edit:{self.scope}:{self.revision}"
        if self.kind == "digest":
            return f"digest:{self.scope}:{self.hour}"
        return f"{self.kind}:{self.scope}"

    @property
    def records(self) -> str:
        """The records' scope (the key suffix of their hash)."""
        return f"digest:{self.scope}" if self.kind == "digest" else self.scope

    @classmethod
    def parse(cls, job_id: str) -> Job:
        """The job an id names (ValueError when it names none)."""
        kind, _, rest = job_id.partition(":")
        if kind in ("edit", "digest"):
            scope, _, number = rest.rpartition(":")
            if not scope or not number.isdigit():
                raise ValueError(f"bad reader job id {job_id!r}")
            if kind == "edit":
                return cls("edit", scope, revision=int(number))
            return cls("digest", scope, hour=int(number))
        if kind not in ("send", "delete") or not rest:
            raise ValueError(f"bad reader job id {job_id!r}")
        return cls(kind, rest)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Record:
    """A decoded send record."""

    state: str  # c s ? f m x n
    message_id: int = 0
    at: float = 0.0  # sent_at (s), lease_until (c, ?)
    revision: int = 0
    after_id: int = 0
    since: float = 0.0  # in doubt since
    token: str = ""
    detail: str = ""  # f: reason, m: new chat id


def decode(raw: str) -> Record:
    """A record from its hash value."""
    state, _, rest = raw.partition("|")
    parts = rest.split("|")
    if state == "c":
        return Record("c", token=parts[0], at=float(parts[1]), after_id=int(parts[2]))
    if state == "s":
        return Record("s", int(parts[0]), float(parts[1]), int(parts[2]))
    if state == "?":
        return Record("?", at=float(parts[1]), after_id=int(parts[0]), since=float(parts[2]))
    if state == "x":
        return Record("x", message_id=int(parts[0] or 0))
    return Record(state, detail=rest)


def sent(message_id: int, at: float, revision: int) -> str:
    """``s|message_id|sent_at|revision``."""
    return f"s|{message_id}|{at:.0f}|{revision}"


def failed(reason: str) -> str:
    """``f|reason`` (a reason without ``|``)."""
    return "f|" + reason.replace("|", "/")[:200]


def migrated(new_chat: int) -> str:
    """``m|new_chat``."""
    return f"m|{new_chat}"


def deleted(message_id: int) -> str:
    """``x|message_id``."""
    return f"x|{message_id}"


NOTHING = "n|"
