"""What two kinds of Telegram refusal mean for us (docs/architecture.md, "Refused photos" and
"Rights"): a photo Telegram could not take, so the post goes out as text instead, and a right
the bot lacks or a restriction on it, which only a chat's administrator can fix, so the error
tells the managers what to change. Descriptions are matched lower-case: python-telegram-bot
drops the ``Bad Request:`` prefix and capitalises the rest."""

from __future__ import annotations

# tdlib / telegram-bot-api (Client.cpp fail_query_with_error) for a photo given by URL that the
# servers could not fetch, that was no image, or that they could not process
_PHOTO = (
    "failed to get http url content",  # WEBPAGE_CURL_FAILED
    "wrong type of the web page content",  # WEBPAGE_MEDIA_EMPTY
    "wrong file identifier/http url specified",
    "wrong http url specified",
    "image_process_failed",
    "photo_invalid_dimensions",
    "photo_save_file_invalid",
)
# tdlib DialogManager::can_send_message_to_dialog, MessageContent can_send_message_content,
# MessagesManager can_edit_message / delete_messages; the last two as the server says them
_RIGHTS = (
    ("need administrator rights in the channel chat",
     "the bot needs the 'Post messages' right in channel {target}: make it an administrator "
     "of the channel with that right, then retry"),
    ("not enough rights to send text messages",
     "the bot may not send messages in {target}: allow it 'Send messages' (or make it an "
     "administrator), then retry"),
    ("not enough rights to send photos",
     "the bot may not send photos in {target}: allow it 'Send photos' (or make it an "
     "administrator), then retry"),
    ("have no rights to send a message",
     "the bot may not post in {target}: lift its restriction or make it an administrator, "
     "then retry"),
    ("chat_write_forbidden",
     "the bot may not post in {target}: make it a member with the right to post, then retry"),
    ("message can't be edited",
     "the bot may not edit its post in {target}: in a channel it needs the 'Edit messages of "
     "others' or the 'Post messages' right"),
    ("message can't be deleted",
     "Telegram would not delete the post in {target}: a bot cannot delete a post older than "
     "48 hours, and in a channel it needs the 'Delete messages of others' or the 'Post "
     "messages' right"),
)  # fmt: skip


def photo_refused(description: str) -> bool:
    """Whether Telegram refused a photo itself (its URL or its content), posting nothing."""
    text = description.lower()
    return any(words in text for words in _PHOTO)


def explain(description: str, target: str) -> str:
    """The error a manager reads for a refusal at ``target``: what to fix when it is about the
    bot's rights, then Telegram's own words."""
    text = description.lower()
    for words, fix in _RIGHTS:
        if words in text:
            return f"{fix.format(target=target)} (Telegram refused: {description})"
    return f"Telegram refused: {description}"
