"""One Bot API call in progress and the argument checks every sending method shares."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from distributor.sandbox.clock import Clock
from distributor.sandbox.flood import FloodControl
from distributor.sandbox.telegram.protocol import BotApiError, TelegramArgs, bad_request, to_bool
from distributor.sandbox.telegram.state import Chat, TelegramState
from distributor.sandbox.telegram.webhook import WebhookDelivery
from distributor.telegram_html.entities import MessageEntity, TelegramTextError
from distributor.telegram_html.text import format_text

_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "copy_text",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
        "pay",
    }
)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


class Described(NamedTuple):
    """A result that comes with a ``description`` (setWebhook, deleteWebhook)."""

    result: Any
    description: str


@dataclass
class BotCall:
    """Everything a method handler may use."""

    token: str
    args: TelegramArgs
    state: TelegramState
    clock: Clock
    flood: FloodControl | None
    long_poll_max_s: float
    webhooks: WebhookDelivery

    @property
    def account(self) -> int:
        """The bot's user id: the digits before the colon of its token."""
        return int(self.token.split(":", 1)[0])

    def now(self) -> int:
        """Sandbox time as a Bot API ``date``."""
        return int(self.clock.now())

    def admit(self, chat: Chat, count: int) -> None:
        """Flood control: ``Too Many Requests: retry after N`` beyond Telegram's limits."""
        if self.flood is None:
            return
        paid = to_bool(self.args.arg("allow_paid_broadcast"))
        retry = self.flood.admit(self.clock.now(), self.token, chat.id, chat.spec.type, count, paid)
        if retry is not None:
            raise BotApiError(429, f"retry after {retry}", {"retry_after": retry})


def formatted(args: TelegramArgs, text: str, *, caption: bool) -> tuple[str, list[MessageEntity]]:
    """``text`` parsed with the call's ``parse_mode`` (or its explicit entities) and checked."""
    prefix = "caption_" if caption else ""
    mode = args.arg("parse_mode")
    try:
        plain, entities = format_text(text, mode, caption=caption)
    except TelegramTextError as exc:
        raise bad_request(exc.description) from exc
    explicit = args.json_arg(f"{prefix}entities", "entities")
    if explicit is not None and not mode:
        entities = explicit_entities(explicit, plain)
    return plain, entities


def explicit_entities(value: Any, plain: str) -> list[MessageEntity]:
    """``entities`` given as JSON instead of a parse mode."""
    if not isinstance(value, list):
        raise bad_request("can't parse entities JSON object")
    size = len(plain.encode("utf-16-le")) // 2
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request("can't parse MessageEntity: Can't find field \"type\"")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be a valid Number')
        if offset + length > size:
            raise bad_request(
                f"entity beginning at UTF-16 offset {offset} ends after the end of the text "
                f"at UTF-16 offset {offset + length}"
            )
        extra = {k: str(item[k]) for k in ("url", "language", "custom_emoji_id") if k in item}
        out.append(MessageEntity(item["type"], offset, length, **extra))
    return out


def _valid_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https", "tg") and bool(parts.netloc or parts.scheme == "tg")


def reply_markup(args: TelegramArgs) -> Any:
    """The ``reply_markup`` argument, validated like the Bot API validates inline keyboards."""
    markup = args.json_arg("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for button in (b for row in rows for b in row):
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise bad_request(prefix + "expected an Object")
        if not isinstance(button.get("text"), str):
            raise bad_request(prefix + 'Can\'t find field "text"')
        if not _BUTTON_ACTIONS & button.keys():
            raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        if "url" in button and not _valid_url(button["url"]):
            raise bad_request("BUTTON_URL_INVALID")
        data = button.get("callback_data")
        if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
            raise bad_request("BUTTON_DATA_INVALID")
    return markup


def link_preview_options(args: TelegramArgs) -> Any:
    """``link_preview_options`` (or the legacy ``disable_web_page_preview``)."""
    options = args.json_arg("link_preview_options", "link preview options")
    if options is None:
        return {"is_disabled": True} if to_bool(args.arg("disable_web_page_preview")) else None
    if not isinstance(options, dict):
        raise bad_request("object expected as link preview options")
    return options


def send_options(args: TelegramArgs) -> dict[str, bool]:
    """The delivery flags the inspection API shows."""
    flags = ("disable_notification", "protect_content", "allow_paid_broadcast")
    return {flag: to_bool(args.arg(flag)) for flag in flags}


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A photo argument: a file Telegram holds (id and size), or a URL to fetch first."""

    file_id: str = ""
    size: int = 0
    url: str = ""


# what Telegram answers for a photo URL it could not use: sendPhoto's description (Client.cpp
# fail_query_with_error) and the server's code that sendMediaGroup quotes for one item
_URL_REFUSALS = {
    "unreachable": ("failed to get HTTP URL content", "WEBPAGE_CURL_FAILED"),
    "wrong_type": ("wrong type of the web page content", "WEBPAGE_MEDIA_EMPTY"),
    "too_big": ("wrong file identifier/HTTP URL specified", "WEBPAGE_CURL_FAILED"),
}


def input_photo(call: BotCall, value: str, field: str) -> PhotoRef | None:
    """The photo given as upload, ``attach://``, file id or URL (None: none given)."""
    state = call.state
    data = call.args.files.get(
        value[len("attach://") :] if value.startswith("attach://") else field
    )
    if data is not None and (not value or value.startswith("attach://")):
        if not data:
            raise bad_request("file must be non-empty")
        if not data.startswith(_IMAGE_MAGIC) and data[8:12] != b"WEBP":
            raise bad_request("IMAGE_PROCESS_FAILED")
        return PhotoRef(state.new_file_id(), len(data))
    if not value or value.startswith("attach://"):
        return None
    if value in state.file_ids or value.removesuffix("-s") in state.file_ids:
        return PhotoRef(value.removesuffix("-s"), 65_536)
    if _valid_url(value) and not value.startswith("tg:"):
        return PhotoRef(url=value)
    raise bad_request("wrong file identifier/HTTP URL specified")


async def photo_file(call: BotCall, photo: PhotoRef, item: int = 0) -> tuple[str, int]:
    """(file id, size) of a photo; a URL is fetched now, after the call's other checks, as
    Telegram's servers fetch it (``item``: its 1-based place in an album)."""
    if not photo.url:
        return photo.file_id, photo.size
    answer = await call.state.photo_urls.take(photo.url, call.clock.now())
    if answer.outcome != "image":
        description, code = _URL_REFUSALS[answer.outcome]
        if item:
            raise bad_request(f'failed to send message #{item} with the error message "{code}"')
        raise bad_request(description)
    return call.state.new_file_id(), answer.size


def parse_json_list(args: TelegramArgs, name: str) -> list[Any]:
    """A required JSON array argument (``media``)."""
    raw = args.required(name)
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"can't parse {name} JSON object") from exc
    if not isinstance(value, list):
        raise bad_request("expected an Array of InputMedia")
    return value
