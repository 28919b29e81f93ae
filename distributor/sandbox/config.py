"""Sandbox configuration: pre-created chats, flood limits, X tier (pydantic, JSON-friendly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChatType = Literal["private", "group", "supergroup", "channel"]
XTier = Literal["free", "basic", "pro", "unlimited"]


class ChatSpec(BaseModel):
    """A Telegram chat the bot can reach; the flags make it refuse the way Telegram does."""

    model_config = ConfigDict(extra="forbid")

    id: int
    type: ChatType = "channel"
    username: str | None = Field(default=None, pattern=r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
    title: str | None = None
    blocked: bool = False  # private chat: the user blocked the bot
    deactivated: bool = False  # private chat: the user deleted their account
    bot_removed: bool = False  # group, supergroup, channel: the bot was kicked / removed
    migrate_to_chat_id: int | None = None  # group upgraded to this supergroup


class FloodLimits(BaseModel):
    """Telegram's published flood limits (see docs/sandbox.md); tests may shrink them."""

    model_config = ConfigDict(extra="forbid")

    bot_per_second: float = Field(default=30.0, gt=0)
    chat_per_second: float = Field(default=1.0, gt=0)
    chat_burst: int = Field(default=3, ge=1)
    group_per_minute: float = Field(default=20.0, gt=0)
    paid_per_second: float = Field(default=1000.0, gt=0)


class SandboxConfig(BaseModel):
    """Everything a sandbox starts with; ``POST /sandbox/reset`` returns to it."""

    model_config = ConfigDict(extra="forbid")

    flood_control: bool = True
    flood: FloodLimits = Field(default_factory=FloodLimits)
    x_tier: XTier = "basic"
    chats: list[ChatSpec] = Field(default_factory=list)
    long_poll_max_s: float = Field(default=50.0, ge=0)  # Bot API caps getUpdates timeout at 50
