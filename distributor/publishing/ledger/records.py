"""The ledger's records as Python sees them, decoded from the hashes its Lua writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from distributor.models import Delivery, DeliveryState

ClaimMode = Literal["post", "edit"]
"""What a claim is for: a new post (never repeat blindly) or an edit (safe to repeat)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """Proof that this worker owns one delivery until ``lease_until``."""

    article_id: str
    destination: str
    revision: int
    token: str
    lease_until: float
    attempt: int
    action: ClaimMode
    reshare: str = ""  # the reshare this delivery posts, "" for a revision's own delivery


@dataclass(frozen=True, slots=True)
class LivePost:
    """The post currently standing for an article at a destination."""

    revision: int
    message_ids: tuple[str, ...]
    method: str


@dataclass(frozen=True, slots=True)
class InDoubtItem:
    """An in-doubt delivery, what its claim was for, and since when (clock seconds).

    ``after_id`` is the highest message id the ledger had recorded at that destination when the
    claim was taken, ``lease_until`` when the claim's lease ran out: a post made under the claim
    comes after the one and before the other. ``doubt`` counts the record's doubts: a
    decision about this item settles only this doubt (``Ledger.resolve``).
    """

    delivery: Delivery
    action: ClaimMode
    since: float
    lease_until: float = 0.0
    after_id: int = 0
    doubt: int = 0


@dataclass(frozen=True, slots=True)
class FailedItem:
    """A failed delivery and since when (clock seconds); ``delivery.error`` says why."""

    delivery: Delivery
    since: float


@dataclass(frozen=True, slots=True)
class UnpublishPlan:
    """What an unpublish must do at one destination."""

    busy: bool  # a delivery is mid-call under a live lease: try again shortly
    message_ids: tuple[str, ...]  # every recorded post of revisions up to the unpublished one
    in_doubt: tuple[int, ...]  # revisions that may be posted but cannot be deleted yet


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a delivery decides on, read in one round trip."""

    current: Delivery | None  # this (article, destination, revision)
    live: LivePost | None  # the post standing at this destination
    deliveries: list[Delivery]  # every delivery of the article (``list_deliveries``)


def text_of(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decode_hash(raw: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    return {text_of(k): text_of(v) for k, v in raw.items()}


def decode_pairs(flat: Sequence[bytes | str]) -> dict[str, str]:
    """A hash from a script's flat ``HGETALL`` reply."""
    return {text_of(flat[i]): text_of(flat[i + 1]) for i in range(0, len(flat), 2)}


def decode_live(raw: dict[str, str]) -> LivePost | None:
    if not raw.get("revision"):
        return None
    return LivePost(
        int(raw["revision"]), decode_ids(raw.get("message_ids", "")), raw.get("method", "")
    )


def decode_ids(raw: str) -> tuple[str, ...]:
    return tuple(i for i in raw.split(",") if i)


def decode_in_doubt(raw: dict[str, str], since: float) -> InDoubtItem:
    action: ClaimMode = "edit" if raw.get("action") == "edit" else "post"
    lease_until, after_id = float(raw.get("lease_until", 0)), int(raw.get("after_id") or 0)
    doubt = int(raw.get("doubts") or 0)
    # the hash is read after the index: if it went in doubt anew in between, its own time
    since = max(since, float(raw.get("updated_at") or since))
    return InDoubtItem(decode_delivery(raw), action, since, lease_until, after_id, doubt)


def decode_delivery(raw: dict[str, str]) -> Delivery:
    return Delivery(
        article_id=raw["article_id"],
        destination=raw["destination"],
        revision=int(raw["revision"]),
        state=DeliveryState(raw["state"]),
        message_ids=decode_ids(raw.get("message_ids", "")),
        attempts=int(raw.get("attempts", 0)),
        error=raw.get("error") or None,
        updated_at=datetime.fromtimestamp(float(raw["updated_at"]), tz=UTC),
        created_at=datetime.fromtimestamp(float(raw["created_at"]), tz=UTC)
        if raw.get("created_at")
        else None,
        reshare=raw.get("reshare") or None,
    )
