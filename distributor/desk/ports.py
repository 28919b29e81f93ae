"""What the desk expects from work not merged yet: issue 10 (reshares, schedules, evergreen,
retry of failed deliveries, audit log) and issue 11 (reader subscriptions).

The pages and their controls are built against these Protocols. ``desk_ports`` says which
exist; today none do, so the Calendar, Audit and Readers pages and the Reshare, Schedule,
Cancel and Retry controls say "not available until ..." and their routes refuse with 501.
Wiring one in is a line in ``desk_ports`` (docs/architecture.md, "Desk", lists them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from fastapi import Request

from distributor.models import Delivery
from distributor.wiring import Container

RESHARES_ISSUE = "issue 10 (reshares and schedules)"
RETRY_ISSUE = "issue 10 (retry of failed deliveries)"
AUDIT_ISSUE = "issue 10 (the audit log)"
READERS_ISSUE = "issue 11 (reader subscriptions)"


@dataclass(frozen=True)
class ReshareEntry:
    """One reshare on the calendar: scheduled, sent, failed or cancelled; ``kind`` tells a
    manager's reshare from an evergreen pick."""

    id: str
    article_id: str
    title: str
    destination: str
    due_at: datetime
    state: str
    kind: str = "reshare"
    text: str = ""
    actor: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ReshareAnswer:
    """What a reshare request did: its id (None when every destination refused) and, per
    destination, what will happen or why not (the cooldown's end, a cap, quiet hours)."""

    reshare_id: str | None
    outcomes: Mapping[str, str]


@dataclass(frozen=True)
class AuditEntry:
    """Who did what, when, to what, and how it ended."""

    at: datetime
    actor: str
    action: str
    target: str
    outcome: str


@dataclass(frozen=True)
class AuditFilter:
    """The Audit page's filter; empty fields match everything."""

    actor: str = ""
    action: str = ""
    limit: int = 200


@dataclass(frozen=True)
class TopicReaders:
    """Readers of one topic, its growth per day, and how many were pruned (blocked the bot)."""

    topic: str
    readers: int
    growth: Sequence[tuple[date, int]] = field(default_factory=tuple)
    pruned: int = 0


class Reshares(Protocol):
    """Issue 10: reshare now or later, the calendar, cancel."""

    def list_reshares(self, start: datetime, end: datetime) -> Sequence[ReshareEntry]: ...

    def reshare(
        self,
        article_id: str,
        destinations: Sequence[str],
        at: datetime | None,
        text: str,
        force: bool,
        actor: str,
    ) -> ReshareAnswer: ...

    def cancel_reshare(self, reshare_id: str, actor: str) -> bool: ...


class Retries(Protocol):
    """Issue 10: send a failed delivery again through the exactly-once path."""

    def retry_delivery(
        self, article_id: str, destination: str, revision: int, actor: str
    ) -> Delivery: ...


class AuditLog(Protocol):
    """Issue 10: the log of manager actions."""

    def audit(self, query: AuditFilter) -> Sequence[AuditEntry]: ...


class Readers(Protocol):
    """Issue 11: subscribers by topic."""

    def readers_by_topic(self) -> Sequence[TopicReaders]: ...


@dataclass(frozen=True)
class DeskPorts:
    """The backing code each page needs; None until the issue that builds it is merged."""

    reshares: Reshares | None = None
    retries: Retries | None = None
    audit: AuditLog | None = None
    readers: Readers | None = None


def desk_ports(container: Container) -> DeskPorts:
    """What exists in this build: nothing yet (issues 10 and 11 are not merged)."""
    return DeskPorts()


def ports_of(request: Request) -> DeskPorts:
    """The ports this app was built with (``desk.app.install_desk`` keeps them on the app)."""
    ports: DeskPorts = request.app.state.desk_ports
    return ports
