"""Secrets stay out of logs: Bot API URLs carry the bot token (``/bot<token>/method``).

httpx logs every request at INFO ("HTTP Request: POST https://api.telegram.org/bot123:ABC/...")
and uvicorn's access log prints the path; this filter rewrites both before they are written.
"""

from __future__ import annotations

import logging
import re

_BOT_PATH = re.compile(r"/bot[0-9]+:[^/\s]+")  # a base URL's ends with the token, a method's not


class RedactBotTokens(logging.Filter):
    """Replace the token in any ``/bot<token>`` of a record's message with ``<token>`` (a
    method's path or a base URL, as python-telegram-bot logs at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = _BOT_PATH.sub("/bot<token>", message), ()
        return True


_FILTER = RedactBotTokens()


def redact_bot_tokens(*logger_names: str) -> None:
    """Install the filter on these loggers (once each, however often it is called)."""
    for name in logger_names:
        logging.getLogger(name).addFilter(_FILTER)
