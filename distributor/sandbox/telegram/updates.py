"""Bot API methods about the bot itself: getMe, getChat, updates, webhook, callback answers,
commands."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from distributor.sandbox.telegram.call import BotCall, Described
from distributor.sandbox.telegram.objects import bot_user, chat_full_json
from distributor.sandbox.telegram.protocol import BotApiError, bad_request, to_bool, to_integer
from distributor.sandbox.telegram.state import NOT_BY_DEFAULT, UPDATE_TYPES, Webhook

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
SECRET_MAX, SECRET_CHARS = 256, re.compile(r"[A-Za-z0-9_-]*")  # td::is_base64url_characters
CERTIFICATE_MAX = 3 << 20  # Client.cpp MAX_CERTIFICATE_FILE_SIZE
CALLBACK_TEXT_MAX = 200
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


def get_me(call: BotCall) -> dict[str, Any]:
    """getMe."""
    return bot_user(call.token)


def get_chat(call: BotCall) -> dict[str, Any]:
    """getChat: a chat the bot was removed from is not found any more."""
    chat = call.state.resolve(call.args.arg("chat_id"))
    if chat.spec.bot_removed:
        raise bad_request("chat not found")
    chat.check_send(posting=False)
    return chat_full_json(chat)


async def get_updates(call: BotCall) -> list[dict[str, Any]]:
    """getUpdates with offset confirmation, limit 1-100, ``allowed_updates`` and long polling."""
    state, args = call.state, call.args
    if state.webhook.url:
        raise BotApiError(409, WEBHOOK_ACTIVE)
    limit = min(max(to_integer(args.arg("limit")) if args.arg("limit") else 100, 1), 100)
    timeout = min(max(to_integer(args.arg("timeout")), 0), call.long_poll_max_s)
    state.set_allowed_updates(args.arg("allowed_updates"))
    state.poll_generation += 1
    generation = state.poll_generation
    state.update_arrived.set()  # wakes an older long poll, which then ends with 409
    state.confirm(to_integer(args.arg("offset")))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not state.updates and loop.time() < deadline:
        state.update_arrived.clear()
        try:
            await asyncio.wait_for(state.update_arrived.wait(), deadline - loop.time())
        except TimeoutError:
            break
        if state.poll_generation != generation:
            raise BotApiError(409, TERMINATED)
    return state.updates[:limit]


def set_webhook(call: BotCall) -> Described:
    """setWebhook: an HTTPS URL, a secret token of base64url characters, an optional
    self-signed certificate, ``allowed_updates``; updates are then POSTed to it."""
    args, state = call.args, call.state
    url = args.arg("url")
    if not url:
        return delete_webhook(call)
    if not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = args.arg("secret_token")
    if len(secret) > SECRET_MAX:
        raise bad_request("secret token is too long")
    if not SECRET_CHARS.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    certificate = _certificate(call)
    if to_bool(args.arg("drop_pending_updates")):
        state.updates.clear()
    state.set_allowed_updates(args.arg("allowed_updates"))
    max_connections = to_integer(args.arg("max_connections")) if args.arg("max_connections") else 40
    hook = state.webhook
    same = (hook.url, hook.secret_token, hook.certificate) == (url, secret, certificate)
    hook.url, hook.secret_token, hook.certificate = url, secret, certificate
    hook.max_connections = min(max(max_connections, 1), 100)
    call.webhooks.start()
    return Described(True, "Webhook is already set" if same else "Webhook was set")


def _certificate(call: BotCall) -> bytes | None:
    """The uploaded ``certificate`` (a file, or ``attach://<name>``); a string is ignored."""
    files, name = call.args.files, call.args.arg("certificate")
    data = files.get("certificate")
    if data is None and name.startswith("attach://"):
        data = files.get(name[len("attach://") :])
    if data is not None and len(data) > CERTIFICATE_MAX:
        raise bad_request(f"certificate size is too big ({len(data)} bytes)")
    return data


def delete_webhook(call: BotCall) -> Described:
    """deleteWebhook (optionally dropping pending updates)."""
    state = call.state
    if to_bool(call.args.arg("drop_pending_updates")):
        state.updates.clear()
    had = bool(state.webhook.url)
    call.webhooks.stop()
    state.webhook = Webhook()
    return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")


def get_webhook_info(call: BotCall) -> dict[str, Any]:
    """getWebhookInfo."""
    state, hook = call.state, call.state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": hook.certificate is not None,
        "pending_update_count": len(state.updates),
    }
    if hook.last_error_date:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    if hook.url:
        info["max_connections"] = hook.max_connections
    if state.allowed_updates != UPDATE_TYPES - NOT_BY_DEFAULT:
        info["allowed_updates"] = sorted(state.allowed_updates)
    return info


def answer_callback_query(call: BotCall) -> bool:
    """answerCallbackQuery: once per query (``QUERY_ID_INVALID`` otherwise), text up to 200."""
    args = call.args
    query = call.state.callbacks.get(args.arg("callback_query_id"))
    if query is None or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = args.arg("text")
    if len(text) > CALLBACK_TEXT_MAX:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": to_bool(args.arg("show_alert")),
        "url": args.arg("url"),
        "cache_time": max(to_integer(args.arg("cache_time")), 0),
    }
    return True


def set_my_commands(call: BotCall) -> bool:
    """setMyCommands (default scope only)."""
    commands = call.args.json_arg("commands", "commands")
    if commands is not None and not isinstance(commands, list):
        raise bad_request("expected an Array of BotCommand")
    call.state.commands = commands or []
    return True


def get_my_commands(call: BotCall) -> list[Any]:
    """getMyCommands."""
    return call.state.commands


def delete_my_commands(call: BotCall) -> bool:
    """deleteMyCommands."""
    call.state.commands = []
    return True
