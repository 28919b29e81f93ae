"""Telegram through python-telegram-bot's ``Bot``; its exceptions become ours here.

The ``Bot`` is async and its httpx client is bound to the event loop that first used it, so each
publisher owns one persistent loop and runs every call on it (one call at a time).
"""

from __future__ import annotations

import asyncio
import re
import threading
import warnings
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from distributor.errors import (
    DeliveryError,
    InDoubt,
    MediaRefused,
    PermanentError,
    RateLimited,
    TransientError,
)
from distributor.formatting.telegram import text_fallback
from distributor.models import Destination, Platform, RenderedPost
from distributor.publishers.base import Lookup, ProbeCopy, normalise_url, probe_step, search_gap
from distributor.publishers.telegram_refusals import explain, photo_refused

T = TypeVar("T")

# The request never left this machine, or was refused before Telegram read it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_NOT_MODIFIED = "message is not modified"
_URL = re.compile(r"https?://\S+")
_GONE = ("message to delete not found", "message to edit not found")
_WRONG_KIND = ("there is no caption in the message to edit", "there is no text in the message")


class TelegramPublisher:
    """Posts, edits and deletes messages in Telegram chats (``Destination.target``)."""

    platform: Platform = "telegram"

    def __init__(
        self, bot: Bot, *, probe_chat: str | None = None, max_probes: int = 1000, gap: int = 5
    ) -> None:
        self._bot = bot
        self.probe_chat = probe_chat  # where probes forward to (None: no probing)
        self._max_probes = max_probes
        self._gap = gap
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()

    def prepare(self, destination: Destination, post: RenderedPost) -> RenderedPost:
        """Nothing to do before the claim: Telegram fetches the photo itself."""
        return post

    def publish(self, destination: Destination, post: RenderedPost) -> tuple[str, ...]:
        """``sendPhoto`` (caption) or ``sendMessage``; returns the message id. A photo Telegram
        refuses (it could not fetch or use it; nothing was posted) raises ``MediaRefused``
        with the text post to send instead (docs/architecture.md, "Refused photos")."""
        chat = chat_id(destination.target)
        markup = _markup(post)
        if post.method == "sendPhoto" and post.photo_url:
            send = self._bot.send_photo(
                chat, post.photo_url, caption=post.text, parse_mode=post.parse_mode,
                reply_markup=markup,
            )  # fmt: skip
            try:
                return self._sent(self._call(send, target=destination.target))
            except PermanentError as exc:
                if not photo_refused(str(exc)):
                    raise
                reason = f"Telegram refused the photo {post.photo_url}: {exc.__cause__}"
                raise MediaRefused(reason, text_fallback(post)) from exc
        if post.method == "sendMessage":
            send = self._bot.send_message(
                chat, post.text, parse_mode=post.parse_mode, reply_markup=markup,
                link_preview_options=_preview(post),
            )  # fmt: skip
        else:
            raise PermanentError(f"Telegram cannot send a {post.method!r} post")
        return self._sent(self._call(send, target=destination.target))

    def edit(
        self, destination: Destination, message_ids: tuple[str, ...], post: RenderedPost
    ) -> None:
        """Replace the text (or the caption of a photo); an identical edit is not an error."""
        if not message_ids:
            raise PermanentError("no message to edit")
        as_caption = post.method == "sendPhoto"
        try:
            self._edit(destination, int(message_ids[0]), post, as_caption)
        except PermanentError as exc:
            if not any(kind in str(exc).lower() for kind in _WRONG_KIND):
                raise
            self._edit(destination, int(message_ids[0]), post, not as_caption)

    def delete(self, destination: Destination, message_ids: tuple[str, ...]) -> None:
        """Delete each message; one already gone is not an error."""
        chat = chat_id(destination.target)
        for message_id in message_ids:
            self._call(self._bot.delete_message(chat, int(message_id)), tolerate=_GONE)

    def find_post(self, destination: Destination, lookup: Lookup) -> tuple[str, ...] | None:
        """Look through the chat's messages after ``lookup.after_id`` for one linking the article.

        The Bot API cannot read a chat's history, but message ids in a chat go up one by one
        and the bot can forward any message of it (``forward_probe``; ``probe_step`` decides
        when to stop, after ``search_gap`` missing ids: private chats and basic groups share the
        bot's counter, docs/architecture.md "Message ids"). None without a probe chat
        (unknowable) or when ``max_probes`` messages were not enough. Unpaced: the reconciler
        paces its probes itself (publishing/probe.py).
        """
        if self.probe_chat is None:
            return None
        misses, gap = 0, search_gap(lookup, destination.target, self._gap)
        for message_id in range(lookup.after_id + 1, lookup.after_id + 1 + self._max_probes):
            copy = self.forward_probe(destination, message_id)
            found, misses = probe_step(lookup, gap, message_id, misses, copy)
            if found is not None:
                return found
        return None

    def forward_probe(self, destination: Destination, message_id: int) -> ProbeCopy | None:
        """Forward one message to the probe chat, read the copy, delete it."""
        assert self.probe_chat is not None
        chat, probe = chat_id(destination.target), chat_id(self.probe_chat)
        forward = self._bot.forward_message(probe, chat, message_id, disable_notification=True)
        copy = self._call(forward, tolerate=("message to forward not found",))
        if copy is None:
            return None
        self._call(self._bot.delete_message(probe, copy.message_id), tolerate=_GONE)
        origin = copy.forward_origin
        return ProbeCopy(frozenset(_links(copy)), origin.date.timestamp() if origin else None)

    def close(self) -> None:
        """Close the HTTP client and the event loop."""
        with self._lock:
            if not self._loop.is_closed():
                self._loop.run_until_complete(self._bot.shutdown())
                self._loop.close()

    def _edit(
        self, destination: Destination, message_id: int, post: RenderedPost, caption: bool
    ) -> None:
        chat, markup = chat_id(destination.target), _markup(post)
        if caption:
            call = self._bot.edit_message_caption(
                chat, message_id, caption=post.text, parse_mode=post.parse_mode,
                reply_markup=markup,
            )  # fmt: skip
        else:
            call = self._bot.edit_message_text(
                post.text, chat, message_id, parse_mode=post.parse_mode, reply_markup=markup,
                link_preview_options=_preview(post),
            )  # fmt: skip
        self._call(call, tolerate=(_NOT_MODIFIED,), target=destination.target)

    def _call(
        self, call: Coroutine[Any, Any, T], tolerate: tuple[str, ...] = (), target: str = ""
    ) -> T | None:
        """Run one Bot call on this publisher's loop; a tolerated ``BadRequest`` gives None.
        With ``target`` a refusal about the bot's rights there says what to fix."""
        with self._lock:
            try:
                return self._loop.run_until_complete(call)
            except BadRequest as exc:
                if any(text in exc.message.lower() for text in tolerate):
                    return None
                raise classify(exc, target) from exc
            except TelegramError as exc:
                raise classify(exc, target) from exc

    @staticmethod
    def _sent(message: Message | None) -> tuple[str, ...]:
        assert isinstance(message, Message)
        return (str(message.message_id),)


def classify(exc: TelegramError, target: str = "") -> DeliveryError:
    """Map a python-telegram-bot error by whether the message may have been sent."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that the type becomes timedelta
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        # a 429: surely not done, and the whole chat must wait (the governor holds it)
        return RateLimited(f"Telegram flood control: {exc.message}", retry_after=seconds)
    if isinstance(exc, ChatMigrated):
        return PermanentError(f"chat migrated to {exc.new_chat_id}: update the routing file")
    if isinstance(exc, BadRequest | Forbidden | InvalidToken | Conflict | EndPointNotFound):
        return PermanentError(explain(exc.message, target or "the chat"))
    if isinstance(exc, NetworkError) and isinstance(exc.__cause__, _NOT_SENT):
        return TransientError(f"Telegram unreachable: {exc.message}")
    # read/write timeouts, resets after sending, 5xx and unreadable answers
    return InDoubt(f"Telegram outcome unknown: {type(exc).__name__}: {exc.message}")


def chat_id(target: str) -> int | str:
    """A numeric chat id as int, a ``@username`` as is."""
    return int(target) if target.lstrip("-").isdigit() else target


def _links(message: Message) -> set[str]:
    """Every link a message carries (text links, URLs in its text, URL buttons), normalised."""
    entities = (*message.entities, *message.caption_entities)
    urls = [e.url for e in entities if e.url]
    urls += _URL.findall(message.text or message.caption or "")
    if message.reply_markup is not None:
        urls += [b.url for row in message.reply_markup.inline_keyboard for b in row if b.url]
    return {normalise_url(url) for url in urls}


def _markup(post: RenderedPost) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup.de_json(post.reply_markup, None) if post.reply_markup else None


def _preview(post: RenderedPost) -> LinkPreviewOptions | None:
    options = post.link_preview_options
    return LinkPreviewOptions.de_json(options, None) if options else None
