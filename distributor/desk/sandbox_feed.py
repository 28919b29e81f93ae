"""What the sandbox holds, read over its inspection API (docs/sandbox.md) for the desk's
Sandbox page: the product never imports the sandbox, it asks it over HTTP like a test does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from distributor.errors import DistributorError

SHOWN = 30  # newest messages per chat, and tweets


class SandboxUnreachable(DistributorError):
    """The sandbox did not answer its inspection API."""


@dataclass(frozen=True)
class ChatFeed:
    """One chat and its newest messages, newest first (so a watched demo needs no scrolling)."""

    chat: dict[str, Any]
    messages: tuple[dict[str, Any], ...]

    @property
    def name(self) -> str:
        """The chat's title, else its @username, else its id."""
        return str(self.chat.get("title") or self.chat.get("username") or self.chat["id"])

    @property
    def slug(self) -> str:
        """The chat's part of a post anchor (``queries.anchor``)."""
        username = self.chat.get("username")
        return str(username).lstrip("@").lower() if username else str(self.chat["id"])


@dataclass(frozen=True)
class Feed:
    """Every chat with its messages, and the X timeline newest first."""

    chats: tuple[ChatFeed, ...]
    tweets: tuple[dict[str, Any], ...]


class SandboxFeed:
    """Reads ``/sandbox/telegram/chats``, ``/sandbox/telegram/messages``, ``/sandbox/x/tweets``."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def _get(self, path: str) -> list[dict[str, Any]]:
        try:
            response = self._client.get(path)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SandboxUnreachable(f"the sandbox at {self._client.base_url} said: {exc}") from exc
        found: list[dict[str, Any]] = response.json()
        return found

    def read(self) -> Feed:
        """The whole feed, three requests."""
        chats = self._get("/sandbox/telegram/chats")
        messages = self._get("/sandbox/telegram/messages")
        tweets = self._get("/sandbox/x/tweets")
        by_chat: dict[int, list[dict[str, Any]]] = {}
        for message in messages:
            by_chat.setdefault(int(message["chat_id"]), []).append(message)
        feeds = tuple(
            ChatFeed(chat, tuple(reversed(by_chat.get(int(chat["id"]), [])[-SHOWN:])))
            for chat in chats
            if chat.get("type") != "private" or by_chat.get(int(chat["id"]))
        )
        timeline = tuple(sorted(tweets, key=lambda t: int(t["id"]), reverse=True)[:SHOWN])
        return Feed(feeds, timeline)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
