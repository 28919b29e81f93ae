"""Scoped bearer tokens: 401 without a valid one, 403 without the scope, never logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.api.auth import require_scope
from distributor.keys import Keys
from distributor.manage.tokens import Principal, find_token
from tests.support.intake import READER_TOKEN, RESHARE_TOKEN, TOKENS, api_services, make_settings

DELIVERIES = "/v1/articles/20240201-rakor/deliveries"


@pytest.fixture
def client(redis_url: str, redis_client: Redis, keys: Keys) -> Iterator[TestClient]:
    with api_services(make_settings(redis_url, keys)) as services:
        app = create_app(services)

        @app.get("/probe/reshare")
        def probe(token: Annotated[Principal, Depends(require_scope("reshare"))]) -> dict[str, str]:
            return {"name": token.name}

        with TestClient(app) as test_client:
            yield test_client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_missing_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get(DELIVERIES)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == {
        "code": "unauthorized",
        "message": "missing bearer token (Authorization: Bearer <token>)",
    }


@pytest.mark.parametrize(
    "header", [f"Basic {READER_TOKEN}", "Bearer", f"Bearer {READER_TOKEN}x", "Bearer wrong"]
)
def test_wrong_scheme_or_unknown_token_is_401(client: TestClient, header: str) -> None:
    response = client.get(DELIVERIES, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_token_without_the_scope_is_403_naming_it(client: TestClient) -> None:
    response = client.get(DELIVERIES, headers=_auth(RESHARE_TOKEN))
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "token 'resharer' lacks the scope 'deliveries:read'",
    }


def test_each_scope_admits_its_own_token(client: TestClient) -> None:
    assert client.get(DELIVERIES, headers=_auth(READER_TOKEN)).status_code == 404  # no records
    assert client.get("/probe/reshare", headers=_auth(RESHARE_TOKEN)).json() == {"name": "resharer"}
    assert client.get("/probe/reshare", headers=_auth(READER_TOKEN)).status_code == 403


def test_find_token_matches_exactly() -> None:
    assert find_token(TOKENS, READER_TOKEN) is TOKENS[0]
    assert find_token(TOKENS, READER_TOKEN[:-1]) is None
    assert find_token(TOKENS, "") is None


def test_tokens_never_reach_the_logs_or_responses(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    responses = [
        client.get(DELIVERIES, headers=_auth(READER_TOKEN)),
        client.get(DELIVERIES, headers=_auth(RESHARE_TOKEN)),
        client.get(DELIVERIES, headers=_auth("guessed-token")),
    ]
    for secret in (READER_TOKEN, RESHARE_TOKEN, "guessed-token"):
        assert secret not in caplog.text
        assert all(secret not in r.text for r in responses)


def test_openapi_declares_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert spec["paths"]["/v1/articles/{article_id}/deliveries"]["get"]["security"] == [
        {"HTTPBearer": []}
    ]
