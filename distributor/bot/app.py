"""`distributor bot`: python-telegram-bot's ``Application`` with the reader handlers, fed by
long polling (getUpdates) or, when the API has a public HTTPS URL, by the webhook route's
inbox (docs/architecture.md, "Readers").

The bot's own messages take a slot of the shared rate governor (the bot-wide scope and the
chat's) before they go, as channel posts do, so replies and fan-out never overrun Telegram's
flood limits together.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    MessageReactionHandler,
    filters,
)
from telegram.request import HTTPXRequest

from distributor.bot.handlers import CALLBACK, ReaderBot
from distributor.bot.inbox import BotInbox
from distributor.errors import ConfigError
from distributor.models import Destination
from distributor.publishing.ratelimit import RateGovernor
from distributor.wiring import Container

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [
    "message", "edited_message", "callback_query", "my_chat_member",
    "message_reaction", "message_reaction_count",
]  # fmt: skip
COMMANDS = [
    ("start", "mulai dan pilih topik"), ("topics", "pilih topik"),
    ("subscribe", "ikuti topik"), ("unsubscribe", "berhenti mengikuti topik"),
    ("mine", "topik saya"), ("latest", "lima artikel terbaru"), ("popular", "terpopuler"),
    ("digest", "ringkasan harian on/off"), ("stop", "hapus data saya"), ("help", "bantuan"),
]  # fmt: skip
MAX_GOVERNOR_WAITS = 20


class GovernedLimiter(BaseRateLimiter[None]):
    """Holds each ``sendMessage`` of the bot until the shared governor gives it a slot."""

    def __init__(self, governor: RateGovernor) -> None:
        self._governor = governor

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a slot (for ``sendMessage``), then make the call."""
        chat = data.get("chat_id")
        if endpoint == "sendMessage" and chat is not None:
            destination = Destination(id="bot", platform="telegram", target=str(chat))
            for _ in range(MAX_GOVERNOR_WAITS):
                wait = self._governor.acquire_for(destination)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
        return await callback(*args, **kwargs)


def build_application(
    container: Container, *, webhook: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application with every handler; without an updater when fed by the webhook."""
    settings = container.settings
    timeout = settings.http_timeout_s

    def request(read_timeout: float) -> HTTPXRequest:
        return HTTPXRequest(connect_timeout=timeout, read_timeout=read_timeout,
                            write_timeout=timeout, pool_timeout=timeout)  # fmt: skip

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token_value())
        .base_url(settings.telegram_base_url)
        .request(request(timeout))
        .get_updates_request(request(timeout + 30))
        .rate_limiter(GovernedLimiter(container.governor))
        .post_init(_announce)
    )
    if webhook:
        builder = builder.updater(None)
    app = builder.build()
    bot = ReaderBot(container)
    for name in ("start", "topics", "subscribe", "unsubscribe", "mine", "latest", "popular",
                 "digest", "stop", "help"):  # fmt: skip
        app.add_handler(CommandHandler(name, getattr(bot, name)))
    app.add_handler(CallbackQueryHandler(bot.pick, pattern=f"^{CALLBACK}"))
    app.add_handler(MessageReactionHandler(bot.reaction))
    app.add_handler(ChatMemberHandler(bot.member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, bot.migrated))
    app.add_handler(MessageHandler(filters.COMMAND, bot.help))
    app.add_error_handler(_log_error)
    return app


async def _announce(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    log.info("distributor bot ready as @%s", app.bot.username)


async def _log_error(update: object, context: Any) -> None:
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


def run_bot(container: Container) -> None:
    """Run until SIGINT/SIGTERM: long polling, or the webhook inbox when a public URL is set."""
    settings = container.settings
    url = settings.bot_webhook_url
    app = build_application(container, webhook=url is not None)
    if url is None:
        log.info("distributor bot: long polling (no public HTTPS URL configured)")
        app.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
        return
    secret = settings.telegram_webhook_secret_value()
    if secret is None:
        raise ConfigError("a webhook needs DISTRIBUTOR_TELEGRAM_WEBHOOK_SECRET")
    certificate = settings.telegram_webhook_certificate
    cert = certificate.read_bytes() if certificate is not None else None
    asyncio.run(_serve_inbox(app, container.bot_inbox, url, secret, cert))


async def _serve_inbox(
    app: Application[Any, Any, Any, Any, Any, Any],
    inbox: BotInbox,
    url: str,
    secret: str,
    certificate: bytes | None,
) -> None:
    """Register the webhook, then handle what the API route queues, one update at a time."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        await app.bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, certificate=certificate
        )
        await app.start()
        log.info("distributor bot: webhook at %s (%d updates restored)", url, inbox.restore())
        while not stop.is_set():
            raw = await asyncio.to_thread(inbox.take, 1)
            if raw is None:
                continue
            try:
                update = Update.de_json(json.loads(raw), app.bot)
            except (ValueError, TypeError, KeyError):
                log.warning("dropped an unreadable update from the inbox")
            else:
                await app.process_update(update)
            inbox.done(raw)
        await app.stop()
