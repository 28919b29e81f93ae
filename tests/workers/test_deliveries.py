"""A manager settles a Telegram delivery the service could not verify."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from distributor.config import ApiToken
from distributor.models import DeliveryState
from tests.support.seed import seed_event
from tests.support.spine import Spine, wait_until

DESK = ApiToken(
    name="desk",
    token=SecretStr("desk-token-0123456789abcdef"),
    scopes=frozenset({"deliveries:read", "deliveries:resolve"}),
)
AUTH = {"Authorization": "Bearer desk-token-0123456789abcdef"}


def test_in_doubt_delivery_is_listed_and_resolved_not_posted_then_sent_once(
    make_spine: Any,
) -> None:
    spine: Spine = make_spine(tokens=[DESK])
    # a 502 after the request went out: Telegram may have posted it; here it did not
    spine.sandbox.fault(platform="telegram", method="sendPhoto", kind="server_error", status=502)
    spine.worker()
    event = seed_event(article_id="doubtful")
    event["article"]["category"] = "Bisnis"
    assert spine.publish(event).status_code == 202
    wait_until(lambda: getattr(spine.deliveries("doubtful").get("tg-main"), "state", None)
               is DeliveryState.IN_DOUBT, what="tg-main in doubt")  # fmt: skip
    assert spine.sandbox.messages() == []

    assert spine.api.get("/v1/deliveries/in-doubt").status_code == 401
    [entry] = spine.api.get("/v1/deliveries/in-doubt", headers=AUTH).json()
    assert entry["delivery"]["destination"] == "tg-main"
    assert "502" in entry["delivery"]["error"] or "Bad Gateway" in entry["delivery"]["error"]

    url = "/v1/articles/doubtful/deliveries/tg-main/1/resolve"
    resp = spine.api.post(url, json={"outcome": "not_posted", "note": "checked the channel"},
                          headers=AUTH)  # fmt: skip
    assert resp.status_code == 200, resp.text
    wait_until(lambda: spine.deliveries("doubtful")["tg-main"].state is DeliveryState.SENT,
               what="re-sent after the manager's word")  # fmt: skip
    assert len(spine.sandbox.messages()) == 1
    assert spine.api.post(url, json={"outcome": "posted"}, headers=AUTH).status_code == 409
    assert spine.api.get("/v1/deliveries/in-doubt", headers=AUTH).json() == []
    history = spine.api.get("/v1/articles/doubtful/deliveries", headers=AUTH).json()["history"]
    assert any("resolved by desk" in str(h.get("reason")) for h in history)
