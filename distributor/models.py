"""The data that flows through the pipeline; every model is frozen."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

EventType = Literal["article.published", "article.updated", "article.unpublished"]
Platform = Literal["telegram", "x"]


def check_web_url(value: str) -> str:
    """Accept only absolute http(s) URLs with a host; refuse javascript:, data:, relative ones."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"URL scheme must be http or https, not {parts.scheme or 'none'!r}")
    if not parts.hostname:
        raise ValueError("URL has no host")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError("URL contains whitespace or control characters")
    return value


WebUrl = Annotated[str, StringConstraints(max_length=2048), AfterValidator(check_web_url)]
ArticleId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
ShortText = Annotated[str, StringConstraints(max_length=1000)]
Handle = Annotated[str, StringConstraints(pattern=r"^@?[A-Za-z0-9_]{1,20}$")]  # an X screen name


class Article(BaseModel):
    """An article as the CMS describes it (docs/architecture.md, "Event")."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    id: ArticleId
    url: WebUrl
    title: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    excerpt: Annotated[str, StringConstraints(max_length=100_000)] = ""
    author: ShortText = ""
    category: ShortText = ""
    tags: tuple[ShortText, ...] = Field(default=(), max_length=100)
    image_url: WebUrl | None = None
    image_alt: ShortText = ""  # the featured image's alt text (WordPress: the media's alt_text)
    published_at: AwareDatetime
    revision: int = Field(default=1, ge=1, le=2**53)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = "id"
    # X budget: breaking news goes ahead of every other post and may use the reserve
    breaking: bool = False


class ArticleEvent(BaseModel):
    """What the CMS sends: an event type and the article it concerns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: EventType
    article: Article

    @property
    def event_id(self) -> str:
        """Stable id: the same article, revision and type always give the same id."""
        raw = f"{self.type}\x00{self.article.id}\x00{self.article.revision}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


class UpdatePolicy(StrEnum):
    """What to do with a destination's post when the article changes."""

    EDIT = "edit"  # edit in place where the platform allows, else do nothing
    REPOST = "repost"  # post the new revision as a new post
    IGNORE = "ignore"  # leave the first post alone


class InDoubtPolicy(StrEnum):
    """How the reconciler treats an in-doubt delivery it cannot verify."""

    HOLD = "hold"  # keep in_doubt and tell the managers
    ASSUME_SENT = "assume_sent"  # record as sent without a message id


def parse_duration(value: object) -> object:
    """``"3h"``, ``"90m"``, ``"45s"`` or a number of seconds, as seconds (routing files)."""
    if isinstance(value, str) and (match := _DURATION.fullmatch(value.strip().lower())):
        return float(match.group(1)) * _UNITS[match.group(2) or "s"]
    return value


_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(h|m|s)?")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0}
Seconds = Annotated[float, BeforeValidator(parse_duration), Field(gt=0, le=7 * 86_400)]


class Destination(BaseModel):
    """One place a post goes: a Telegram chat or an X account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    platform: Platform
    target: str = Field(min_length=1, max_length=128)  # chat id / @username, or X account name
    template: str | None = None
    language: str = "id"
    on_update: UpdatePolicy = UpdatePolicy.EDIT
    on_in_doubt: InDoubtPolicy = InDoubtPolicy.HOLD
    # X budget: which account posts (``X_NEWSROOM`` reads DISTRIBUTOR_X_NEWSROOM_ACCESS_TOKEN
    # and friends; no secret is ever written here), and how late a post may still go out
    credentials: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,47}$")] | None = None
    max_delay: Seconds | None = None  # None: the platform's default (X: a few hours)
    # operators (X): handles an automated post may @mention; any other is neutralised
    allow_mentions: tuple[Handle, ...] = ()


class RenderedPost(BaseModel):
    """A post ready for one platform call; what the formatter produces."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    method: Literal["sendMessage", "sendPhoto", "tweet"]
    text: str
    parse_mode: Literal["HTML"] | None = None
    photo_url: str | None = None
    reply_markup: dict[str, Any] | None = None
    link_preview_options: dict[str, Any] | None = None
    article_url: str | None = None  # Telegram: what a refused photo's text fallback previews
    quote_id: str | None = None  # managers: an X reshare that quotes this post of ours
    # operators (X): handles kept from being @mentions, the image's alt text, uploaded media
    neutralised_mentions: tuple[str, ...] = ()
    alt_text: str | None = None
    media_ids: tuple[str, ...] = ()


class DeliveryState(StrEnum):
    """Ledger states (docs/architecture.md, "Ledger")."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"
    DELETED = "deleted"
    SKIPPED = "skipped"  # not posted: it could not go out within the destination's max_delay


class Delivery(BaseModel):
    """The ledger's record of one (article, destination, revision), or of one reshare of it."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    destination: str
    revision: int
    state: DeliveryState
    message_ids: tuple[str, ...] = ()
    attempts: int = 0
    error: str | None = None
    updated_at: datetime | None = None
    created_at: datetime | None = None  # first written: max_delay counts from here
    reshare: str | None = None  # managers: the reshare this delivery posts (docs/managers.md)
