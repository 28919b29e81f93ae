"""The bot's answers: commands, the topic picker's buttons, reactions and membership changes
(docs/architecture.md, "Readers"). Each update gets its answer within the update."""

from __future__ import annotations

import html

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReactionTypeEmoji,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.ext import ContextTypes

from distributor.audience.readers.subscriptions import Language, language_of
from distributor.audience.readers.topics import closest, topic_key
from distributor.audience.sidebar import popular
from distributor.bot.texts import say
from distributor.formatting.text import html_to_text
from distributor.wiring import Container

Context = ContextTypes.DEFAULT_TYPE
PICKER_SIZE = 12
LATEST = 5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CALLBACK = "t:"  # callback_data of a picker button: "t:<topic key>" (at most 64 bytes)


class ReaderBot:
    """Handlers bound to one process's clients."""

    def __init__(self, container: Container) -> None:
        self.c = container

    # commands
    async def start(self, update: Update, context: Context) -> None:
        """Welcome, and the topic picker."""
        chat, lang = _chat(update), _language(update)
        self.c.subscriptions.touch(chat, lang, self.c.settings.readers_digest_hour)
        user = update.effective_user
        name = user.first_name if user is not None else ""
        await self._reply(update, say(lang, "welcome", name=name), self._picker(chat))

    async def topics(self, update: Update, context: Context) -> None:
        """The topic picker."""
        lang, chat = _language(update), _chat(update)
        markup = self._picker(chat)
        await self._reply(update, say(lang, "picker" if markup else "no_topics"), markup)

    async def subscribe(self, update: Update, context: Context) -> None:
        """Follow one or more topics (comma-separated); unknown ones get the closest matches."""
        chat, lang = _chat(update), _language(update)
        wanted = [t for t in " ".join(context.args or []).split(",") if topic_key(t)]
        if not wanted:
            await self._reply(update, say(lang, "usage_subscribe"), self._picker(chat))
            return
        self.c.subscriptions.touch(chat, lang, self.c.settings.readers_digest_hour)
        lines = []
        for query in wanted:
            key, options = self.c.catalogue.find(query)
            if key is None:
                lines.append(_unknown(lang, query, options))
                continue
            shown = self.c.catalogue.shown({key})[0]
            added = self.c.subscriptions.subscribe(chat, [key])
            lines.append(say(lang, "subscribed" if added else "already", topic=shown))
        await self._reply(update, "\n".join(lines))

    async def unsubscribe(self, update: Update, context: Context) -> None:
        """Stop following a topic; an unfollowed one gets the closest of the reader's own."""
        chat, lang = _chat(update), _language(update)
        query = " ".join(context.args or [])
        if not topic_key(query):
            await self._reply(update, say(lang, "usage_unsubscribe"))
            return
        if self.c.subscriptions.unsubscribe(chat, query):
            shown = self.c.catalogue.shown({topic_key(query)})[0]
            await self._reply(update, say(lang, "unsubscribed", topic=shown))
            return
        mine = self.c.subscriptions.topics(chat)
        names = {k: v for k, v in self.c.catalogue.names().items() if k in mine}
        names.update({k: k for k in mine if k not in names})
        text = say(lang, "not_following", topic=query.strip())
        if options := closest(query, names):
            text += say(lang, "did_you_mean", options=", ".join(options))
        await self._reply(update, text)

    async def mine(self, update: Update, context: Context) -> None:
        """The reader's topics and how they receive articles."""
        chat, lang = _chat(update), _language(update)
        reader = self.c.subscriptions.get(chat)
        if reader is None or not reader.topics:
            await self._reply(update, say(lang, "mine_none"))
            return
        topics = ", ".join(self.c.catalogue.shown(set(reader.topics)))
        mode = (
            say(lang, "mode_digest", hour=reader.digest_hour)
            if reader.digest
            else say(lang, "mode_instant")
        )
        await self._reply(update, say(lang, "mine", topics=topics) + "\n" + mode)

    async def latest(self, update: Update, context: Context) -> None:
        """The five newest published articles."""
        lang, lines = _language(update), list[str]()
        for article_id in self.c.catalogue.latest(LATEST * 2):
            article = self.c.articles.get(article_id)
            if article is None or not self.c.articles.is_published(article_id):
                continue
            lines.append(_link(len(lines) + 1, article.url, html_to_text(article.title)))
            if len(lines) == LATEST:
                break
        head = say(lang, "latest" if lines else "latest_none")
        await self._reply(update, "\n".join([head, *lines]))

    async def popular(self, update: Update, context: Context) -> None:
        """The trending board, as the site's sidebar lists it."""
        lang = _language(update)
        items = popular(self.c.trending, self.c.articles, self.c.shares, limit=LATEST)
        lines = [
            _link(rank, item.url, item.title) + f"\n<i>{html.escape(item.label)}</i>"
            for rank, item in enumerate(items, start=1)
        ]
        head = say(lang, "popular" if lines else "popular_none")
        await self._reply(update, "\n".join([head, *lines]))

    async def digest(self, update: Update, context: Context) -> None:
        """``/digest on [hour]`` or ``/digest off``."""
        chat, lang = _chat(update), _language(update)
        args = [a.lower() for a in context.args or []]
        hour = self.c.settings.readers_digest_hour
        valid = args[:1] in (["on"], ["off"]) and len(args) <= 2
        if valid and len(args) == 2:
            valid = args[0] == "on" and args[1].isdigit() and int(args[1]) <= 23
            hour = int(args[1]) if valid else hour
        if not valid:
            await self._reply(update, say(lang, "usage_digest"))
            return
        on = args[0] == "on"
        self.c.subscriptions.touch(chat, lang, hour)
        self.c.subscriptions.set_digest(chat, on, hour)
        await self._reply(update, say(lang, "digest_on" if on else "digest_off", hour=hour))

    async def stop(self, update: Update, context: Context) -> None:
        """Forget the reader."""
        self.c.subscriptions.forget(_chat(update), "stopped")
        await self._reply(update, say(_language(update), "stopped"), note=False)

    async def help(self, update: Update, context: Context) -> None:
        """The commands (also the answer to an unknown one)."""
        await self._reply(update, say(_language(update), "help"))

    # buttons, reactions, membership
    async def pick(self, update: Update, context: Context) -> None:
        """A picker button: follow or unfollow its topic, then redraw the picker."""
        query = update.callback_query
        assert query is not None and query.data is not None
        chat, lang, key = _chat(update), _language(update), query.data[len(CALLBACK) :]
        mine = self.c.subscriptions.topics(chat)
        if key not in mine and key not in self.c.catalogue.names():  # only topics offered
            await query.answer(html.unescape(_unknown(lang, key, []))[:200])
            return
        shown = self.c.catalogue.shown({key})[0]
        if key in mine:
            self.c.subscriptions.unsubscribe(chat, key)
            answer = say(lang, "unsubscribed", topic=shown)
        else:
            self.c.subscriptions.touch(chat, lang, self.c.settings.readers_digest_hour)
            self.c.subscriptions.subscribe(chat, [key])
            answer = say(lang, "subscribed", topic=shown)
        await query.answer(html.unescape(answer)[:200])
        await _redraw(query, self._picker(chat))

    async def reaction(self, update: Update, context: Context) -> None:
        """Reactions on our posts: a channel's totals, or one group member's change."""
        if (counted := update.message_reaction_count) is not None:
            total = sum(r.total_count for r in counted.reactions)
            chat = counted.chat
            self.c.reactions.counted(chat.id, chat.username, counted.message_id, total)
        elif (changed := update.message_reaction) is not None and changed.user is not None:
            emoji = [r.emoji for r in changed.new_reaction if isinstance(r, ReactionTypeEmoji)]
            chat = changed.chat
            self.c.reactions.reacted(
                chat.id, chat.username, changed.message_id, changed.user.id, emoji
            )

    async def member(self, update: Update, context: Context) -> None:
        """The bot was blocked (private chat) or removed (group): forget the reader."""
        change = update.my_chat_member
        assert change is not None
        status = change.new_chat_member.status
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            private = change.chat.type == "private"
            self.c.subscriptions.forget(change.chat.id, "blocked" if private else "kicked")

    async def migrated(self, update: Update, context: Context) -> None:
        """A group became a supergroup: its subscriptions follow."""
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id:
            self.c.subscriptions.migrate(message.chat.id, message.migrate_to_chat_id)

    # helpers
    def _picker(self, chat: int) -> InlineKeyboardMarkup | None:
        mine = self.c.subscriptions.topics(chat)
        buttons = [
            InlineKeyboardButton(
                ("✅ " if key in mine else "") + shown, callback_data=CALLBACK + key
            )
            for key, shown in self.c.catalogue.ranked(PICKER_SIZE)
            if len((CALLBACK + key).encode()) <= 64
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        return InlineKeyboardMarkup(rows) if rows else None

    async def _reply(
        self, update: Update, text: str, markup: InlineKeyboardMarkup | None = None,
        *, note: bool = True,
    ) -> None:  # fmt: skip
        message = update.effective_message
        assert message is not None
        sent = await message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
        if note:  # the highest message id of the chat: where to look for an in-doubt send
            self.c.subscriptions.note_message(message.chat.id, sent.message_id)


def _chat(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def _language(update: Update) -> Language:
    user = update.effective_user
    return language_of(user.language_code if user is not None else None)


def _unknown(lang: Language, query: str, options: list[str]) -> str:
    text = say(lang, "unknown_topic", query=query.strip())
    if options:
        return text + say(lang, "did_you_mean", options=", ".join(options))
    return text + say(lang, "see_topics")


def _link(rank: int, url: str, title: str) -> str:
    href = html.escape(url, quote=True)
    return f'{rank}. <a href="{href}">{html.escape(title, quote=False)}</a>'


async def _redraw(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    message = query.message
    if isinstance(message, Message) and message.reply_markup != markup:
        await query.edit_message_reply_markup(markup)
