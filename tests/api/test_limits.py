"""Every route bounded (docs/security.md): bodies by the app's cap, request heads by the server."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.keys import Keys
from tests.support.intake import api_services, live_server, make_settings


@pytest.fixture
def app(redis_url: str, redis_client: Redis, keys: Keys) -> Iterator[FastAPI]:
    with api_services(make_settings(redis_url, keys)) as services:
        yield create_app(services)


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, concrete path) of every documented route, and the share link."""
    paths = app.openapi()["paths"]
    out = [(m.upper(), re.sub(r"\{[^}]+\}", "1", p)) for p, ops in paths.items() for m in ops]
    return [*out, ("GET", "/s/1/facebook")]


def test_every_route_refuses_a_body_over_the_cap(app: FastAPI) -> None:
    routes = _routes(app)
    assert ("POST", "/v1/preview") in routes and ("GET", "/v1/trending") in routes
    with TestClient(app) as client:
        for method, path in routes:
            too_big = {"Content-Length": str(1_000_001), "Content-Type": "application/json"}
            response = client.request(method, path, content=b"{}", headers=too_big)
            assert response.status_code == 413, (method, path, response.text)
            assert response.json()["error"]["code"] == "payload_too_large"


def test_a_streamed_body_over_the_cap_is_cut_off_on_any_route(app: FastAPI) -> None:
    chunks = (b"x" * 65536 for _ in range(20))  # 1.3 MB, no Content-Length
    with TestClient(app) as client:
        response = client.post(
            "/v1/articles/a/deliveries/tg/1/resolve",
            content=chunks,
            headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
        )
    assert response.status_code == 413


def _head_status(url: str, header_bytes: int) -> int:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * header_bytes + b"\r\n\r\n"
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(head)  # the server may refuse before it has read all of it
        answer = conn.recv(64)
    return int(answer[9:12])


def test_a_huge_request_head_is_refused_not_read(app: FastAPI) -> None:
    """With httptools (uvicorn's default) a 10 MB header was read whole and answered 200."""
    with live_server(app) as server:
        assert _head_status(server.url, 1_000) == 200
        assert _head_status(server.url, 2_000_000) == 400
