"""POST /v1/events, deliveries and healthz over real HTTP, real Redis and a real Celery producer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.intake.signature import SIGNATURE_HEADER, sign
from distributor.keys import Keys
from distributor.publishing.ledger import Ledger
from distributor.queue.names import FAN_OUT
from distributor.wiring import Container
from tests.support.intake import (
    READER_TOKEN,
    SECRET,
    api_services,
    free_port,
    live_server,
    make_settings,
    queued_tasks,
    signed_headers,
    snapshot,
)
from tests.support.seed import seed_event
from tests.support.wordpress_post import POST_ID, wordpress_post

DROP = object()
Headers = Callable[[bytes], dict[str, str]]


def encode(data: Any) -> bytes:
    return json.dumps(data).encode()


def signed_at(offset_s: int) -> dict[str, str]:
    return signed_headers(SEED, int(time.time()) + offset_s)


SEED = encode(seed_event())


def test_valid_event_is_accepted_and_queued_once(
    client: TestClient, redis_client: Redis, keys: Keys
) -> None:
    stamp = int(time.time())
    response = client.post("/v1/events", content=SEED, headers=signed_headers(SEED, stamp))
    assert response.status_code == 202
    event_id = response.json()["event_id"]
    assert response.json() == {"event_id": event_id, "duplicate": False}
    again = client.post("/v1/events", content=SEED, headers=signed_headers(SEED, stamp - 1))
    assert again.status_code == 202
    assert again.json() == {"event_id": event_id, "duplicate": True}
    tasks = queued_tasks(redis_client, keys)
    assert [(t["task"], t["kwargs"]["event_id"]) for t in tasks] == [(FAN_OUT, event_id)]
    assert tasks[0]["kwargs"]["event"]["article"]["id"] == seed_event()["article"]["id"]


def test_a_replayed_signature_is_refused_and_changes_nothing(
    client: TestClient, redis_url: str, redis_client: Redis, keys: Keys
) -> None:
    headers = signed_headers(SEED)
    assert client.post("/v1/events", content=SEED, headers=headers).status_code == 202
    before = snapshot(redis_url)
    replay = client.post("/v1/events", content=SEED, headers=headers)
    assert replay.status_code == 401
    assert "replayed signature" in replay.json()["error"]["message"]
    assert snapshot(redis_url) == before
    assert redis_client.llen(keys.queue("fan_out")) == 1


def test_wordpress_post_is_accepted_through_the_adapter(
    client: TestClient, redis_client: Redis, keys: Keys
) -> None:
    body = encode(wordpress_post())
    response = client.post("/v1/events", content=body, headers=signed_headers(body))
    assert response.status_code == 202, response.text
    (task,) = queued_tasks(redis_client, keys)
    event = task["kwargs"]["event"]
    seed = seed_event()["article"]
    assert event["type"] == "article.published"
    assert event["article"]["id"] == str(POST_ID)
    assert (event["article"]["title"], event["article"]["url"]) == (seed["title"], seed["url"])
    assert event["article"]["tags"] == seed["tags"]


def test_same_event_five_times_at_once_queues_one_task(
    services: Container, redis_client: Redis, keys: Keys
) -> None:
    barrier = threading.Barrier(5)
    results: list[httpx.Response] = []

    def post(offset: int, base: str) -> None:
        headers = signed_at(-offset)  # distinct signatures: five genuine deliveries
        barrier.wait()
        results.append(httpx.post(f"{base}/v1/events", content=SEED, headers=headers))

    with live_server(create_app(services)) as server:
        threads = [threading.Thread(target=post, args=(i, server.url)) for i in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [r.status_code for r in results] == [202] * 5
    assert len({r.json()["event_id"] for r in results}) == 1
    assert sorted(r.json()["duplicate"] for r in results) == [False, True, True, True, True]
    assert redis_client.llen(keys.queue("fan_out")) == 1


def test_the_same_signed_request_five_times_at_once_is_accepted_once(
    services: Container, redis_client: Redis, keys: Keys
) -> None:
    headers = signed_headers(SEED)
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def post(base: str) -> None:
        barrier.wait()
        statuses.append(httpx.post(f"{base}/v1/events", content=SEED, headers=headers).status_code)

    with live_server(create_app(services)) as server:
        threads = [threading.Thread(target=post, args=(server.url,)) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [202, 401, 401, 401, 401]
    assert redis_client.llen(keys.queue("fan_out")) == 1


def test_a_streamed_body_over_the_limit_is_cut_off(
    services: Container, redis_url: str, keys: Keys
) -> None:
    """Chunked upload with no Content-Length: refused while streaming, not after."""
    data = seed_event()
    data["article"]["excerpt"] = "x" * 1_200_000
    body = encode(data)
    headers = signed_headers(body)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    before = snapshot(redis_url)
    with live_server(create_app(services)) as server:
        response = httpx.post(f"{server.url}/v1/events", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert "body exceeds the limit of 1000000 bytes" in response.json()["error"]["message"]
    assert snapshot(redis_url) == before


def test_deliveries_list_states_ids_attempts_errors_and_history(
    client: TestClient, services: Container
) -> None:
    article_id = seed_event()["article"]["id"]
    ledger = Ledger(services.redis, services.keys)
    sent = ledger.claim(article_id, "tg-main", 1)
    assert sent is not None
    ledger.record_sent(sent, ["4242"], "sendMessage")
    failing = ledger.claim(article_id, "x-main", 1)
    assert failing is not None
    ledger.record_failed(failing, "403 Forbidden: duplicate content")
    response = client.get(
        f"/v1/articles/{article_id}/deliveries",
        headers={"Authorization": f"Bearer {READER_TOKEN}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["article_id"] == article_id
    rows = {d["destination"]: d for d in body["deliveries"]}
    assert rows["tg-main"]["state"] == "sent"
    assert rows["tg-main"]["message_ids"] == ["4242"]
    assert rows["tg-main"]["attempts"] == 1
    assert rows["x-main"]["state"] == "failed"
    assert rows["x-main"]["error"] == "403 Forbidden: duplicate content"
    assert {"sent", "failed"} <= {entry["to"] for entry in body["history"]}


def test_deliveries_of_an_unknown_article_is_404(client: TestClient) -> None:
    response = client.get(
        "/v1/articles/never-seen/deliveries", headers={"Authorization": f"Bearer {READER_TOKEN}"}
    )
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "no deliveries recorded for article 'never-seen'",
    }


def test_deliveries_with_a_bad_article_id_names_the_parameter(client: TestClient) -> None:
    response = client.get(
        "/v1/articles/a%20b/deliveries", headers={"Authorization": f"Bearer {READER_TOKEN}"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("path parameter article_id: ")


def test_healthz_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    expected = {"status": "ok", "checks": {"redis": "ok", "broker": "ok"}, "held": []}
    assert response.json() == expected


def test_healthz_names_a_broker_that_is_down(
    redis_url: str, redis_client: Redis, keys: Keys
) -> None:
    port = free_port()
    settings = make_settings(redis_url, keys, broker_url=f"redis://127.0.0.1:{port}/0")
    with api_services(settings) as services, TestClient(create_app(services)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "unavailable", "message": "broker is down"},
        "status": "unavailable",
        "checks": {"redis": "ok", "broker": "down"},
    }  # why (the address it could not reach) is in the log only: anyone may ask
    assert str(port) not in response.text and "127.0.0.1" not in response.text


def test_healthz_names_redis_when_everything_is_down(keys: Keys) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with (
        api_services(make_settings(dead, keys)) as services,
        TestClient(create_app(services)) as client,
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["error"]["message"] == "redis is down; broker is down"
    assert "127.0.0.1" not in response.text


def test_a_route_whose_redis_is_down_answers_503_without_internals(keys: Keys) -> None:
    port = free_port()
    dead = make_settings(f"redis://127.0.0.1:{port}/0", keys)
    with api_services(dead) as services, TestClient(create_app(services)) as client:
        response = client.post("/v1/events", content=SEED, headers=signed_headers(SEED))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert str(port) not in response.text and "127.0.0.1" not in response.text


def test_an_unexpected_error_is_a_generic_500_in_the_error_shape(client: TestClient) -> None:
    def broken() -> None:
        raise RuntimeError("secret detail: redis://10.1.2.3:6379")

    client.app.add_api_route("/broken", broken)  # type: ignore[attr-defined]
    with TestClient(client.app, raise_server_exceptions=False) as plain:
        response = plain.get("/broken")
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "internal error; the details are in the service's log",
        }
    }


def test_openapi_lists_the_routes_and_the_event_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/events", "/v1/articles/{article_id}/deliveries", "/healthz"} <= set(spec["paths"])
    post = spec["paths"]["/v1/events"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"type", "article"}
    assert "published_at" in schema["properties"]["article"]["required"]
    assert any(p["name"] == SIGNATURE_HEADER for p in post["parameters"])
    assert "$ref" not in json.dumps(schema)


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    assert client.get("/nope").json() == {"error": {"code": "not_found", "message": "Not Found"}}
    wrong = client.get("/v1/events")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_the_signature_is_over_the_raw_bytes(
    client: TestClient, redis_client: Redis, keys: Keys
) -> None:
    """Whitespace and key order are part of what is signed; re-serialising would break it."""
    body = b'{ "article": %s ,\n "type": "article.published" }' % encode(seed_event()["article"])
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(body, SECRET.encode(), stamp),
    }
    assert client.post("/v1/events", content=body, headers=headers).status_code == 202
    assert redis_client.llen(keys.queue("fan_out")) == 1


def test_several_webhook_secrets_are_accepted_while_one_is_rotated(
    redis_url: str, redis_client: Redis, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    new, newer = "rotated-in-secret-0123456789", "rotated-in-later-0123456789"
    monkeypatch.setenv("DISTRIBUTOR_WEBHOOK_SECRETS", json.dumps([newer, new]))
    settings = make_settings(redis_url, keys)  # DISTRIBUTOR_WEBHOOK_SECRET=SECRET still works
    assert settings.webhook_secret_values() == [newer.encode(), new.encode(), SECRET.encode()]
    with api_services(settings) as services, TestClient(create_app(services)) as client:
        for n, secret in enumerate((SECRET, new, newer)):
            body = encode(seed_event(article_id=f"rotation-{n}"))
            headers = signed_headers(body, secret=secret)
            response = client.post("/v1/events", content=body, headers=headers)
            assert response.status_code == 202, response.text
        body = encode(seed_event(article_id="rotation-x"))
        headers = signed_headers(body, secret="x" * 30)
        refused = client.post("/v1/events", content=body, headers=headers)
        assert refused.status_code == 401
