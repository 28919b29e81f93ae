"""What a refusal or failure of one reader message means (python-telegram-bot's exceptions).

A reader who blocked the bot or deleted their account, a group that removed it or a chat
that no longer exists is *gone* (removed and counted); a group upgraded to a supergroup is
*migrated* (followed); a flood answer or a request that surely never reached Telegram is
*retry*; any other refusal is *refused* (recorded, never retried); an answer lost after the
request went out is *doubt* (never sent again blindly).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)

from distributor.audience.readers.subscriptions import RemovalReason
from distributor.errors import ConfigError, InDoubt, TransientError
from distributor.publishers.telegram import classify
from distributor.publishers.telegram_aiohttp import NOT_SENT

Verdict = Literal["gone", "migrated", "retry", "refused", "doubt", "done"]
# what a delete or an edit may answer for a message that is gone or too old: nothing to do
GONE_MESSAGE = (
    "message to delete not found",
    "message can't be deleted",
    "message to edit not found",
    "message can't be edited",
    "message is not modified",
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed call, decided."""

    verdict: Verdict
    reason: str
    removal: RemovalReason | None = None
    retry_after: float = 0.0
    new_chat: int = 0


def judge(exc: TelegramError) -> Failure:
    """Decide a failed call (``ConfigError`` for a token Telegram rejects)."""
    if isinstance(exc, InvalidToken):
        raise ConfigError(f"the bot token was rejected: {exc.message}") from exc
    if isinstance(exc, ChatMigrated):
        return Failure("migrated", exc.message, new_chat=int(exc.new_chat_id))
    text = exc.message.lower()
    if isinstance(exc, Forbidden):
        return Failure("gone", exc.message, _removal(text))
    if isinstance(exc, BadRequest):
        if "chat not found" in text:
            return Failure("gone", exc.message, "not_found")
        if any(gone in text for gone in GONE_MESSAGE):
            return Failure("done", exc.message)
        return Failure("refused", exc.message)
    if isinstance(exc, NetworkError) and isinstance(exc.__cause__, NOT_SENT):
        return Failure("retry", f"Telegram unreachable: {exc.message}")
    mapped = classify(exc)
    if isinstance(mapped, TransientError):
        return Failure("retry", str(mapped), retry_after=mapped.retry_after or 0.0)
    if isinstance(mapped, InDoubt):
        return Failure("doubt", str(mapped))
    return Failure("refused", str(mapped))


def _removal(text: str) -> RemovalReason:
    if "deactivated" in text:
        return "deactivated"
    if "blocked" in text:
        return "blocked"
    return "kicked"
