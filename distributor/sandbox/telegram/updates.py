"""Bot API methods about the bot itself: getMe, getChat, updates, webhook, commands."""

from __future__ import annotations

import asyncio
from typing import Any

from distributor.sandbox.telegram.call import BotCall, Described
from distributor.sandbox.telegram.objects import bot_user, chat_full_json
from distributor.sandbox.telegram.protocol import BotApiError, bad_request, to_bool, to_integer

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
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
    """getUpdates with offset confirmation, limit 1-100 and long polling."""
    state, args = call.state, call.args
    if state.webhook_url:
        raise BotApiError(409, WEBHOOK_ACTIVE)
    limit = min(max(to_integer(args.arg("limit")) if args.arg("limit") else 100, 1), 100)
    timeout = min(max(to_integer(args.arg("timeout")), 0), call.long_poll_max_s)
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
    """setWebhook: HTTPS only; the sandbox records it but delivers nothing."""
    url = call.args.arg("url")
    if not url:
        return delete_webhook(call)
    if not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    call.state.webhook_url = url
    return Described(True, "Webhook was set")


def delete_webhook(call: BotCall) -> Described:
    """deleteWebhook (optionally dropping pending updates)."""
    state = call.state
    if to_bool(call.args.arg("drop_pending_updates")):
        state.updates.clear()
    had = bool(state.webhook_url)
    state.webhook_url = ""
    return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")


def get_webhook_info(call: BotCall) -> dict[str, Any]:
    """getWebhookInfo."""
    state = call.state
    return {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }


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
