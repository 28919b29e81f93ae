"""The Bot API endpoint ``/bot<token>/<method>``: token check, dispatch, faults, envelopes."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from distributor.sandbox.faults import FaultSpec
from distributor.sandbox.state import Sandbox
from distributor.sandbox.telegram import send
from distributor.sandbox.telegram import updates as bot
from distributor.sandbox.telegram.call import BotCall, Described
from distributor.sandbox.telegram.flood_watch import FloodWatch
from distributor.sandbox.telegram.protocol import (
    BotApiError,
    TelegramArgs,
    ok,
    plain_refusal,
    read_args,
    refusal,
)

log = logging.getLogger(__name__)
TOKEN = re.compile(r"^[1-9][0-9]{0,19}:[A-Za-z0-9_-]{30,}$")
METHODS: dict[str, Callable[[BotCall], Any]] = {
    "getme": bot.get_me,
    "getchat": bot.get_chat,
    "getupdates": bot.get_updates,
    "setwebhook": bot.set_webhook,
    "deletewebhook": bot.delete_webhook,
    "getwebhookinfo": bot.get_webhook_info,
    "setmycommands": bot.set_my_commands,
    "getmycommands": bot.get_my_commands,
    "deletemycommands": bot.delete_my_commands,
    "answercallbackquery": bot.answer_callback_query,
    "sendmessage": send.send_message,
    "sendphoto": send.send_photo,
    "sendmediagroup": send.send_media_group,
    "editmessagetext": send.edit_message_text,
    "editmessagecaption": send.edit_message_caption,
    "editmessagereplymarkup": send.edit_message_reply_markup,
    "deletemessage": send.delete_message,
    "forwardmessage": send.forward_message,
}


async def fault_response(fault: FaultSpec, real: Response | None) -> Response:
    """What an injected fault turns the answer into (``real`` is set when it already ran)."""
    if fault.kind == "hang":
        await asyncio.sleep(fault.hang_seconds)
        return real or plain_refusal(504, "Gateway Timeout")
    if fault.kind == "rate_limit":
        retry = fault.retry_after
        return refusal(BotApiError(429, f"retry after {retry}", {"retry_after": retry}))
    if fault.kind == "malformed_json":
        return Response(b'{"ok":true,"result":{"message_id":', media_type="application/json")
    return plain_refusal(fault.status, HTTPStatus(fault.status).phrase)


def telegram_router(sandbox: Sandbox, watch: FloodWatch) -> APIRouter:
    """Routes for the emulated Bot API, bound to ``sandbox``; ``watch`` sees every call and
    answer (the storm check)."""
    router = APIRouter()

    async def endpoint(request: Request) -> Response:
        token, method = request.path_params["token"], request.path_params["method"].lower()
        if not TOKEN.match(token):
            return plain_refusal(401, "Unauthorized")
        handler = METHODS.get(method)
        if handler is None:
            return plain_refusal(404, "Not Found")
        sandbox.telegram.last_token = token
        try:
            args = await read_args(request)
        except BotApiError as exc:
            return refusal(exc)
        chat = args.arg("chat_id") or None
        watch.called(sandbox, chat, method)
        response = await _answer(sandbox, handler, token, args, method)
        watch.answered(sandbox, chat, response)
        return response

    router.add_route("/bot{token}/{method}", endpoint, methods=["GET", "POST"])
    return router


async def _answer(
    sandbox: Sandbox, handler: Callable[[BotCall], Any], token: str, args: TelegramArgs, method: str
) -> Response:
    """The method's answer, or what an injected fault makes of it (a slow fault only delays)."""
    fault = sandbox.faults.take("telegram", method)
    if fault is not None and fault.kind == "slow":
        await asyncio.sleep(fault.delay_s)
        fault = None
    if fault is not None and not fault.after:
        return await fault_response(fault, None)
    try:
        response = await _run(sandbox, handler, token, args)
    except Exception:  # a sandbox bug must still answer in the Bot API's shape
        log.exception("sandbox: %s failed", method)
        response = plain_refusal(500, "Internal Server Error")
    return response if fault is None else await fault_response(fault, response)


async def _run(
    sandbox: Sandbox, handler: Callable[[BotCall], Any], token: str, args: TelegramArgs
) -> Response:
    try:
        call = BotCall(
            token=token,
            args=args,
            state=sandbox.telegram,
            clock=sandbox.clock,
            flood=sandbox.flood if sandbox.config.flood_control else None,
            long_poll_max_s=sandbox.config.long_poll_max_s,
            webhooks=sandbox.webhooks,
        )
        outcome = handler(call)
        if inspect.isawaitable(outcome):
            outcome = await outcome
    except BotApiError as exc:
        return refusal(exc)
    if isinstance(outcome, Described):
        return ok(outcome.result, outcome.description)
    return ok(outcome)
