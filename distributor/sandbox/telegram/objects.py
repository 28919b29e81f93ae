"""Bot API objects (User, Chat, ChatFullInfo, Message, PhotoSize) as JSON."""

from __future__ import annotations

import hashlib
from typing import Any

from distributor.sandbox.telegram.state import Chat, StoredMessage

_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def bot_id_of(token: str) -> int:
    """The bot's user id: the digits before the colon of its token."""
    return int(token.split(":", 1)[0])


def bot_user(token: str) -> dict[str, Any]:
    """The ``User`` that getMe returns for this token."""
    bot_id = bot_id_of(token)
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "Sandbox Bot",
        "username": f"sandbox{bot_id}_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def chat_json(chat: Chat) -> dict[str, Any]:
    """The short ``Chat`` object embedded in messages."""
    spec = chat.spec
    out: dict[str, Any] = {"id": spec.id, "type": spec.type}
    if spec.type == "private":
        out["first_name"] = spec.title or f"User {spec.id}"
    else:
        out["title"] = spec.title or f"Sandbox {spec.type} {spec.id}"
    if spec.username:
        out["username"] = spec.username.lstrip("@")
    return out


def chat_full_json(chat: Chat) -> dict[str, Any]:
    """The ``ChatFullInfo`` that getChat returns."""
    return {
        **chat_json(chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": _GIFTS,
    }


def photo_sizes(file_id: str, size: int) -> list[dict[str, Any]]:
    """The ``PhotoSize`` list Telegram returns for one stored photo (thumbnail and full)."""
    unique = hashlib.sha256(file_id.encode()).hexdigest()[:16]
    return [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": f"{unique}s",
            "file_size": max(1, size // 8),
            "width": 90,
            "height": 60,
        },
        {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": size,
            "width": 1280,
            "height": 853,
        },
    ]


def forward_origin(message: StoredMessage, chat: Chat, token: str) -> dict[str, Any]:
    """The ``MessageOrigin`` of a copy of ``message`` (a channel post, or the bot's own)."""
    if chat.spec.type == "channel":
        return {
            "type": "channel",
            "date": message.date,
            "chat": chat_json(chat),
            "message_id": message.message_id,
        }
    user = message.sender or {
        k: v for k, v in bot_user(token).items() if k in ("id", "is_bot", "first_name", "username")
    }
    return {"type": "user", "date": message.date, "sender_user": user}


def message_json(message: StoredMessage, chat: Chat, token: str) -> dict[str, Any]:
    """The ``Message`` object for ``message``."""
    out: dict[str, Any] = {"message_id": message.message_id, "date": message.date}
    if message.sender is not None:
        out["from"] = message.sender
    elif chat.spec.type == "channel":
        out["sender_chat"] = chat_json(chat)
    else:
        out["from"] = {
            k: v
            for k, v in bot_user(token).items()
            if k in ("id", "is_bot", "first_name", "username")
        }
    out["chat"] = chat_json(chat)
    if message.forward_origin is not None:
        out["forward_origin"] = message.forward_origin
    if message.edit_date is not None:
        out["edit_date"] = message.edit_date
    if message.media_group_id is not None:
        out["media_group_id"] = message.media_group_id
    entities = [e.to_json() for e in message.entities]
    if message.text is not None:
        out["text"] = message.text
        if entities:
            out["entities"] = entities
        if message.link_preview_options:
            out["link_preview_options"] = message.link_preview_options
    if message.photo is not None:
        out["photo"] = message.photo
        if message.caption:
            out["caption"] = message.caption
            if entities:
                out["caption_entities"] = entities
    if message.reply_markup:
        out["reply_markup"] = message.reply_markup
    return out
