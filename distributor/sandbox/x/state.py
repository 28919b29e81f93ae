"""What the emulated X knows: accounts, tweets (with metrics) and uploaded media."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TWEPOCH_MS = 1288834974657  # X's snowflake epoch
MEDIA_TTL_S = 24 * 3600  # "expires_after_secs": media must be used within a day
METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)


@dataclass
class Account:
    """An X user (created the first time its access token is seen)."""

    id: str
    username: str
    name: str

    def data(self) -> dict[str, str]:
        """The v2 ``User`` object with default fields."""
        return {"id": self.id, "name": self.name, "username": self.username}


@dataclass
class Media:
    """An uploaded image, usable by its owner until it expires (and, when it came in
    segments, once finalized)."""

    id: str
    owner: str
    expires_at: float
    size: int
    media_type: str = "image/jpeg"
    category: str = "tweet_image"
    total_bytes: int = 0
    chunked: bool = False
    finalized: bool = True
    segments: dict[int, bytes] = field(default_factory=dict)
    alt_text: str | None = None

    def usable(self, now: float) -> bool:
        """Whether a tweet may cite it now: complete and not expired."""
        return self.finalized and self.expires_at > now

    def listing(self) -> dict[str, Any]:
        """The inspection view (``GET /sandbox/x/media``)."""
        return {
            "id": self.id, "owner": self.owner, "size": self.size, "media_type": self.media_type,
            "media_category": self.category, "chunked": self.chunked,
            "finalized": self.finalized, "alt_text": self.alt_text, "expires_at": self.expires_at,
        }  # fmt: skip


@dataclass
class Tweet:
    """A posted tweet; ``text`` is what X returns (URLs as t.co), ``posted`` what was sent."""

    id: str
    text: str
    posted: str
    author_id: str
    created_at: float
    urls: list[dict[str, Any]]
    media_ids: list[str]
    reply_to: str | None = None
    quoted: str | None = None  # the id of the tweet this one quotes
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    deleted: bool = False
    received_at: float = field(default_factory=time.time)  # wall clock, for latency benches

    def data(self, fields: set[str]) -> dict[str, Any]:
        """The v2 ``Tweet`` object with the default fields plus ``tweet.fields``."""
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "edit_history_tweet_ids": [self.id],
        }
        if "author_id" in fields:
            out["author_id"] = self.author_id
        if "created_at" in fields:
            stamp = datetime.fromtimestamp(self.created_at, UTC)
            out["created_at"] = (
                stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
            )
        if "public_metrics" in fields:
            out["public_metrics"] = dict(self.metrics)
        if "entities" in fields and self.urls:
            out["entities"] = {"urls": [dict(u) for u in self.urls]}
        if "attachments" in fields and self.media_ids:
            out["attachments"] = {"media_keys": [f"3_{m}" for m in self.media_ids]}
        if "conversation_id" in fields:
            out["conversation_id"] = self.id
        if "in_reply_to_user_id" in fields and self.reply_to:
            out["in_reply_to_user_id"] = self.reply_to
        if "referenced_tweets" in fields and self.quoted:
            out["referenced_tweets"] = [{"type": "quoted", "id": self.quoted}]
        return out

    def listing(self, username: str) -> dict[str, Any]:
        """The inspection view (``GET /sandbox/x/tweets``)."""
        return {
            **self.data(
                {"author_id", "created_at", "public_metrics", "entities", "referenced_tweets"}
            ),
            "username": username,
            "posted_text": self.posted,
            "media_ids": self.media_ids,
            "deleted": self.deleted,
            "received_at": self.received_at,
        }


class XState:
    """All X-side state of one sandbox."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.tweets: dict[str, Tweet] = {}
        self._live_texts: Counter[tuple[str, str]] = Counter()  # (author, posted text)
        self.media: dict[str, Media] = {}
        self._last_id = 0

    def account(self, user_id: str) -> Account:
        """The account with this id, created on first sight."""
        if user_id not in self.accounts:
            self.accounts[user_id] = Account(
                user_id, f"sandbox{user_id[-8:]}", f"Sandbox {user_id}"
            )
        return self.accounts[user_id]

    def next_id(self, now: float) -> str:
        """A snowflake-like id: milliseconds since X's epoch, shifted, strictly increasing."""
        candidate = (int(now * 1000) - TWEPOCH_MS) << 22
        self._last_id = max(candidate, self._last_id + 1)
        return str(self._last_id)

    def add(self, tweet: Tweet) -> None:
        """Keep a new tweet."""
        self.tweets[tweet.id] = tweet
        self._live_texts[(tweet.author_id, tweet.posted)] += 1

    def delete(self, tweet: Tweet) -> None:
        """Mark a tweet deleted (it stays listed for inspection)."""
        if not tweet.deleted:
            tweet.deleted = True
            self._live_texts[(tweet.author_id, tweet.posted)] -= 1

    def is_duplicate(self, user_id: str, text: str) -> bool:
        """Whether the user has a live tweet with exactly this text (in constant time)."""
        return self._live_texts[(user_id, text)] > 0

    def timeline(self, user_id: str) -> list[Tweet]:
        """The user's live tweets, newest first."""
        mine = [t for t in self.tweets.values() if t.author_id == user_id and not t.deleted]
        return sorted(mine, key=lambda t: int(t.id), reverse=True)
