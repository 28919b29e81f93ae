"""The sandbox's X v2 media upload refuses what X refuses (docs/sandbox.md), over HTTP."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.support.images import jpeg

AUTH = {"Authorization": 'OAuth oauth_consumer_key="k", oauth_token="4242-t"'}
IMAGE = jpeg()


def upload(control: httpx.Client, **fields: Any) -> httpx.Response:
    media = fields.pop("media", IMAGE)
    data = {"media_category": "tweet_image", **fields}
    return control.post("/2/media/upload", data=data, files={"media": ("m", media)}, headers=AUTH)


def refused(response: httpx.Response, text: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["title"] == "Invalid Request"
    assert text in body["errors"][0]["message"]


def test_one_shot_multipart_and_json_give_a_media_id(control: httpx.Client) -> None:
    first = upload(control).json()["data"]
    assert first["media_key"] == f"3_{first['id']}" and first["size"] == len(IMAGE)
    as_json = {"media": base64.b64encode(IMAGE).decode(), "media_category": "tweet_image"}
    second = control.post("/2/media/upload", json=as_json, headers=AUTH)
    assert second.status_code == 200 and second.json()["data"]["id"] != first["id"]


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"media_category": "tweet_poster"}, "media_category"),
        ({"media": b"<html>"}, "media type unrecognized"),
        ({"media_type": "image/png"}, "not image/png"),  # the bytes are a JPEG
        ({"media": b"\xff\xd8\xff" + bytes(6 * 1024 * 1024)}, "File size exceeds 5242880"),
    ],
)
def test_one_shot_refusals(control: httpx.Client, fields: dict[str, Any], text: str) -> None:
    refused(upload(control, **fields), text)


def test_app_only_auth_is_forbidden(control: httpx.Client) -> None:
    response = control.post(
        "/2/media/upload", data={"media_category": "tweet_image"},
        files={"media": ("m", IMAGE)}, headers={"Authorization": "Bearer app"},
    )  # fmt: skip
    assert response.status_code == 403 and response.json()["title"] == "Unsupported Authentication"


def chunked(control: httpx.Client, total: int) -> str:
    body = {"media_type": "image/jpeg", "total_bytes": total, "media_category": "tweet_image"}
    started = control.post("/2/media/upload/initialize", json=body, headers=AUTH)
    assert started.status_code == 200, started.text
    return str(started.json()["data"]["id"])


def append(control: httpx.Client, media_id: str, index: Any, chunk: bytes) -> httpx.Response:
    return control.post(
        f"/2/media/upload/{media_id}/append", data={"segment_index": str(index)},
        files={"media": ("m", chunk)}, headers=AUTH,
    )  # fmt: skip


def test_segments_must_add_up_and_finalize_before_a_tweet(control: httpx.Client) -> None:
    media_id = chunked(control, len(IMAGE))
    half = len(IMAGE) // 2
    assert append(control, media_id, 0, IMAGE[:half]).json()["data"]["expires_at"] > 0
    early = control.post("/2/media/upload/" + media_id + "/finalize", headers=AUTH)
    refused(early, "Segments do not add up to provided total file size.")
    tweet = {"text": "early", "media": {"media_ids": [media_id]}}
    posted = control.post("/2/tweets", json=tweet, headers=AUTH)
    assert posted.status_code == 400 and "Your media IDs are invalid." in posted.text
    assert append(control, media_id, 1, IMAGE[half:]).status_code == 200
    done = control.post(f"/2/media/upload/{media_id}/finalize", headers=AUTH)
    assert done.status_code == 200 and done.json()["data"]["size"] == len(IMAGE)
    status = control.get(
        "/2/media/upload", params={"command": "STATUS", "media_id": media_id}, headers=AUTH
    )
    assert status.json()["data"]["processing_info"]["state"] == "succeeded"
    assert control.post("/2/tweets", json=tweet, headers=AUTH).status_code == 201
    refused(append(control, media_id, 2, b"x"), "already finalized")


@pytest.mark.parametrize(("index", "text"), [(1000, "segment_index"), ("x", "segment_index")])
def test_append_refusals(control: httpx.Client, index: Any, text: str) -> None:
    refused(append(control, chunked(control, 10), index, b"x"), text)


def test_too_many_bytes_for_the_session(control: httpx.Client) -> None:
    refused(append(control, chunked(control, 4), 0, b"12345"), "Segments do not add up")


def test_alt_text_is_kept_and_bounded(control: httpx.Client) -> None:
    media_id = upload(control).json()["data"]["id"]
    ok = {"id": media_id, "metadata": {"alt_text": {"text": "Gubernur membuka rakor"}}}
    answer = control.post("/2/media/metadata", json=ok, headers=AUTH)
    assert answer.json()["data"]["associated_metadata"]["alt_text"]["text"] == ok["metadata"][
        "alt_text"
    ]["text"]  # fmt: skip
    [listed] = control.get("/sandbox/x/media").json()
    assert listed["alt_text"] == "Gubernur membuka rakor"
    long = {"id": media_id, "metadata": {"alt_text": {"text": "a" * 1001}}}
    refused(control.post("/2/media/metadata", json=long, headers=AUTH), "at most 1000")
    other = {"id": "123", "metadata": {"alt_text": {"text": "x"}}}
    refused(control.post("/2/media/metadata", json=other, headers=AUTH), "not a valid media id")


def test_the_quickstarts_command_form_runs_the_same_steps(control: httpx.Client) -> None:
    form = {"command": "INIT", "media_type": "image/jpeg", "total_bytes": str(len(IMAGE))}
    media_id = control.post("/2/media/upload", data=form, headers=AUTH).json()["data"]["id"]
    appended = control.post(
        "/2/media/upload", data={"command": "APPEND", "media_id": media_id, "segment_index": "0"},
        files={"media": ("m", IMAGE)}, headers=AUTH,
    )  # fmt: skip
    assert appended.status_code == 200
    done = control.post(
        "/2/media/upload", data={"command": "FINALIZE", "media_id": media_id}, headers=AUTH
    )
    assert done.json()["data"]["size"] == len(IMAGE)
    refused(control.post("/2/media/upload", data={"command": "X"}, headers=AUTH), "command")
