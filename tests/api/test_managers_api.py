"""Managers' routes over the real app, Redis and Celery producer: reshares, the calendar,
cancelling, failed deliveries and their retry, the audit log; tokens that cannot act change
nothing, and no token ever reaches the audit log or an answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from distributor.keys import Keys
from distributor.manage.tokens import SCOPES, TokenStore
from distributor.models import Article
from distributor.wiring import Container
from tests.support.clock import T0, Clock
from tests.support.intake import queued_tasks, snapshot
from tests.support.seed import seed_article_dict

A = "20240201-rakor"
REF = f"/v1/articles/{A}/reshares"


@pytest.fixture
def tokens(services: Container) -> dict[str, str]:
    """Plain tokens by name: one per scope, one with every scope."""
    made = {"all": _token(services, "all", sorted(SCOPES))}
    for scope in SCOPES:
        name = scope.replace(":", "-")
        made[name] = _token(services, name, [scope])
    return made


def _token(services: Container, name: str, scopes: list[str]) -> str:
    plain, _ = services.tokens.create(name, scopes, created_by="test", expires_in_s=3600)
    return plain


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _posted(services: Container) -> None:
    """The seed article, published and posted at tg-main and x-main just now."""
    services.articles.save(Article.model_validate(seed_article_dict(A)))
    for destination, message_id in (("tg-main", "10"), ("x-main", "20")):
        claim = services.ledger.claim(A, destination, 1)
        assert claim is not None
        services.ledger.record_sent(claim, [message_id])


def _changes(redis_url: str, keys: Keys, before: dict[bytes, Any]) -> set[bytes]:
    """Keys that changed since ``before``, but the audit log, tokens' last use, rate slots."""
    after = snapshot(redis_url)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    skip = (keys.audit(), keys.token(""), keys.rate(""))
    return {k for k in changed if not k.decode().startswith(skip)}


def test_a_reshare_right_after_posting_is_409_naming_the_cooldown_and_queues_nothing(
    client: TestClient, services: Container, tokens: dict[str, str], redis_url: str, keys: Keys
) -> None:
    _posted(services)
    before = snapshot(redis_url)
    response = client.post(REF, json={}, headers=_auth(tokens["reshare"]))
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"]["code"] == "conflict"
    assert "tg-main: cooldown until" in body["error"]["message"]
    assert {d["destination"]: d["status"] for d in body["details"]} == {
        "tg-main": "refused", "x-main": "refused",
    }  # fmt: skip
    assert all(d["cooldown_until"] for d in body["details"])
    assert _changes(redis_url, keys, before) == set()
    assert queued_tasks(services.redis, keys, "deliver.telegram") == []


def test_forced_reshare_queues_each_destination_and_shows_in_the_calendar(
    client: TestClient, services: Container, tokens: dict[str, str], keys: Keys
) -> None:
    _posted(services)
    response = client.post(REF, json={"force": True, "text": "Masih hangat"},
                           headers=_auth(tokens["reshare"]))  # fmt: skip
    assert response.status_code == 202, response.text
    data = response.json()
    assert {d["destination"]: d["status"] for d in data["destinations"]} == {
        "tg-main": "queued", "x-main": "queued",
    }  # fmt: skip
    for queue, destination in (("deliver.telegram", "tg-main"), ("deliver.x", "x-main")):
        [task] = queued_tasks(services.redis, keys, queue)
        assert task["kwargs"] == {"reshare_id": data["id"], "destination": destination}
    listed = client.get("/v1/reshares", headers=_auth(tokens["reshare"])).json()
    [item] = listed["reshares"]
    assert item["id"] == data["id"] and item["created_by"] == "reshare" and item["force"]
    assert item["text"] == "Masih hangat"
    one = client.get(f"/v1/reshares/{data['id']}", headers=_auth(tokens["reshare"]))
    assert one.json()["targets"][0]["status"] == "queued"
    cancel = client.delete(f"/v1/reshares/{data['id']}", headers=_auth(tokens["reshare"]))
    assert cancel.status_code == 409 and "has started" in cancel.json()["error"]["message"]


def test_a_scheduled_reshare_can_be_cancelled_once(
    client: TestClient, services: Container, tokens: dict[str, str], keys: Keys
) -> None:
    _posted(services)
    at = (datetime.now(UTC) + timedelta(hours=30)).isoformat()
    data = client.post(REF, json={"at": at, "destinations": ["x-main"]},
                       headers=_auth(tokens["reshare"])).json()  # fmt: skip
    assert [d["status"] for d in data["destinations"]] == ["scheduled"]
    window = {"from": datetime.now(UTC).isoformat(),
              "to": (datetime.now(UTC) + timedelta(days=2)).isoformat()}  # fmt: skip
    listed = client.get("/v1/reshares", params=window, headers=_auth(tokens["reshare"]))
    assert [r["id"] for r in listed.json()["reshares"]] == [data["id"]]
    cancelled = client.delete(f"/v1/reshares/{data['id']}", headers=_auth(tokens["reshare"]))
    assert cancelled.status_code == 200
    assert [t["status"] for t in cancelled.json()["targets"]] == ["cancelled"]
    assert cancelled.json()["targets"][0]["note"] == "cancelled by reshare"
    again = client.delete(f"/v1/reshares/{data['id']}", headers=_auth(tokens["reshare"]))
    assert again.status_code == 409
    assert queued_tasks(services.redis, keys, "deliver.x") == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"surprise": 1}, "surprise"),
        ({"text": "x" * 201}, "text"),
        ({"at": "2030-01-01T10:00:00"}, "at"),
        ({"destinations": ["NOT-AN-ID"]}, "destinations"),
        ({"at": "2020-01-01T10:00:00+07:00"}, "between now and 90 days"),
        ({"destinations": ["tg-nowhere"], "force": True}, "unknown destinations"),
    ],
)
def test_bad_reshare_requests_are_422_and_change_nothing(
    client: TestClient, services: Container, tokens: dict[str, str], redis_url: str, keys: Keys,
    body: dict[str, Any], fragment: str,
) -> None:  # fmt: skip
    _posted(services)
    before = snapshot(redis_url)
    response = client.post(REF, json=body, headers=_auth(tokens["reshare"]))
    assert response.status_code == 422 and fragment in response.json()["error"]["message"]
    assert _changes(redis_url, keys, before) == set()


def test_unknown_and_unpublished_articles_are_refused(
    client: TestClient, services: Container, tokens: dict[str, str]
) -> None:
    unknown = client.post("/v1/articles/nope/reshares", json={}, headers=_auth(tokens["all"]))
    assert unknown.status_code == 404
    _posted(services)
    services.articles.set_published(A, False)
    gone = client.post(REF, json={"force": True}, headers=_auth(tokens["all"]))
    assert gone.status_code == 409 and "unpublished" in gone.json()["error"]["message"]


def test_failed_deliveries_are_listed_and_retried_once(
    client: TestClient, services: Container, tokens: dict[str, str], keys: Keys
) -> None:
    services.articles.save(Article.model_validate(seed_article_dict(A)))
    claim = services.ledger.claim(A, "tg-main", 1)
    assert claim is not None
    services.ledger.record_failed(claim, "Telegram refused: chat not found")
    [row] = client.get("/v1/deliveries/failed", headers=_auth(tokens["deliveries-read"])).json()
    assert row["delivery"]["error"] == "Telegram refused: chat not found"
    assert row["retry_path"] == f"/v1/articles/{A}/deliveries/tg-main/1/retry"
    forbidden = client.post(row["retry_path"], headers=_auth(tokens["deliveries-read"]))
    assert forbidden.status_code == 403
    retried = client.post(row["retry_path"], headers=_auth(tokens["deliveries-resolve"]))
    assert retried.status_code == 200 and retried.json()["state"] == "pending"
    [task] = queued_tasks(services.redis, keys, "deliver.telegram")
    assert task["task"] == "distributor.deliver" and task["kwargs"]["destination"] == "tg-main"
    assert client.get("/v1/deliveries/failed", headers=_auth(tokens["all"])).json() == []
    again = client.post(row["retry_path"], headers=_auth(tokens["deliveries-resolve"]))
    assert again.status_code == 409 and "not failed" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", REF, "reshare"),
        ("GET", "/v1/reshares", "reshare"),
        ("DELETE", "/v1/reshares/rs_0000000000000000", "reshare"),
        ("GET", "/v1/deliveries/failed", "deliveries:read"),
        ("POST", f"/v1/articles/{A}/deliveries/tg-main/1/retry", "deliveries:resolve"),
        ("GET", "/v1/audit", "audit:read"),
    ],
)
def test_no_wrong_expired_or_revoked_token_acts_and_nothing_changes(
    client: TestClient, services: Container, redis_url: str, keys: Keys, method: str,
    path: str, scope: str,
) -> None:  # fmt: skip
    _posted(services)
    others = sorted(SCOPES - {scope})
    wrong = _token(services, "wrong", others)
    revoked = _token(services, "revoked", [scope])
    services.tokens.revoke("revoked")
    past = TokenStore(services.redis, keys, clock=Clock(T0))  # made long ago, for a day
    expired, _ = past.create("expired", [scope], created_by="test", expires_in_s=86_400)
    cases = [({}, 401, "missing bearer token"), (_auth("distmgr_nothing"), 401, "invalid"),
             (_auth(wrong), 403, "lacks the scope"), (_auth(revoked), 401, "token revoked"),
             (_auth(expired), 401, "token expired")]  # fmt: skip
    for headers, status, message in cases:
        before = snapshot(redis_url)
        response = client.request(method, path, json={"force": True}, headers=headers)
        assert response.status_code == status, (headers, response.text)
        assert message in response.json()["error"]["message"]
        assert _changes(redis_url, keys, before) == set()
    [denied] = services.audit.read(actor="wrong")
    assert denied.outcome == "forbidden" and denied.target == f"{method} {path}"


def test_the_audit_log_names_every_action_by_token_name_never_the_token(
    client: TestClient, services: Container, tokens: dict[str, str]
) -> None:
    _posted(services)
    auth = _auth(tokens["all"])
    made = client.post(REF, json={"force": True}, headers=auth).json()
    client.post(REF, json={}, headers=auth)  # refused: cooldown
    client.delete(f"/v1/reshares/{made['id']}", headers=auth)  # refused: started
    response = client.get("/v1/audit", headers=_auth(tokens["audit-read"]))
    entries = response.json()["entries"]
    assert [(e["actor"], e["action"], e["outcome"]) for e in entries] == [
        ("all", "reshare.cancel", "refused"),
        ("all", "reshare.create", "refused"),
        ("all", "reshare.create", "ok"),
    ]
    assert entries[2]["target"] == A and made["id"] in entries[2]["detail"]
    text = json.dumps(entries) + response.text
    assert all(token not in text for token in tokens.values())
    assert all(token.split("_")[-1] not in text for token in tokens.values())
    only = client.get("/v1/audit", params={"action": "reshare.create", "limit": 1},
                      headers=_auth(tokens["audit-read"]))  # fmt: skip
    assert [e["outcome"] for e in only.json()["entries"]] == ["refused"]


def test_a_body_over_the_limit_is_413_before_any_route_reads_it(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = json.dumps({"text": "x" * 1_100_000}).encode()
    headers = {**_auth(tokens["all"]), "Content-Type": "application/json"}
    response = client.post(REF, content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
