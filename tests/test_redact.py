"""Bot tokens never reach a log line: httpx's request lines and uvicorn's access lines."""

from __future__ import annotations

import logging

import httpx
import pytest

from distributor.redact import RedactBotTokens, redact_bot_tokens

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_an_access_line_keeps_everything_but_the_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/bot{TOKEN}/sendMessage?x=1", "1.1", 429), None,
    )  # fmt: skip
    assert RedactBotTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "POST /bot<token>/sendMessage?x=1 HTTP/1.1" 429'


def test_an_httpx_request_line_with_a_url_object_is_redacted() -> None:
    url = httpx.URL(f"https://api.telegram.org/bot{TOKEN}/sendPhoto")
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, 'HTTP Request: %s %s "%s %d %s"',
        ("POST", url, "HTTP/1.1", 200, "OK"), None,
    )  # fmt: skip
    RedactBotTokens().filter(record)
    message = record.getMessage()
    assert TOKEN not in message and "api.telegram.org/bot<token>/sendPhoto" in message


def test_a_base_url_ending_in_the_token_is_redacted() -> None:
    record = logging.LogRecord(
        "telegram.Bot", logging.DEBUG, __file__, 1, "Set Bot API URL: %s",
        (f"http://127.0.0.1:8081/bot{TOKEN}",), None,
    )  # fmt: skip
    RedactBotTokens().filter(record)
    assert record.getMessage() == "Set Bot API URL: http://127.0.0.1:8081/bot<token>"


def test_installed_once_on_a_logger_however_often_asked(caplog: pytest.LogCaptureFixture) -> None:
    redact_bot_tokens("distributor.test.redact")
    redact_bot_tokens("distributor.test.redact")
    logger = logging.getLogger("distributor.test.redact")
    assert len(logger.filters) == 1
    with caplog.at_level(logging.INFO, logger="distributor.test.redact"):
        logger.info("GET %s", f"http://127.0.0.1/bot{TOKEN}/getMe")
    assert caplog.messages == ["GET http://127.0.0.1/bot<token>/getMe"]
