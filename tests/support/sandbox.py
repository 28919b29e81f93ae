"""The sandbox tests' chats, tokens and raw calls (shared by tests/sandbox/)."""

from __future__ import annotations

from typing import Any

import httpx

from distributor.sandbox.config import ChatSpec, SandboxConfig

TOKEN = "123456789:sandbox-token-for-tests-only-abcdefgh"
CHANNEL, GROUP, PRIVATE = -1001234567890, -4000001, 5550001
USER_TOKEN = "4242-sandboxaccesstoken"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)

CONFIG = SandboxConfig(
    chats=[
        ChatSpec(id=CHANNEL, type="channel", username="@sandboxnews", title="News"),
        ChatSpec(id=GROUP, type="group", title="Readers"),
        ChatSpec(id=PRIVATE, type="private", username="reader1"),
    ]
)


def messages(control: httpx.Client, chat_id: int | None = None) -> list[dict[str, Any]]:
    """What the sandbox holds as posted to Telegram."""
    params = {"chat_id": chat_id} if chat_id is not None else {}
    response = control.get("/sandbox/telegram/messages", params=params)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


def call(control: httpx.Client, method: str, **data: Any) -> httpx.Response:
    """A raw form-encoded Bot API call (for what no client would send)."""
    return control.post(f"/bot{TOKEN}/{method}", data=data)
