"""A real telegram.Bot against the live sandbox: what it posts, and every refusal it must raise."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telegram
from telegram import InputMediaPhoto
from telegram.error import BadRequest, ChatMigrated, EndPointNotFound, Forbidden, InvalidToken

from tests.support.sandbox import CHANNEL, GROUP, PNG, PRIVATE, call, messages

Run = Any


def test_send_message_is_stored_with_html_entities(bot_run: Run, control: httpx.Client) -> None:
    async def go(bot: telegram.Bot) -> telegram.Message:
        return await bot.send_message(
            CHANNEL,
            '<b>Breaking</b>: <a href="https://example.com/a">read</a>',
            parse_mode="HTML",
            disable_notification=True,
            link_preview_options=telegram.LinkPreviewOptions(is_disabled=True),
            reply_markup=telegram.InlineKeyboardMarkup(
                [[telegram.InlineKeyboardButton("Share", url="https://example.com/s")]]
            ),
        )

    sent = bot_run(go)
    assert sent.text == "Breaking: read"
    assert sent.chat.id == CHANNEL and sent.sender_chat is not None
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 8),
        ("text_link", 10, 4),
    ]
    [stored] = messages(control, CHANNEL)
    assert stored["message_id"] == sent.message_id
    assert stored["text"] == "Breaking: read"
    assert stored["disable_notification"] is True
    assert stored["link_preview_options"] == {"is_disabled": True}
    assert stored["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.com/s"
    assert stored["deleted"] is False and stored["edited"] is False


def test_username_chat_id_photo_and_album(bot_run: Run, control: httpx.Client) -> None:
    async def go(bot: telegram.Bot) -> list[telegram.Message]:
        photo = await bot.send_photo("@sandboxnews", PNG, caption="<i>Cap</i>", parse_mode="HTML")
        album = await bot.send_media_group(
            CHANNEL,
            [InputMediaPhoto(PNG, caption="one"), InputMediaPhoto(photo.photo[-1].file_id)],
        )
        return [photo, *album]

    photo, first, second = bot_run(go)
    assert photo.caption == "Cap" and photo.caption_entities[0].type == "italic"
    assert first.media_group_id == second.media_group_id is not None
    assert second.photo[-1].file_id == photo.photo[-1].file_id
    listed = messages(control, CHANNEL)
    assert [m["caption"] for m in listed] == ["Cap", "one", ""]
    assert [m["message_id"] for m in listed] == [1, 2, 3]


def test_edit_then_delete(bot_run: Run, control: httpx.Client) -> None:
    control.patch("/sandbox/config", json={"flood_control": False})  # four messages at once

    async def go(bot: telegram.Bot) -> tuple[Any, bool]:
        sent = await bot.send_message(GROUP, "v1")
        edited = await bot.edit_message_text("<b>v2</b>", GROUP, sent.message_id, parse_mode="HTML")
        photo = await bot.send_photo(GROUP, PNG, caption="c1")
        await bot.edit_message_caption(GROUP, photo.message_id, caption="c2")
        return edited, await bot.delete_message(GROUP, sent.message_id)

    edited, deleted = bot_run(go)
    assert edited.text == "v2" and edited.edit_date is not None
    assert deleted is True
    text, photo = messages(control, GROUP)
    assert text["deleted"] is True and text["text"] == "v2"
    assert text["edits"][0]["text"] == "v1"
    assert photo["caption"] == "c2" and photo["edits"][0]["caption"] == "c1"


def test_get_me_and_get_chat(bot_run: Run) -> None:
    async def go(bot: telegram.Bot) -> tuple[telegram.User, telegram.ChatFullInfo]:
        return await bot.get_me(), await bot.get_chat("@sandboxnews")

    me, chat = bot_run(go)
    assert me.id == 123456789 and me.is_bot
    assert chat.id == CHANNEL and chat.type == "channel" and chat.username == "sandboxnews"


def refusal(bot_run: Run, fn: Any, exc: type[Exception]) -> Exception:
    """The exception ``fn(bot)`` raises (which must be ``exc``)."""
    with pytest.raises(exc) as info:
        bot_run(fn)
    return info.value


def test_malformed_token_raises_invalid_token(bot_run: Run, control: httpx.Client) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        bot_run(lambda bot: bot.get_me(), token="123:too-short")
    raw = control.post("/bot123:too-short/getMe")
    assert raw.status_code == 401
    assert raw.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_unknown_method_is_not_found(bot_run: Run) -> None:
    refusal(bot_run, lambda bot: bot.do_api_request("sendTelepathy"), EndPointNotFound)


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("<blink>x</blink>", 'unsupported start tag "blink" at byte offset 0'),
        ("<b>never closed", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ],
)
def test_html_parse_errors_raise_bad_request(bot_run: Run, html: str, message: str) -> None:
    error = refusal(
        bot_run, lambda bot: bot.send_message(CHANNEL, html, parse_mode="HTML"), BadRequest
    )
    assert str(error).lower() == f"can't parse entities: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 4097, "Message is too long"),
        ("", "Message text is empty"),
        ("<b> </b>", "Text must be non-empty"),
    ],
)
def test_text_limits_raise_bad_request(bot_run: Run, text: str, message: str) -> None:
    error = refusal(
        bot_run, lambda bot: bot.send_message(CHANNEL, text, parse_mode="HTML"), BadRequest
    )
    assert str(error) == message


def test_text_at_the_limit_after_parsing_is_accepted(bot_run: Run) -> None:
    text = "<b>" + "é" * 4096 + "</b>\n\n"
    sent = bot_run(lambda bot: bot.send_message(CHANNEL, text, parse_mode="HTML"))
    assert len(sent.text) == 4096


def test_caption_too_long_raises_bad_request(bot_run: Run) -> None:
    error = refusal(
        bot_run, lambda bot: bot.send_photo(CHANNEL, PNG, caption="c" * 1025), BadRequest
    )
    assert str(error) == "Message caption is too long"


def test_album_of_eleven_raises_bad_request(bot_run: Run) -> None:
    media = [InputMediaPhoto(PNG) for _ in range(11)]
    error = refusal(bot_run, lambda bot: bot.send_media_group(CHANNEL, media), BadRequest)
    assert str(error) == "Too many messages to send as an album"


def test_empty_album_is_refused(control: httpx.Client) -> None:
    # PTB cannot even build an empty album (IndexError), so send the raw call.
    raw = call(control, "sendMediaGroup", chat_id=CHANNEL, media="[]")
    assert raw.status_code == 400
    assert raw.json()["description"] == "Bad Request: there are no messages to send"


def test_unknown_chat_raises_bad_request(bot_run: Run) -> None:
    error = refusal(bot_run, lambda bot: bot.send_message(-100999, "x"), BadRequest)
    assert str(error) == "Chat not found"


def test_identical_edit_raises_not_modified(bot_run: Run) -> None:
    async def go(bot: telegram.Bot) -> Any:
        sent = await bot.send_message(CHANNEL, "<b>same</b>", parse_mode="HTML")
        return await bot.edit_message_text(
            "<b>same</b>", CHANNEL, sent.message_id, parse_mode="HTML"
        )

    error = refusal(bot_run, go, BadRequest)
    assert str(error).startswith("Message is not modified: specified new message content")


def test_edit_and_delete_of_missing_messages_raise_bad_request(bot_run: Run) -> None:
    edit = refusal(bot_run, lambda bot: bot.edit_message_text("x", CHANNEL, 77), BadRequest)
    delete = refusal(bot_run, lambda bot: bot.delete_message(CHANNEL, 77), BadRequest)
    assert str(edit) == "Message to edit not found"
    assert str(delete) == "Message to delete not found"


def test_delete_after_48_hours_is_refused(bot_run: Run, control: httpx.Client) -> None:
    sent = bot_run(lambda bot: bot.send_message(CHANNEL, "old news"))
    control.post("/sandbox/clock", json={"advance_seconds": 48 * 3600 + 1}).raise_for_status()
    error = refusal(bot_run, lambda bot: bot.delete_message(CHANNEL, sent.message_id), BadRequest)
    assert str(error) == "Message can't be deleted"


def test_user_who_blocked_the_bot_raises_forbidden(bot_run: Run, control: httpx.Client) -> None:
    control.patch(f"/sandbox/telegram/chats/{PRIVATE}", json={"blocked": True}).raise_for_status()
    error = refusal(bot_run, lambda bot: bot.send_message(PRIVATE, "hello"), Forbidden)
    assert str(error) == "Forbidden: bot was blocked by the user"


def test_bot_removed_from_channel_raises_forbidden(bot_run: Run, control: httpx.Client) -> None:
    control.patch(f"/sandbox/telegram/chats/{CHANNEL}", json={"bot_removed": True})
    error = refusal(bot_run, lambda bot: bot.send_message(CHANNEL, "hello"), Forbidden)
    assert str(error) == "Forbidden: bot is not a member of the channel chat"


def test_migrated_group_raises_chat_migrated(bot_run: Run, control: httpx.Client) -> None:
    control.patch(f"/sandbox/telegram/chats/{GROUP}", json={"migrate_to_chat_id": -1009})
    error = refusal(bot_run, lambda bot: bot.send_message(GROUP, "hello"), ChatMigrated)
    assert isinstance(error, ChatMigrated) and error.new_chat_id == -1009
    sent = bot_run(lambda bot: bot.send_message(error.new_chat_id, "hello"))
    assert sent.chat.type == "supergroup"


def test_forward_copies_a_channel_post_with_its_origin(bot_run: Run, control: httpx.Client) -> None:
    async def go(bot: telegram.Bot) -> tuple[telegram.Message, telegram.Message]:
        keyboard = [[telegram.InlineKeyboardButton("Open", url="https://e.com/a"),
                     telegram.InlineKeyboardButton("Like", callback_data="like")]]  # fmt: skip
        post = await bot.send_photo(
            CHANNEL, PNG, caption='<a href="https://e.com/a">Read</a>', parse_mode="HTML",
            reply_markup=telegram.InlineKeyboardMarkup(keyboard),
        )  # fmt: skip
        return post, await bot.forward_message(GROUP, CHANNEL, post.message_id)

    post, copy = bot_run(go)
    assert copy.chat.id == GROUP and copy.caption == "Read"
    assert copy.caption_entities[0].url == "https://e.com/a"
    assert copy.reply_markup is not None  # URL buttons travel with a forward, callbacks do not
    assert [[b.text for b in row] for row in copy.reply_markup.inline_keyboard] == [["Open"]]
    origin = copy.forward_origin
    assert isinstance(origin, telegram.MessageOriginChannel)
    assert origin.chat.id == CHANNEL and origin.message_id == post.message_id
    assert origin.date == post.date
    assert [m["forwarded"] for m in messages(control, CHANNEL)] == [False]
    assert [m["forwarded"] for m in messages(control, GROUP)] == [True]


def test_forward_of_a_missing_or_protected_message_is_refused(bot_run: Run) -> None:
    missing = refusal(bot_run, lambda bot: bot.forward_message(GROUP, CHANNEL, 77), BadRequest)
    assert str(missing) == "Message to forward not found"
    sent = bot_run(lambda bot: bot.send_message(CHANNEL, "members only", protect_content=True))
    protected = refusal(
        bot_run, lambda bot: bot.forward_message(GROUP, CHANNEL, sent.message_id), BadRequest
    )
    assert str(protected) == "Message can't be forwarded"


def test_private_chats_and_groups_share_the_bot_accounts_message_ids(bot_run: Run) -> None:
    """Telegram numbers messages per account in private chats and basic groups (one counter
    across them), per chat in channels and supergroups."""

    async def go(bot: telegram.Bot) -> list[int]:
        sent = [await bot.send_message(chat, "hi") for chat in (PRIVATE, GROUP, PRIVATE, CHANNEL)]
        return [message.message_id for message in sent]

    assert bot_run(go) == [1, 2, 3, 1]
