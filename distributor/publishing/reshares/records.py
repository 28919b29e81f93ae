"""A reshare as it is stored and shown: the request, and per destination its plan and state."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from distributor.models import Delivery

Source = Literal["manager", "evergreen"]


class TargetStatus(StrEnum):
    """Where one destination of a reshare stands (the ledger's states once it has fired)."""

    SCHEDULED = "scheduled"  # waits for its time
    QUEUED = "queued"  # fired; its delivery has not been taken yet
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"
    DELETED = "deleted"  # removed after an unpublish
    CANCELLED = "cancelled"
    REFUSED = "refused"  # a guard rail said no when it was asked


class ReshareRequest(BaseModel):
    """What was asked, by whom, of which article revision (stored as JSON)."""

    model_config = ConfigDict(frozen=True)

    id: str
    article_id: str
    revision: int
    created_at: float
    created_by: str
    source: Source = "manager"
    text: str | None = None
    force: bool = False
    destinations: tuple[str, ...]


class Target(BaseModel):
    """One destination of a reshare."""

    model_config = ConfigDict(frozen=True)

    destination: str
    status: TargetStatus
    at: datetime | None = None  # when it is (or was) due
    note: str = ""  # why it moved or was refused
    cooldown_until: datetime | None = None
    message_ids: tuple[str, ...] = ()
    error: str | None = None


class Reshare(BaseModel):
    """A reshare and the state of each of its destinations."""

    model_config = ConfigDict(frozen=True)

    id: str
    article_id: str
    revision: int
    created_at: datetime
    created_by: str
    source: Source
    text: str | None
    force: bool
    targets: tuple[Target, ...]


def member(reshare_id: str, destination: str) -> str:
    """The due / firing set member of one destination of a reshare."""
    return f"{reshare_id}|{destination}"


def split_member(value: str) -> tuple[str, str]:
    """``member``'s inverse."""
    reshare_id, _, destination = value.partition("|")
    return reshare_id, destination


def stamp(seconds: float | None) -> datetime | None:
    """Unix seconds as an aware UTC datetime."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def assemble(fields: dict[str, str], due: set[str], ledger: dict[str, Delivery]) -> Reshare:
    """A reshare from its hash, the destinations still in the due set and their ledger records."""
    request = ReshareRequest.model_validate_json(fields["json"])
    targets = []
    for dest in request.destinations:
        state = fields.get(f"state:{dest}", "")
        record = ledger.get(dest)
        status = TargetStatus.REFUSED if state == "refused" else TargetStatus.CANCELLED
        if state == "scheduled":
            status = TargetStatus.SCHEDULED if dest in due else TargetStatus.QUEUED
            if record is not None:
                status = TargetStatus(record.state.value)
        until = fields.get(f"until:{dest}")
        due_at = fields.get(f"due:{dest}")
        target = Target(
            destination=dest, status=status, at=stamp(float(due_at)) if due_at else None,
            note=fields.get(f"note:{dest}", ""),
            cooldown_until=stamp(float(until)) if until else None,
            message_ids=record.message_ids if record else (),
            error=record.error if record else None,
        )  # fmt: skip
        targets.append(target)
    return Reshare(
        id=request.id, article_id=request.article_id, revision=request.revision,
        created_at=datetime.fromtimestamp(request.created_at, UTC),
        created_by=request.created_by, source=request.source, text=request.text,
        force=request.force, targets=tuple(targets),
    )  # fmt: skip
