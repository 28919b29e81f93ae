"""The publisher protocol: where platform exceptions become our error classes."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from distributor.models import Destination, Platform, RenderedPost


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the reconciler knows of an in-doubt post: the article it links, the highest
    message ids recorded at the destination before its claim (``after_id``) and now
    (``upto_id``), the latest time it can have been made (``until``, Unix seconds), and the
    posts already known to be other deliveries' (``skip``: an original, an earlier reshare).
    ``bounded``: ``upto_id`` is at or above any id the post can have (an id given out after its
    claim's lease ran out, less one), so ids past it prove the post was not made."""

    article_url: str
    after_id: int = 0
    upto_id: int = 0
    until: float = math.inf
    skip: frozenset[str] = frozenset()  # ids recorded for other deliveries (not this one's)
    bounded: bool = False


@dataclass(frozen=True, slots=True)
class LimitReading:
    """One limit window as the platform reported it on an answer (X: rate-limit headers).

    ``family`` names the window (the header family it came in), ``reset`` is when it reopens
    (epoch seconds). A ``limit`` of 0 is a block with no count (a usage cap): nothing goes out
    until ``reset``, and ``probe`` False means asking the platform earlier is pointless.
    """

    family: str
    limit: int
    remaining: int
    reset: float
    label: str
    probe: bool = True


@dataclass(frozen=True, slots=True)
class ProbeCopy:
    """One channel message as the probe chat saw its forwarded copy: the links it carries
    (normalised) and when the original was posted (Unix seconds, None when not said)."""

    links: frozenset[str]
    date: float | None


def probe_step(
    lookup: Lookup, gap: int, message_id: int, misses: int, copy: ProbeCopy | None
) -> tuple[tuple[str, ...] | None, int]:
    """One probed message's verdict and the misses in a row so far: its id when it is the
    post; () when the search is over (``gap`` ids in a row past ``lookup.upto_id`` missing, or
    a message newer than ``lookup.until``); None to go on to the next id."""
    if copy is None:  # deleted, or not posted yet
        misses = misses + 1 if message_id > lookup.upto_id else 0
        return (() if misses >= gap else None), misses
    if normalise_url(lookup.article_url) in copy.links and str(message_id) not in lookup.skip:
        return (str(message_id),), 0
    if copy.date is not None and copy.date > lookup.until:
        return (), 0
    return None, 0


def search_gap(lookup: Lookup, target: str, gap: int) -> int:
    """How many missing ids in a row prove a post absent: one past an id given out after its
    claim's lease ran out (``lookup.bounded``); ``gap`` in a channel or supergroup (``@name`` or
    ``-100…``), which numbers its own messages; never in a private chat or basic group, whose ids
    are the bot account's across chats (docs/architecture.md, "Message ids")."""
    if lookup.bounded:
        return 1
    return gap if target.startswith(("@", "-100")) else sys.maxsize


def normalise_url(url: str) -> str:
    """Compare article links: any scheme, lower-case host, no fragment, ``utm_*`` or final slash."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_")]
    path = parts.path.rstrip("/")
    return urlunsplit(("", parts.netloc.lower(), path, urlencode(query), ""))


class Publisher(Protocol):
    """Posts, edits and deletes on one platform.

    Every method raises only ``TransientError`` (surely not done; retry allowed, with
    ``retry_after`` when the platform said), ``PermanentError`` (never retry) or ``InDoubt``
    (the request went out and the outcome is unknown).
    """

    platform: Platform

    def prepare(self, destination: Destination, post: RenderedPost) -> RenderedPost:
        """Work that must come before the claim and posts nothing (X uploads the featured
        image); best effort, it never raises: the post as it can be sent."""
        ...

    def publish(self, destination: Destination, post: RenderedPost) -> tuple[str, ...]:
        """Post and return the platform's message ids (one for a message or tweet)."""
        ...

    def edit(
        self, destination: Destination, message_ids: tuple[str, ...], post: RenderedPost
    ) -> None:
        """Replace an existing post's text or caption; a no-op edit is not an error."""
        ...

    def delete(self, destination: Destination, message_ids: tuple[str, ...]) -> None:
        """Delete an existing post; one already gone is not an error."""
        ...

    def find_post(self, destination: Destination, lookup: Lookup) -> tuple[str, ...] | None:
        """Reconciliation: ids of the post linking the article, () when surely none was
        made, None when it cannot be known."""
        ...


@runtime_checkable
class Prober(Protocol):
    """A publisher that reads a chat one message at a time through a probe chat (Telegram has
    no history API); the reconciler paces it (publishing/probe.py)."""

    probe_chat: str | None

    def forward_probe(self, destination: Destination, message_id: int) -> ProbeCopy | None:
        """Forward one message to the probe chat, read the copy and delete it; None when the
        message does not exist (deleted, or not posted yet)."""
        ...
