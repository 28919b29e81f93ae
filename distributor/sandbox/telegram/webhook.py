"""Webhook delivery: every queued update POSTed to the bot's URL, one at a time and in order,
as telegram-bot-api's ``WebhookActor`` sends them (docs/sandbox.md, "Webhook").

The request carries ``Content-Type: application/json`` and, when a secret token was set,
``X-Telegram-Bot-Api-Secret-Token``. A 2xx answer confirms the update; anything else is
recorded as ``last_error_message`` (``Wrong response from the webhook: 500 Internal Server
Error``) and the same update is tried again after a pause that doubles up to 10 s. An uploaded
certificate is the only authority trusted for the URL's host, as for a self-signed webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from http import HTTPStatus

import httpx

from distributor.sandbox.clock import Clock
from distributor.sandbox.telegram.state import TelegramState

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
FIRST_PAUSE_S, MAX_PAUSE_S = 0.5, 10.0
TIMEOUT_S = 10.0


class WebhookDelivery:
    """The task that drains a ``TelegramState``'s updates into its webhook while one is set."""

    def __init__(self, state: TelegramState, clock: Clock) -> None:
        self._state = state
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """(Re)start delivering to the current webhook; call on the server's event loop."""
        self.stop()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="webhook")

    def stop(self) -> None:
        """Stop delivering (deleteWebhook, a new setWebhook, reset)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        hook = self._state.webhook
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        verify: ssl.SSLContext | bool = True
        if hook.certificate is not None:
            verify = ssl.create_default_context(cadata=hook.certificate.decode("ascii", "replace"))
        pause = FIRST_PAUSE_S
        async with httpx.AsyncClient(verify=verify, timeout=TIMEOUT_S) as client:
            while hook.url:
                if not self._state.updates:
                    hook.wake.clear()
                    await hook.wake.wait()
                    continue
                update = self._state.updates[0]
                error = await _post(client, hook.url, update, headers)
                if error is None:
                    with contextlib.suppress(ValueError):
                        self._state.updates.remove(update)
                    pause = FIRST_PAUSE_S
                    continue
                hook.last_error_date, hook.last_error_message = int(self._clock.now()), error
                await asyncio.sleep(pause)
                pause = min(MAX_PAUSE_S, pause * 2)


async def _post(
    client: httpx.AsyncClient, url: str, update: dict[str, object], headers: dict[str, str]
) -> str | None:
    """POST one update; None when the bot took it, else the error as getWebhookInfo says it."""
    try:
        response = await client.post(url, content=json.dumps(update), headers=headers)
    except httpx.ConnectError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, ssl.SSLError) or "SSL" in str(exc):
            return f"SSL error {{{exc}}}"
        return "Connection refused"
    except httpx.TimeoutException:
        return "Read timeout expired"
    except httpx.HTTPError as exc:
        log.info("sandbox webhook: %s", exc)
        return "Webhook connection closed"
    if 200 <= response.status_code <= 299:
        return None
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = ""
    return f"Wrong response from the webhook: {response.status_code} {reason}".rstrip()
