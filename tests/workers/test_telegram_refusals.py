"""Telegram refusals through a real worker and the sandbox: a photo Telegram cannot fetch goes
out as text under the same claim; a right the bot lacks fails with what a manager must fix."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from distributor.config import ApiToken
from distributor.models import DeliveryState
from distributor.sandbox.server import chat_for_target
from tests.support.images import image_server
from tests.support.seed import seed_event
from tests.support.spine import Spine, wait_until

READER = ApiToken(
    name="desk", token=SecretStr("desk-token-0123456789abcdef"),
    scopes=frozenset({"deliveries:read"}),
)  # fmt: skip
AUTH = {"Authorization": "Bearer desk-token-0123456789abcdef"}


def settled(spine: Spine, article_id: str, destination: str) -> Any:
    """Wait until the delivery is no longer pending or sending; return it."""
    busy = (DeliveryState.PENDING, DeliveryState.SENDING)
    return wait_until(
        lambda: (d := spine.deliveries(article_id).get(destination)) is not None
        and d.state not in busy and d,
        what=f"{destination} settled",
    )  # fmt: skip


def test_a_photo_telegram_cannot_fetch_goes_out_as_text_under_the_same_claim(
    make_spine: Any,
) -> None:
    spine: Spine = make_spine()
    spine.worker()
    with image_server({}) as images:  # every path a 404
        event = seed_event(article_id="no-photo")
        event["article"]["image_url"] = images + "/wp-content/uploads/gone.jpg"
        assert spine.publish(event).status_code == 202
        delivery = settled(spine, "no-photo", "tg-main")
    assert delivery.state is DeliveryState.SENT
    [message] = spine.sandbox.messages("@visualjambi")
    assert message["photo"] is None and message["text"]
    assert message["link_preview_options"]["url"] == event["article"]["url"]
    assert message["message_id"] == int(delivery.message_ids[0])
    assert spine.ledger().live_post("no-photo", "tg-main").method == "sendMessage"
    history = [h for h in spine.ledger().history("no-photo") if h["destination"] == "tg-main"]
    [note] = [h for h in history if h.get("event") == "media_refused"]
    assert "failed to get http url content" in note["reason"].lower()
    assert "as a sendMessage" in note["reason"]
    assert [h.get("to") for h in history].count("sending") == 1  # one claim, one post


def test_a_channel_without_the_post_right_fails_with_what_to_fix(make_spine: Any) -> None:
    spine: Spine = make_spine(tokens=[READER])
    channel = chat_for_target("@visualjambi").id
    httpx.patch(
        f"{spine.sandbox.url}/sandbox/telegram/chats/{channel}",
        json={"can_post_messages": False},
    ).raise_for_status()
    spine.worker()
    assert spine.publish(seed_event(article_id="no-rights")).status_code == 202
    delivery = settled(spine, "no-rights", "tg-main")
    assert delivery.state is DeliveryState.FAILED
    assert spine.sandbox.messages("@visualjambi") == []
    [entry] = spine.api.get("/v1/deliveries/failed", headers=AUTH).json()
    error = entry["delivery"]["error"]
    assert entry["delivery"]["destination"] == "tg-main"
    assert "needs the 'Post messages' right in channel @visualjambi" in error
    assert "make it an administrator" in error
    assert "need administrator rights in the channel chat" in error.lower()
