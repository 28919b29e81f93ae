"""Sandbox configuration: pre-created chats, flood limits, X tier, windows and usage cap
(pydantic, JSON-friendly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChatType = Literal["private", "group", "supergroup", "channel"]
XTier = Literal["free", "basic", "pro", "unlimited"]
XOperation = Literal[
    "create_tweet", "delete_tweet", "get_tweets", "get_users_tweets", "get_me", "media_upload"
]


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
    # channel: the bot's administrator rights (tdlib's can_post / edit / delete_messages)
    can_post_messages: bool = True
    can_edit_messages: bool = True
    can_delete_messages: bool = True
    # group, supergroup: what the bot may send there (ChatPermissions; a restricted bot)
    can_send_messages: bool = True
    can_send_photos: bool = True


class FloodLimits(BaseModel):
    """Telegram's published flood limits (see docs/sandbox.md); tests may shrink them."""

    model_config = ConfigDict(extra="forbid")

    bot_per_second: float = Field(default=30.0, gt=0)
    chat_per_second: float = Field(default=1.0, gt=0)
    chat_burst: int = Field(default=3, ge=1)
    group_per_minute: float = Field(default=20.0, gt=0)
    paid_per_second: float = Field(default=1000.0, gt=0)


class XWindow(BaseModel):
    """One window the sandbox enforces on an X operation, per user or per app.

    ``headers`` is the family that reports it: ``24hour`` (``x-user-limit-24hour-*`` /
    ``x-app-limit-24hour-*``) or ``rate`` (``x-rate-limit-*``); by default 24hour for a window
    of a day, else rate. Tests shrink ``seconds`` and keep the family.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scope: Literal["user", "app"]
    requests: int = Field(ge=1, le=10_000_000)
    seconds: int = Field(ge=1, le=31 * 86_400)
    headers: Literal["rate", "24hour"] | None = None

    @property
    def family(self) -> str:
        """``rate`` or ``24hour``."""
        return self.headers or ("24hour" if self.seconds == 86_400 else "rate")


class XUsageCap(BaseModel):
    """X's usage cap on a project (per app): posts per period, then 429 ``UsageCapExceeded``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    posts: int = Field(ge=0, le=10_000_000)
    seconds: int = Field(default=30 * 86_400, ge=1, le=31 * 86_400)


class SandboxConfig(BaseModel):
    """Everything a sandbox starts with; ``POST /sandbox/reset`` returns to it."""

    model_config = ConfigDict(extra="forbid")

    flood_control: bool = True
    flood: FloodLimits = Field(default_factory=FloodLimits)
    x_tier: XTier = "basic"
    x_limits: dict[XOperation, list[XWindow]] = Field(default_factory=dict)  # replace the tier's
    x_usage_cap: XUsageCap | None = None
    chats: list[ChatSpec] = Field(default_factory=list)
    long_poll_max_s: float = Field(default=50.0, ge=0)  # Bot API caps getUpdates timeout at 50
