"""The inspection API under ``/sandbox``: what was posted, chats, people's updates (messages,
button presses, reactions), callback answers, faults, config."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from distributor.sandbox.config import ChatSpec, FloodLimits, XOperation, XTier, XUsageCap, XWindow
from distributor.sandbox.faults import FaultSpec
from distributor.sandbox.flood import FloodControl
from distributor.sandbox.state import Sandbox
from distributor.sandbox.telegram import inject
from distributor.sandbox.telegram.photo_urls import PhotoOutcome
from distributor.sandbox.x.state import METRICS


class ChatPatch(BaseModel):
    """Flags to change on an existing chat."""

    model_config = ConfigDict(extra="forbid")

    blocked: bool | None = None
    deactivated: bool | None = None
    bot_removed: bool | None = None
    migrate_to_chat_id: int | None = None
    can_post_messages: bool | None = None
    can_edit_messages: bool | None = None
    can_delete_messages: bool | None = None
    can_send_messages: bool | None = None
    can_send_photos: bool | None = None


class PhotoUrlMark(BaseModel):
    """What a photo URL answers from now on, whether the sandbox can reach it or not."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048)
    outcome: PhotoOutcome


class InjectedUpdate(BaseModel):
    """Something a person does that the bot hears about: exactly one of ``text`` (a message to
    the bot, in their private chat or the group ``chat_id``), ``callback_data`` (pressing that
    inline button under the bot's message ``message_id``), ``reactions`` (a channel post's new
    anonymous totals, emoji → count) or ``new_reaction`` (a user's own reaction change)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, max_length=4096)
    callback_data: str | None = Field(default=None, min_length=1, max_length=64)
    reactions: dict[str, int] | None = None
    new_reaction: list[str] | None = None
    old_reaction: list[str] = Field(default_factory=list)
    chat_id: int | None = None
    message_id: int | None = Field(default=None, gt=0)
    user_id: int = Field(default=1000, gt=0)
    first_name: str = Field(default="Reader", min_length=1, max_length=64)
    username: str | None = None
    language_code: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")

    @model_validator(mode="after")
    def _one_kind(self) -> InjectedUpdate:
        kinds = [self.text, self.callback_data, self.reactions, self.new_reaction]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError("give exactly one of text, callback_data, reactions, new_reaction")
        if self.text is None and self.message_id is None:
            raise ValueError("message_id is required for a callback or a reaction")
        if (self.reactions is not None or self.new_reaction is not None) and self.chat_id is None:
            raise ValueError("chat_id is required for a reaction")
        if self.reactions is not None and any(n < 0 for n in self.reactions.values()):
            raise ValueError("reaction counts are non-negative")
        return self

    def user(self) -> dict[str, Any]:
        """The ``User`` object of the person."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


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


def _inject(sandbox: Sandbox, body: InjectedUpdate) -> dict[str, Any] | None:
    state, now, user = sandbox.telegram, int(sandbox.clock.now()), body.user()
    if body.text is not None:
        return inject.user_message(state, now, user, body.text, body.chat_id)
    assert body.message_id is not None
    chat_id = user["id"] if body.chat_id is None else body.chat_id
    if body.callback_data is not None:
        return inject.callback(state, user, chat_id, body.message_id, body.callback_data)
    if body.reactions is not None:
        return inject.reaction_count(state, now, chat_id, body.message_id, body.reactions)
    assert body.new_reaction is not None
    return inject.reaction(
        state, now, user, chat_id, body.message_id, body.old_reaction, body.new_reaction
    )


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

    @router.post("/telegram/chats/bulk", status_code=201)
    async def create_chats(specs: list[ChatSpec]) -> dict[str, int]:
        for spec in specs:
            sandbox.telegram.upsert_chat(spec)
        return {"created": len(specs)}

    @router.patch("/telegram/chats/{chat_id}")
    async def patch_chat(chat_id: int, patch: ChatPatch) -> ChatSpec:
        chat = sandbox.telegram.chats.get(chat_id)
        if chat is None:
            raise HTTPException(404, f"no chat {chat_id}")
        changes = patch.model_dump(exclude_unset=True)
        was_blocked = chat.spec.blocked
        chat = sandbox.telegram.upsert_chat(chat.spec.model_copy(update=changes))
        if chat.spec.type == "private" and chat.spec.blocked and not was_blocked:
            inject.blocked(sandbox.telegram, int(sandbox.clock.now()), chat)
        return chat.spec

    @router.post("/telegram/updates", status_code=201)
    async def inject_update(body: InjectedUpdate, response: Response) -> dict[str, Any]:
        try:
            update = _inject(sandbox, body)
        except inject.InjectError as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        if update is None:
            response.status_code = 200
            return {"queued": False, "reason": "not among the bot's allowed_updates"}
        return update

    @router.post("/telegram/photo_urls", status_code=201)
    async def mark_photo_url(mark: PhotoUrlMark) -> PhotoUrlMark:
        sandbox.telegram.photo_urls.mark(mark.url, mark.outcome)
        return mark

    @router.get("/telegram/photo_urls")
    async def photo_urls() -> list[dict[str, object]]:
        urls = sandbox.telegram.photo_urls
        marked: list[dict[str, object]] = [
            {"url": u, "outcome": o, "source": "marked"} for u, o in urls.marked.items()
        ]
        return [answer.listing(url) for url, answer in urls.cache.items()] + marked

    @router.get("/telegram/callbacks")
    async def callbacks() -> list[dict[str, Any]]:
        return [query.listing() for query in sandbox.telegram.callbacks.values()]

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
