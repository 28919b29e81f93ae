"""What the emulated Telegram knows: chats, messages (with edits and deletions), updates."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from distributor.sandbox.config import ChatSpec
from distributor.sandbox.telegram.photo_urls import PhotoUrls
from distributor.sandbox.telegram.protocol import BotApiError, bad_request, to_integer
from distributor.telegram_html.entities import MessageEntity

# update types (Client.h UpdateType) and those delivered only when asked for in allowed_updates
UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
        "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost", "message_reaction", "message_reaction_count",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "purchased_paid_media",
    }
)  # fmt: skip
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DELETE_WINDOW_S = 48 * 3600  # "A message can only be deleted if it was sent less than 48 hours ago"
_KICKED = {
    "channel": "bot is not a member of the channel chat",
    "group": "bot was kicked from the group chat",
    "supergroup": "bot was kicked from the supergroup chat",
}


@dataclass
class StoredMessage:
    """One message in a chat, as the inspection API lists it."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    text: str | None = None
    caption: str | None = None
    entities: list[MessageEntity] = field(default_factory=list)
    photo: list[dict[str, Any]] | None = None
    media_group_id: str | None = None
    reply_markup: Any = None
    link_preview_options: Any = None
    options: dict[str, bool] = field(default_factory=dict)
    sender: dict[str, Any] | None = None  # the user who wrote it, for injected updates
    forward_origin: dict[str, Any] | None = None  # where a forwarded copy came from
    edit_date: int | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    received_at: float = field(default_factory=time.time)  # wall clock, for latency benches

    def listing(self) -> dict[str, Any]:
        """The inspection view (``GET /sandbox/telegram/messages``)."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "date": self.date,
            "from_bot": self.from_bot,
            "text": self.text,
            "caption": self.caption,
            "entities": [e.to_json() for e in self.entities],
            "photo": self.photo[-1]["file_id"] if self.photo else None,
            "media_group_id": self.media_group_id,
            "reply_markup": self.reply_markup,
            "link_preview_options": self.link_preview_options,
            **self.options,
            "edited": bool(self.edits),
            "edits": self.edits,
            "deleted": self.deleted,
            "forwarded": self.forward_origin is not None,
            "received_at": self.received_at,
        }


@dataclass
class CallbackQuery:
    """A pressed inline button: who, on which message, and the bot's answer once given."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None

    def listing(self) -> dict[str, Any]:
        """The inspection view (``GET /sandbox/telegram/callbacks``)."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "answered": self.answer is not None,
            "answer": self.answer,
        }


@dataclass
class Webhook:
    """The bot's webhook (empty ``url``: none) and how delivering to it went."""

    url: str = ""
    secret_token: str = ""
    certificate: bytes | None = None  # an uploaded self-signed certificate to trust
    max_connections: int = 40
    last_error_date: int = 0
    last_error_message: str = ""
    wake: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Chat:
    """A chat and the flags that make Telegram refuse to deliver into it."""

    spec: ChatSpec

    @property
    def id(self) -> int:
        """The chat id."""
        return self.spec.id

    def check_send(self, *, posting: bool) -> None:
        """Refuse as Telegram does for a migrated group, a removed bot or a blocking user."""
        spec = self.spec
        if spec.migrate_to_chat_id is not None:
            raise BotApiError(
                400,
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": spec.migrate_to_chat_id},
            )
        if spec.bot_removed and spec.type in _KICKED:
            raise BotApiError(403, _KICKED[spec.type])
        if posting and spec.deactivated and spec.type == "private":
            raise BotApiError(403, "user is deactivated")
        if posting and spec.blocked and spec.type == "private":
            raise BotApiError(403, "bot was blocked by the user")

    def check_rights(self, content: str) -> None:
        """Refuse a ``text`` or ``photo`` message as tdlib does when the bot may not post it:
        no 'Post messages' right in a channel (``can_send_message_to_dialog``), restricted
        from sending that content in a group (``can_send_message_content``)."""
        spec = self.spec
        if spec.type == "channel" and not spec.can_post_messages:
            raise bad_request("need administrator rights in the channel chat")
        if spec.type not in ("group", "supergroup"):
            return
        if content == "photo" and not spec.can_send_photos:
            raise bad_request("not enough rights to send photos to the chat")
        if content == "text" and not spec.can_send_messages:
            raise bad_request("not enough rights to send text messages to the chat")

    def check_change(self, purpose: str) -> None:
        """In a channel the bot edits (``purpose`` ``edit``) or deletes its own post with the
        'Post messages' right, or with 'Edit' / 'Delete messages of others' (tdlib
        ``can_edit_message``, ``can_delete_channel_message``)."""
        spec = self.spec
        other = spec.can_edit_messages if purpose == "edit" else spec.can_delete_messages
        if spec.type == "channel" and not (spec.can_post_messages or other):
            raise bad_request("message can't be " + ("edited" if purpose == "edit" else "deleted"))


class TelegramState:
    """All Telegram-side state of one sandbox (shared by every bot token)."""

    def __init__(self, chats: list[ChatSpec]) -> None:
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self._next_id: dict[tuple[str, int], int] = {}
        self.updates: list[dict[str, Any]] = []
        self._next_update = 1
        self.poll_generation = 0
        self.webhook = Webhook()
        self.allowed_updates = UPDATE_TYPES - NOT_BY_DEFAULT
        self.callbacks: dict[str, CallbackQuery] = {}
        self.last_token = ""  # the bot token of the latest Bot API call (callback messages)
        self.file_ids: set[str] = set()
        self.photo_urls = PhotoUrls()
        self.commands: list[Any] = []
        self.update_arrived = asyncio.Event()
        for spec in chats:
            self.upsert_chat(spec)

    def upsert_chat(self, spec: ChatSpec) -> Chat:
        """Create or replace a chat; a migration target supergroup is created too."""
        chat = self.chats[spec.id] = Chat(spec)
        target = spec.migrate_to_chat_id
        if target is not None and target not in self.chats:
            self.chats[target] = Chat(ChatSpec(id=target, type="supergroup", title=spec.title))
        return chat

    def resolve(self, chat_id: str) -> Chat:
        """The chat named by ``chat_id`` (number or ``@username``), or ``chat not found``."""
        if not chat_id:
            raise bad_request("chat_id is empty")
        if chat_id.startswith("@"):
            name = chat_id[1:].lower()
            for chat in self.chats.values():
                username = (chat.spec.username or "").lstrip("@").lower()
                if username == name and chat.spec.type in ("channel", "supergroup"):
                    return chat
            raise bad_request("chat not found")
        found = self.chats.get(to_integer(chat_id))
        if found is None:
            raise bad_request("chat not found")
        return found

    def add_message(self, message: StoredMessage, account: int) -> StoredMessage:
        """Give ``message`` its id and keep it. Channels and supergroups number their messages
        per chat; private chats and basic groups are numbered per account (here the bot
        ``account``), one counter across all of them, as Telegram does: ids in such a chat
        jump by whatever the bot sent elsewhere meanwhile."""
        chat = self.chats.get(message.chat_id)
        per_chat = chat is None or chat.spec.type in ("channel", "supergroup")
        counter = ("chat", message.chat_id) if per_chat else ("account", account)
        message_id = self._next_id.get(counter, 0) + 1
        while (message.chat_id, message_id) in self.messages:  # two bots in one sandbox chat
            message_id += 1
        message.message_id = self._next_id[counter] = message_id
        self.messages[(message.chat_id, message.message_id)] = message
        return message

    def find(self, chat: Chat, message_id: int, purpose: str) -> StoredMessage:
        """A live message, or ``message to <purpose> not found``."""
        message = self.messages.get((chat.id, message_id))
        if message is None or message.deleted:
            raise bad_request(f"message to {purpose} not found")
        return message

    def new_file_id(self) -> str:
        """A fresh Bot API style file id, remembered so it can be sent again."""
        file_id = "AgACAgIAAxkBAAI" + secrets.token_urlsafe(48)
        self.file_ids.add(file_id)
        return file_id

    def add_update(self, update: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update for getUpdates or the webhook and wake them; None when its type is
        not among the bot's ``allowed_updates`` (Telegram drops it: ``add_update_impl``)."""
        if not update.keys() & self.allowed_updates:
            return None
        update = {"update_id": self._next_update, **update}
        self._next_update += 1
        self.updates.append(update)
        self.update_arrived.set()
        self.webhook.wake.set()
        return update

    def set_allowed_updates(self, raw: str) -> None:
        """``allowed_updates`` of getUpdates / setWebhook, read as ``get_allowed_update_types``:
        absent or unreadable keeps the previous setting; an array naming no known type (``[]``)
        restores the default; names are case-insensitive."""
        try:
            names = json.loads(raw) if raw else None
        except ValueError:
            return
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return
        chosen = UPDATE_TYPES & {n.lower() for n in names}
        self.allowed_updates = frozenset(chosen) or UPDATE_TYPES - NOT_BY_DEFAULT

    def confirm(self, offset: int) -> None:
        """Forget updates before ``offset`` (a negative one keeps only the last ``-offset``)."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]
