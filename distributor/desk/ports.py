"""What the desk expects from issue 11 (reader subscriptions), which is being built: the
Readers page is drawn from a ``Readers`` port, and until issue 11 provides one the page says
so. Wiring it in is passing one to ``desk.app.install_desk`` (docs/architecture.md, "Desk")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from fastapi import Request

READERS_ISSUE = "issue 11 (reader subscriptions)"


@dataclass(frozen=True)
class TopicReaders:
    """Readers of one topic, its growth per day, and how many were pruned (blocked the bot)."""

    topic: str
    readers: int
    growth: Sequence[tuple[date, int]] = field(default_factory=tuple)
    pruned: int = 0


class Readers(Protocol):
    """Issue 11: subscribers by topic."""

    def readers_by_topic(self) -> Sequence[TopicReaders]: ...


def readers_of(request: Request) -> Readers | None:
    """The Readers port this app was built with (``install_desk`` keeps it on the app)."""
    readers: Readers | None = request.app.state.desk_readers
    return readers
