"""Bot API methods that post, edit and delete messages."""

from __future__ import annotations

import secrets
from typing import Any

from distributor.sandbox.telegram.call import (
    BotCall,
    PhotoRef,
    formatted,
    input_photo,
    link_preview_options,
    parse_json_list,
    photo_file,
    reply_markup,
    send_options,
)
from distributor.sandbox.telegram.objects import forward_origin, message_json, photo_sizes
from distributor.sandbox.telegram.protocol import TelegramArgs, bad_request, to_integer
from distributor.sandbox.telegram.state import DELETE_WINDOW_S, Chat, StoredMessage
from distributor.telegram_html.entities import CaptionTooLong, TelegramTextError

ALBUM_MAX = 10
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def send_message(call: BotCall) -> dict[str, Any]:
    """sendMessage."""
    args = call.args
    preview = link_preview_options(args)
    text = args.arg("text")
    if not text:
        raise bad_request("message text is empty")
    plain, entities = formatted(args, text, caption=False)
    markup = reply_markup(args)
    chat = _target(call, "text")
    call.admit(chat, 1)
    return _post(call, chat, text=plain, entities=entities, reply_markup=markup,
                 link_preview_options=preview)  # fmt: skip


async def send_photo(call: BotCall) -> dict[str, Any]:
    """sendPhoto (a photo by URL is fetched after the chat's checks)."""
    args = call.args
    photo = input_photo(call, args.arg("photo"), "photo")
    if photo is None:
        raise bad_request("there is no photo in the request")
    plain, entities = formatted(args, args.arg("caption"), caption=True)
    markup = reply_markup(args)
    chat = _target(call, "photo")
    file = await photo_file(call, photo)
    call.admit(chat, 1)
    return _post(call, chat, caption=plain, entities=entities, photo=photo_sizes(*file),
                 reply_markup=markup)  # fmt: skip


async def send_media_group(call: BotCall) -> list[dict[str, Any]]:
    """sendMediaGroup (photos; URLs fetched after the chat's checks)."""
    args = call.args
    items = [_album_item(call, item) for item in parse_json_list(args, "media")]
    if not items:
        raise bad_request("there are no messages to send")
    if len(items) > ALBUM_MAX:
        raise bad_request("too many messages to send as an album")
    chat = _target(call, "photo")
    files = [await photo_file(call, photo, n) for n, (photo, _) in enumerate(items, 1)]
    call.admit(chat, len(items))
    group_id = str(secrets.randbits(62))
    album = zip(files, items, strict=True)
    return [
        _post(call, chat, caption=caption, entities=entities, photo=photo_sizes(*file),
              media_group_id=group_id)
        for file, (_, (caption, entities)) in album
    ]  # fmt: skip


def edit_message_text(call: BotCall) -> dict[str, Any]:
    """editMessageText."""
    args = call.args
    chat, message_id = _edit_target(args, call)
    preview = link_preview_options(args)
    text = args.arg("text")
    if not text:
        raise bad_request("message text is empty")
    plain, entities = formatted(args, text, caption=False)
    markup = reply_markup(args)
    message = _editable(call, chat, message_id)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    if (plain, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    call.admit(chat, 1)  # edits share the per-chat limits with sends
    _record_edit(call, message)
    message.text, message.entities, message.reply_markup = plain, entities, markup
    message.link_preview_options = preview
    return message_json(message, chat, call.token)


def edit_message_caption(call: BotCall) -> dict[str, Any]:
    """editMessageCaption."""
    args = call.args
    chat, message_id = _edit_target(args, call)
    plain, entities = formatted(args, args.arg("caption"), caption=True)
    markup = reply_markup(args)
    message = _editable(call, chat, message_id)
    if message.photo is None:
        raise bad_request("there is no caption in the message to edit")
    if (plain, entities, markup) == (message.caption, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    call.admit(chat, 1)  # edits share the per-chat limits with sends
    _record_edit(call, message)
    message.caption, message.entities, message.reply_markup = plain, entities, markup
    return message_json(message, chat, call.token)


def edit_message_reply_markup(call: BotCall) -> dict[str, Any]:
    """editMessageReplyMarkup (the inline keyboard alone; none removes it)."""
    chat, message_id = _edit_target(call.args, call)
    markup = reply_markup(call.args)
    message = _editable(call, chat, message_id)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    call.admit(chat, 1)  # edits share the per-chat limits with sends
    _record_edit(call, message)
    message.reply_markup = markup
    return message_json(message, chat, call.token)


def delete_message(call: BotCall) -> bool:
    """deleteMessage."""
    chat = call.state.resolve(call.args.arg("chat_id"))
    chat.check_send(posting=False)
    message = call.state.find(chat, to_integer(call.args.arg("message_id")), "delete")
    if call.now() - message.date > DELETE_WINDOW_S:
        raise bad_request("message can't be deleted")
    chat.check_change("delete")
    message.deleted = True
    return True


def forward_message(call: BotCall) -> dict[str, Any]:
    """forwardMessage: a copy of a message (text or photo and caption) with its origin."""
    args = call.args
    source = call.state.resolve(args.required("from_chat_id"))
    source.check_send(posting=False)
    original = call.state.find(source, to_integer(args.arg("message_id")), "forward")
    if original.options.get("protect_content"):
        raise bad_request("message can't be forwarded")
    chat = _target(call, "photo" if original.photo else "text")
    call.admit(chat, 1)
    copy = StoredMessage(
        chat.id,
        0,
        call.now(),
        True,
        text=original.text,
        caption=original.caption,
        entities=list(original.entities),
        photo=original.photo,
        reply_markup=_url_buttons(original.reply_markup),
        options=send_options(args),
        forward_origin=forward_origin(original, source, call.token),
    )
    return message_json(call.state.add_message(copy, call.account), chat, call.token)


def _post(call: BotCall, chat: Chat, **fields: Any) -> dict[str, Any]:
    """A new message from the bot in ``chat``, numbered as Telegram numbers it, as JSON."""
    message = StoredMessage(chat.id, 0, call.now(), True, options=send_options(call.args), **fields)
    return message_json(call.state.add_message(message, call.account), chat, call.token)


def _url_buttons(markup: Any) -> Any:
    """What a forward keeps of an inline keyboard: its URL buttons (callbacks need the bot)."""
    rows = (markup or {}).get("inline_keyboard") or []
    kept = [[b for b in row if "url" in b] for row in rows]
    kept = [row for row in kept if row]
    return {"inline_keyboard": kept} if kept else None


def _target(call: BotCall, content: str) -> Chat:
    chat = call.state.resolve(call.args.arg("chat_id"))
    chat.check_send(posting=True)
    chat.check_rights(content)
    return chat


def _edit_target(args: TelegramArgs, call: BotCall) -> tuple[Chat, int]:
    if args.arg("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # the sandbox has no inline messages
    if not args.arg("chat_id"):
        raise bad_request("message identifier is not specified")
    chat = call.state.resolve(args.arg("chat_id"))
    chat.check_send(posting=False)
    return chat, to_integer(args.arg("message_id"))


def _editable(call: BotCall, chat: Chat, message_id: int) -> StoredMessage:
    message = call.state.find(chat, message_id, "edit")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    chat.check_change("edit")
    return message


def _record_edit(call: BotCall, message: StoredMessage) -> None:
    previous = {
        "text": message.text,
        "caption": message.caption,
        "date": message.edit_date or message.date,
    }
    message.edits.append(previous)
    message.edit_date = call.now()


def _album_item(call: BotCall, item: Any) -> tuple[PhotoRef, tuple[str, list[Any]]]:
    def refuse(reason: str) -> Exception:
        return bad_request(f"can't parse InputMedia: {reason}")

    if not isinstance(item, dict):
        raise refuse("expected an Object")
    caption, mode = item.get("caption", ""), item.get("parse_mode", "")
    if not isinstance(caption, str) or not isinstance(mode, str):
        raise refuse('Field "caption" must be of type String')
    inner = TelegramArgs({"parse_mode": mode})
    try:
        text = formatted(inner, caption, caption=True)
    except Exception as exc:
        cause = exc.__cause__
        if isinstance(cause, CaptionTooLong) or not isinstance(cause, TelegramTextError):
            raise
        raise refuse(cause.description[:1].upper() + cause.description[1:]) from exc
    kind = item.get("type")
    if not isinstance(kind, str):
        raise refuse('Can\'t find field "type"')
    if kind == "animation":
        raise refuse('type "animation" can\'t be used in sendMediaGroup')
    if kind in ("video", "audio", "document"):
        raise refuse(f'type "{kind}" is not emulated by the sandbox')
    if kind != "photo":
        raise refuse(f'type "{kind}" is unsupported')
    media = item.get("media")
    photo = input_photo(call, media, "") if isinstance(media, str) else None
    if photo is None:
        raise refuse("media not found")
    return photo, text
