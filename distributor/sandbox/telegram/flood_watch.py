"""The storm check (issue 13): after the Bot API answers a chat with 429 ``retry_after`` R (its
flood control or an injected fault), every call to that chat before R has passed is early.

Hooked where the Bot API answers (``api.py``): ``called`` before each method runs, ``answered``
after; ``GET /sandbox/telegram/flood`` shows the counts, the chats blocked now and the early
calls. A ``POST /sandbox/reset`` (a new ``TelegramState``) starts it over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from distributor.sandbox.state import Sandbox

MAX_EARLY = 1000  # early calls kept for inspection (all are counted)


@dataclass
class FloodWatch:
    """Which chats a 429 blocked until when, and the calls that came before that."""

    refusals: int = 0  # 429s answered
    calls: int = 0  # calls that named a chat
    early_count: int = 0
    blocked: dict[str, float] = field(default_factory=dict)  # chat → blocked until (sandbox time)
    early: list[dict[str, Any]] = field(default_factory=list)
    _world: int = 0  # id() of the TelegramState watched; a reset starts over

    def called(self, sandbox: Sandbox, chat: str | None, method: str) -> None:
        """A call naming ``chat`` (its ``chat_id``) arrived: early if the chat is blocked."""
        self._follow(sandbox)
        if chat is None:
            return
        self.calls += 1
        now, key = sandbox.clock.now(), _chat_key(sandbox, chat)
        until = self.blocked.get(key, 0.0)
        if now < until:
            self.early_count += 1
            if len(self.early) < MAX_EARLY:
                self.early.append({"chat": key, "method": method, "at": now, "until": until})

    def answered(self, sandbox: Sandbox, chat: str | None, response: Response) -> None:
        """The answer went out: a 429 with ``retry_after`` blocks the chat from now."""
        if response.status_code != 429 or chat is None:
            return
        self.refusals += 1
        try:
            retry = json.loads(bytes(response.body))["parameters"]["retry_after"]
        except (ValueError, KeyError, TypeError):
            return
        key, until = _chat_key(sandbox, chat), sandbox.clock.now() + float(retry)
        self.blocked[key] = max(self.blocked.get(key, 0.0), until)

    def report(self, sandbox: Sandbox) -> dict[str, Any]:
        """What ``GET /sandbox/telegram/flood`` answers."""
        self._follow(sandbox)
        now = sandbox.clock.now()
        return {
            "refusals": self.refusals,
            "calls": self.calls,
            "early_count": self.early_count,
            "blocked_now": {chat: until for chat, until in self.blocked.items() if until > now},
            "early": self.early,
        }

    def _follow(self, sandbox: Sandbox) -> None:
        if id(sandbox.telegram) != self._world:
            self.refusals = self.calls = self.early_count = 0
            self.blocked.clear()
            self.early.clear()
            self._world = id(sandbox.telegram)


def _chat_key(sandbox: Sandbox, chat: str) -> str:
    """The chat's numeric id when the sandbox knows it (``@username`` resolved), else as given."""
    try:
        return str(sandbox.telegram.resolve(chat).id)
    except Exception:  # an unknown chat: the call is refused anyway, keep the name
        return chat


def flood_router(sandbox: Sandbox, watch: FloodWatch) -> APIRouter:
    """``GET /sandbox/telegram/flood``: the storm check's counts (docs/sandbox.md)."""
    router = APIRouter(prefix="/sandbox")

    @router.get("/telegram/flood")
    async def flood() -> dict[str, Any]:
        return watch.report(sandbox)

    return router
