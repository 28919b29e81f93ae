"""The inspection API under ``/sandbox``: what was posted, chats, updates, faults, config."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from distributor.sandbox.config import ChatSpec, FloodLimits, XOperation, XTier, XUsageCap, XWindow
from distributor.sandbox.faults import FaultSpec
from distributor.sandbox.flood import FloodControl
from distributor.sandbox.state import Sandbox
from distributor.sandbox.telegram.state import StoredMessage
from distributor.sandbox.x.state import METRICS


class ChatPatch(BaseModel):
    """Flags to change on an existing chat."""

    model_config = ConfigDict(extra="forbid")

    blocked: bool | None = None
    bot_removed: bool | None = None
    migrate_to_chat_id: int | None = None


class UserMessage(BaseModel):
    """A message a reader sends to the bot in a private chat (returned by getUpdates)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4096)
    user_id: int = Field(default=1000, gt=0)
    first_name: str = "Reader"
    username: str | None = None


class ConfigPatch(BaseModel):
    """Runtime switches."""

    model_config = ConfigDict(extra="forbid")

    flood_control: bool | None = None
    flood: FloodLimits | None = None
    x_tier: XTier | None = None
    x_limits: dict[XOperation, list[XWindow]] | None = None
    x_usage_cap: XUsageCap | None = None


class ClockMove(BaseModel):
    """How far to move the sandbox clock."""

    model_config = ConfigDict(extra="forbid")

    advance_seconds: float = Field(ge=0, le=10 * 365 * 86400)


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"offset": 0, "length": len(command.encode("utf-16-le")) // 2, "type": "bot_command"}]


def inspect_router(sandbox: Sandbox) -> APIRouter:
    """Routes for tests and the demo to look inside and steer ``sandbox``.

    Every handler is ``async`` so that it runs on the event loop, like the platform routes:
    the state is never touched from FastAPI's thread pool.
    """
    router = APIRouter(prefix="/sandbox")

    @router.get("/telegram/messages")
    async def messages(
        chat_id: int | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        return [
            m.listing()
            for m in sandbox.telegram.messages.values()
            if (chat_id is None or m.chat_id == chat_id)
            and (since is None or m.received_at > since)
        ]

    @router.get("/telegram/chats")
    async def chats() -> list[ChatSpec]:
        return [chat.spec for chat in sandbox.telegram.chats.values()]

    @router.post("/telegram/chats", status_code=201)
    async def create_chat(spec: ChatSpec) -> ChatSpec:
        return sandbox.telegram.upsert_chat(spec).spec

    @router.patch("/telegram/chats/{chat_id}")
    async def patch_chat(chat_id: int, patch: ChatPatch) -> ChatSpec:
        chat = sandbox.telegram.chats.get(chat_id)
        if chat is None:
            raise HTTPException(404, f"no chat {chat_id}")
        changes = patch.model_dump(exclude_unset=True)
        return sandbox.telegram.upsert_chat(chat.spec.model_copy(update=changes)).spec

    @router.post("/telegram/updates", status_code=201)
    async def inject(message: UserMessage) -> dict[str, Any]:
        state = sandbox.telegram
        user = {"id": message.user_id, "is_bot": False, "first_name": message.first_name}
        if message.username:
            user["username"] = message.username
        if message.user_id not in state.chats:
            state.upsert_chat(
                ChatSpec(
                    id=message.user_id,
                    type="private",
                    username=message.username,
                    title=message.first_name,
                )
            )
        stored = state.add_message(
            StoredMessage(
                message.user_id, 0, int(sandbox.clock.now()), False, text=message.text, sender=user
            )
        )
        chat = {"id": message.user_id, "type": "private", "first_name": message.first_name}
        if message.username:
            chat["username"] = message.username
        payload = {
            "message_id": stored.message_id,
            "from": user,
            "chat": chat,
            "date": stored.date,
            "text": message.text,
        }
        if entities := _command_entities(message.text):
            payload["entities"] = entities
        return state.add_update({"message": payload})

    @router.get("/x/tweets")
    async def tweets(
        author_id: str | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        state = sandbox.x
        return [
            t.listing(state.account(t.author_id).username)
            for t in state.tweets.values()
            if (author_id is None or t.author_id == author_id)
            and (since is None or t.received_at > since)
        ]

    @router.get("/x/windows")
    async def windows() -> list[dict[str, Any]]:
        return sandbox.x_windows.listing(sandbox.clock.now())

    @router.get("/x/usage")
    async def usage() -> list[dict[str, Any]]:
        return sandbox.x_windows.usage()

    @router.get("/x/media")
    async def media() -> list[dict[str, Any]]:
        return [m.listing() for m in sandbox.x.media.values()]

    @router.post("/x/tweets/{tweet_id}/metrics")
    async def set_metrics(tweet_id: str, metrics: dict[str, int]) -> dict[str, Any]:
        tweet = sandbox.x.tweets.get(tweet_id)
        if tweet is None:
            raise HTTPException(404, f"no tweet {tweet_id}")
        unknown = metrics.keys() - set(METRICS)
        if unknown or any(v < 0 for v in metrics.values()):
            raise HTTPException(422, f"metrics are non-negative ints among {list(METRICS)}")
        tweet.metrics.update(metrics)
        return tweet.listing(sandbox.x.account(tweet.author_id).username)

    @router.post("/faults", status_code=201)
    async def add_fault(spec: FaultSpec) -> list[FaultSpec]:
        sandbox.faults.add(spec)
        return sandbox.faults.pending()

    @router.get("/faults")
    async def faults() -> list[FaultSpec]:
        return sandbox.faults.pending()

    @router.delete("/faults")
    async def clear_faults() -> list[FaultSpec]:
        sandbox.faults.clear()
        return []

    @router.get("/config")
    async def config() -> dict[str, Any]:
        return sandbox.config.model_dump(exclude={"chats"})

    @router.patch("/config")
    async def patch_config(patch: ConfigPatch) -> dict[str, Any]:
        changes = {k: getattr(patch, k) for k in patch.model_fields_set}
        changes = {k: v for k, v in changes.items() if v is not None or k == "x_usage_cap"}
        sandbox.config = sandbox.config.model_copy(
            update={**changes, "flood": patch.flood or sandbox.config.flood}
        )
        if patch.flood is not None:
            sandbox.flood = FloodControl(patch.flood)
        return sandbox.config.model_dump(exclude={"chats"})

    @router.post("/clock")
    async def clock(move: ClockMove) -> dict[str, float]:
        return {"now": sandbox.clock.advance(move.advance_seconds)}

    @router.post("/reset")
    async def reset() -> dict[str, bool]:
        sandbox.reset()
        return {"ok": True}

    return router
