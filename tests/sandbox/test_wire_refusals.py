"""Garbage and wrong types get each platform's error shape: a 4xx, never a 500 or a traceback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.sandbox import CHANNEL, PNG, TOKEN

BOT = f"/bot{TOKEN}"
USER = {"Authorization": 'OAuth oauth_consumer_key="k", oauth_token="4242-t", oauth_nonce="n"'}


def assert_bot_api_refusal(response: httpx.Response, code: int, description: str) -> None:
    assert response.status_code == code
    assert response.json() == {"ok": False, "error_code": code, "description": description}


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}},
         "Bad Request: can't parse JSON encoded request body"),
        ({"json": [1, 2]}, "Bad Request: JSON object expected as request body"),
        ({"json": {"chat_id": {"a": 1}, "text": "x"}}, "Bad Request: chat not found"),
        ({"json": {"chat_id": CHANNEL, "text": 5}}, None),
        ({"json": {"chat_id": CHANNEL, "text": ["x"]}}, None),
        ({"content": b"\xff\xfe", "headers": {"content-type": "application/x-www-form-urlencoded"}},
         "Bad Request: strings must be encoded in UTF-8"),
        ({"content": b"--x\r\ngarbage", "headers": {"content-type": "multipart/form-data"}},
         "Bad Request: can't parse multipart/form-data request body"),
        ({"data": {"chat_id": "", "text": "x"}}, "Bad Request: chat_id is empty"),
        ({"data": {"chat_id": CHANNEL, "text": "x", "parse_mode": "Textile"}},
         "Bad Request: unsupported parse_mode"),
        ({"data": {"chat_id": CHANNEL, "text": "x", "reply_markup": "{"}},
         "Bad Request: can't parse reply keyboard markup JSON object"),
        ({"data": {"chat_id": CHANNEL, "text": "x", "reply_markup": "[]"}},
         "Bad Request: object expected as reply markup"),
        ({"data": {"chat_id": CHANNEL, "text": "x",
                   "reply_markup": '{"inline_keyboard": [[{"text": "t"}]]}'}},
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
         "inline keyboard"),
        ({"data": {"chat_id": CHANNEL, "text": "x", "link_preview_options": "5"}},
         "Bad Request: object expected as link preview options"),
    ],
)  # fmt: skip
def test_send_message_garbage(control: httpx.Client, kwargs: Any, description: str | None) -> None:
    response = control.post(f"{BOT}/sendMessage", **kwargs)
    if description is None:  # numbers and arrays are sent as their JSON text, as Telegram does
        assert response.status_code == 200 and response.json()["ok"] is True
    else:
        assert_bot_api_refusal(response, 400, description)


@pytest.mark.parametrize(
    ("media", "description"),
    [
        ("not json", "Bad Request: can't parse media JSON object"),
        ('{"type": "photo"}', "Bad Request: expected an Array of InputMedia"),
        ("[1]", "Bad Request: can't parse InputMedia: expected an Object"),
        ('[{"type": "photo", "media": "attach://nothing"}]',
         "Bad Request: can't parse InputMedia: media not found"),
        ('[{"type": "sticker", "media": "https://example.com/a.png"}]',
         'Bad Request: can\'t parse InputMedia: type "sticker" is unsupported'),
        ('[{"type": "photo", "media": "https://example.com/a.png", "caption": "<x>",'
         ' "parse_mode": "HTML"}]',
         "Bad Request: can't parse InputMedia: Can't parse entities: Unsupported start tag \"x\" "
         "at byte offset 0"),
    ],
)  # fmt: skip
def test_media_group_garbage(control: httpx.Client, media: str, description: str) -> None:
    response = control.post(f"{BOT}/sendMediaGroup", data={"chat_id": CHANNEL, "media": media})
    assert_bot_api_refusal(response, 400, description)


def test_photo_garbage(control: httpx.Client) -> None:
    not_an_image = control.post(f"{BOT}/sendPhoto", data={"chat_id": CHANNEL},
                                files={"photo": ("x.png", b"hello")})  # fmt: skip
    unknown_id = control.post(f"{BOT}/sendPhoto", data={"chat_id": CHANNEL, "photo": "nope"})
    missing = control.post(f"{BOT}/sendPhoto", data={"chat_id": CHANNEL})
    assert_bot_api_refusal(not_an_image, 400, "Bad Request: IMAGE_PROCESS_FAILED")
    assert_bot_api_refusal(unknown_id, 400, "Bad Request: wrong file identifier/HTTP URL specified")
    assert_bot_api_refusal(missing, 400, "Bad Request: there is no photo in the request")
    ok = control.post(f"{BOT}/sendPhoto", data={"chat_id": CHANNEL}, files={"photo": PNG})
    assert ok.json()["result"]["photo"][-1]["file_size"] == len(PNG)


def test_lenient_integers_and_case_insensitive_methods(control: httpx.Client) -> None:
    response = control.get(f"{BOT}/GETUPDATES", params={"limit": "abc", "timeout": "-5"})
    assert response.json() == {"ok": True, "result": []}


def test_edit_without_any_message_identifier(control: httpx.Client) -> None:
    response = control.post(f"{BOT}/editMessageText", data={"text": "x"})
    assert_bot_api_refusal(response, 400, "Bad Request: message identifier is not specified")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "message"),
    [
        ("POST", "/2/tweets", {"content": b"text=hi"},
         "Requests with bodies must have content-type of application/json."),
        ("POST", "/2/tweets", {"content": b"{", "headers": {"content-type": "application/json"}},
         "Request body is not valid JSON."),
        ("POST", "/2/tweets", {"json": []}, "$: array found, object expected"),
        ("POST", "/2/tweets", {"json": {"text": 5}}, "$.text: integer found, string expected"),
        ("POST", "/2/tweets", {"json": {"txt": "hi"}},
         "$.txt: is not defined in the schema and the schema does not allow additional properties"),
        ("POST", "/2/tweets", {"json": {}},
         "You must provide at least one of: text, media, poll, card_uri."),
        ("POST", "/2/tweets", {"json": {"text": "x", "media": {"media_ids": [1]}}},
         "$.media.media_ids: array of strings expected"),
        ("GET", "/2/tweets", {"params": {"ids": "1,abc"}},
         "The `ids` query parameter value [abc] is not valid"),
        ("GET", "/2/tweets", {"params": {}}, "The `ids` query parameter can not be empty"),
        ("GET", "/2/tweets", {"params": {"ids": "1", "tweet.fields": "bogus"}}, None),
        ("GET", "/2/users/abc/tweets", {}, "The `id` query parameter value [abc] is not valid"),
        ("GET", "/2/users/4242/tweets", {"params": {"max_results": "1000"}},
         "The `max_results` query parameter value [1000] is not between 5 and 100"),
        ("DELETE", "/2/tweets/x1", {}, "The `id` query parameter value [x1] is not valid"),
    ],
)  # fmt: skip
def test_x_garbage(
    control: httpx.Client, method: str, path: str, kwargs: Any, message: str | None
) -> None:
    response = control.request(method, path, headers=USER | kwargs.pop("headers", {}), **kwargs)
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "Invalid Request"
    if message is not None:
        assert body["errors"][0]["message"] == message


def test_x_media_upload_garbage(control: httpx.Client) -> None:
    url = "/1.1/media/upload.json"
    missing = control.post(url, headers=USER, data={"x": "1"})
    not_image = control.post(url, headers=USER, files={"media": ("a.png", b"hello")})
    no_body = control.post(url, headers=USER, content=b"junk")
    assert missing.status_code == not_image.status_code == 400
    assert missing.json() == {"errors": [{"code": 38, "message": "media parameter is missing."}]}
    assert not_image.json()["errors"][0]["code"] == 324
    assert no_body.status_code == 400


def test_x_needs_authentication(control: httpx.Client) -> None:
    response = control.post("/2/tweets", json={"text": "hi"})
    assert response.status_code == 401
    assert response.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401,
                               "detail": "Unauthorized"}  # fmt: skip
