"""Updates the sandbox makes on behalf of people: a reader's message, a pressed inline button,
reactions on a post, a user blocking the bot. Shapes as telegram-bot-api builds them
(``JsonCallbackQuery``, ``JsonMessageReactionUpdated``, ``JsonMessageReactionCountUpdated``,
``JsonChatMemberUpdated``)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from distributor.errors import DistributorError
from distributor.sandbox.config import ChatSpec
from distributor.sandbox.telegram.objects import bot_id_of, bot_user, chat_json, message_json
from distributor.sandbox.telegram.state import CallbackQuery, Chat, StoredMessage, TelegramState

_PLACEHOLDER_TOKEN = "1:sandbox-bot-that-never-called-the-api"  # noqa: S105 (not a secret)


class InjectError(DistributorError):
    """The injected update names something the sandbox does not have (HTTP ``status``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def user_message(
    state: TelegramState, now: int, user: dict[str, Any], text: str, chat_id: int | None
) -> dict[str, Any] | None:
    """A user writes ``text`` to the bot: in their private chat (created when new) or in the
    group ``chat_id``; a ``/command`` carries its ``bot_command`` entity."""
    if chat_id is None or chat_id == user["id"]:
        chat = state.chats.get(user["id"]) or state.upsert_chat(
            ChatSpec(
                id=user["id"], type="private", username=user.get("username"),
                title=user["first_name"],
            )
        )  # fmt: skip
    else:
        chat = _chat(state, chat_id)
    account = bot_id_of(state.last_token or _PLACEHOLDER_TOKEN)
    message = StoredMessage(chat.id, 0, now, False, text=text, sender=user)
    stored = state.add_message(message, account)
    payload = {
        "message_id": stored.message_id,
        "from": user,
        "chat": chat_json(chat),
        "date": now,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        size = len(command.encode("utf-16-le")) // 2
        payload["entities"] = [{"offset": 0, "length": size, "type": "bot_command"}]
    return state.add_update({"message": payload})


def callback(
    state: TelegramState, user: dict[str, Any], chat_id: int, message_id: int, data: str
) -> dict[str, Any] | None:
    """The user presses the inline button with ``callback_data == data`` under a bot message."""
    chat = _chat(state, chat_id)
    message = _message(state, chat, message_id)
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    if not message.from_bot or all(b.get("callback_data") != data for r in rows for b in r):
        raise InjectError(422, f"message {message_id} has no button with callback_data {data!r}")
    query = CallbackQuery(str(secrets.randbits(63)), user["id"], chat.id, message_id, data)
    state.callbacks[query.id] = query
    instance = hashlib.sha256(f"{chat.id}".encode()).hexdigest()[:16]
    token = state.last_token or _PLACEHOLDER_TOKEN
    payload = {
        "id": query.id,
        "from": user,
        "message": message_json(message, chat, token),
        "chat_instance": str(int(instance, 16) >> 1),
        "data": data,
    }
    return state.add_update({"callback_query": payload})


def reaction_count(
    state: TelegramState, now: int, chat_id: int, message_id: int, counts: Mapping[str, int]
) -> dict[str, Any] | None:
    """Anonymous reactions on a channel post as Telegram reports them: the new totals."""
    chat = _chat(state, chat_id)
    _message(state, chat, message_id)
    reactions = [
        {"type": _emoji(emoji), "total_count": total} for emoji, total in counts.items() if total
    ]
    payload = {"chat": chat_json(chat), "message_id": message_id, "date": now}
    return state.add_update({"message_reaction_count": {**payload, "reactions": reactions}})


def reaction(
    state: TelegramState,
    now: int,
    user: dict[str, Any],
    chat_id: int,
    message_id: int,
    old: Sequence[str],
    new: Sequence[str],
) -> dict[str, Any] | None:
    """A user changes their reaction to a message (``old`` → ``new`` emoji)."""
    chat = _chat(state, chat_id)
    _message(state, chat, message_id)
    payload = {
        "chat": chat_json(chat),
        "message_id": message_id,
        "user": user,
        "date": now,
        "old_reaction": [_emoji(e) for e in old],
        "new_reaction": [_emoji(e) for e in new],
    }
    return state.add_update({"message_reaction": payload})


def blocked(state: TelegramState, now: int, chat: Chat) -> dict[str, Any] | None:
    """The user of a private chat blocks the bot: ``my_chat_member`` with status ``kicked``."""
    bot = {k: v for k, v in bot_user(state.last_token or _PLACEHOLDER_TOKEN).items()
           if k in ("id", "is_bot", "first_name", "username")}  # fmt: skip
    user = {"id": chat.id, "is_bot": False, "first_name": chat.spec.title or f"User {chat.id}"}
    payload = {
        "chat": chat_json(chat),
        "from": user,
        "date": now,
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
    }
    return state.add_update({"my_chat_member": payload})


def _emoji(emoji: str) -> dict[str, str]:
    return {"type": "emoji", "emoji": emoji}


def _chat(state: TelegramState, chat_id: int) -> Chat:
    chat = state.chats.get(chat_id)
    if chat is None:
        raise InjectError(404, f"no chat {chat_id}")
    return chat


def _message(state: TelegramState, chat: Chat, message_id: int) -> StoredMessage:
    message = state.messages.get((chat.id, message_id))
    if message is None or message.deleted:
        raise InjectError(404, f"no message {message_id} in chat {chat.id}")
    return message
