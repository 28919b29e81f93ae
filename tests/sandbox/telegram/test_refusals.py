"""What the sandbox refuses as Telegram does, with a real Bot: photo URLs it fetches (a local
server's 404, a page that is no image, a file over 5 MB, each answer kept per URL) and the
bot's rights in a channel or its restrictions in a group."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import telegram
from telegram import InputMediaPhoto
from telegram.error import BadRequest

from distributor.sandbox.server import free_port
from distributor.sandbox.telegram.photo_urls import CACHE_TTL_S, MAX_BYTES
from tests.support.images import image_server, jpeg
from tests.support.sandbox import CHANNEL, GROUP, PNG, messages

Run = Any
JPEG = jpeg()
FILES: dict[str, bytes | tuple[str, bytes]] = {
    "/ok.jpg": JPEG,
    "/page.html": ("text/html; charset=utf-8", b"<html><body>not a photo</body></html>"),
    "/huge.jpg": JPEG + bytes(MAX_BYTES),
}


@dataclass
class Served:
    """A local image server: its base URL, what it serves (changeable) and its hits per path."""

    base: str
    files: dict[str, bytes | tuple[str, bytes]]
    hits: dict[str, int]


@pytest.fixture
def images() -> Iterator[Served]:
    """A local image server serving ``FILES``."""
    files, hits = dict(FILES), {}
    with image_server(files, hits=hits) as url:
        yield Served(url, files, hits)


def send(bot_run: Run, url: str) -> telegram.Message:
    result: telegram.Message = bot_run(lambda bot: bot.send_photo(CHANNEL, url, caption="c"))
    return result


@pytest.mark.parametrize(
    ("path", "description"),
    [
        ("/missing.jpg", "failed to get http url content"),
        ("/page.html", "wrong type of the web page content"),
        ("/huge.jpg", "wrong file identifier/http url specified"),
    ],
)
def test_a_photo_url_telegram_cannot_use_is_refused_with_its_words(
    bot_run: Run, control: httpx.Client, images: Served, path: str,
    description: str,
) -> None:  # fmt: skip
    with pytest.raises(BadRequest) as refused:
        send(bot_run, images.base + path)
    assert refused.value.message.lower() == description
    assert messages(control, CHANNEL) == []


def test_a_local_port_nobody_listens_on_fails_to_get_the_content(bot_run: Run) -> None:
    with pytest.raises(BadRequest, match=r"(?i)failed to get http url content"):
        send(bot_run, f"http://127.0.0.1:{free_port()}/a.jpg")


def test_a_fetched_photo_is_posted_with_its_size(
    bot_run: Run, control: httpx.Client, images: Served
) -> None:
    sent = send(bot_run, images.base + "/ok.jpg")
    assert sent.photo[-1].file_size == len(JPEG)
    assert [m["caption"] for m in messages(control, CHANNEL)] == ["c"]
    send(bot_run, images.base + "/ok.jpg")
    assert images.hits["/ok.jpg"] == 1  # the second send used the cached answer


def test_a_refusal_is_kept_per_url_until_the_cache_expires(
    bot_run: Run, control: httpx.Client, images: Served
) -> None:
    url = images.base + "/later.jpg"
    with pytest.raises(BadRequest):
        send(bot_run, url)
    images.files["/later.jpg"] = JPEG  # the photo appears on the server afterwards
    with pytest.raises(BadRequest, match=r"(?i)failed to get http url content"):
        send(bot_run, url)
    assert images.hits["/later.jpg"] == 1
    listing = control.get("/sandbox/telegram/photo_urls").json()
    assert [e["outcome"] for e in listing if e["url"] == url] == ["unreachable"]
    control.post("/sandbox/clock", json={"advance_seconds": CACHE_TTL_S + 1}).raise_for_status()
    assert send(bot_run, url).photo  # fetched again once the answer expired
    assert images.hits["/later.jpg"] == 2


def test_an_unreachable_host_is_taken_as_an_image_unless_marked(
    bot_run: Run, control: httpx.Client
) -> None:
    url = "https://photos.example.invalid/a.jpg"  # .invalid never resolves
    assert send(bot_run, url).photo
    mark = {"url": url, "outcome": "wrong_type"}
    assert control.post("/sandbox/telegram/photo_urls", json=mark).status_code == 201
    with pytest.raises(BadRequest, match=r"(?i)wrong type of the web page content"):
        send(bot_run, url)


def test_an_album_names_the_item_telegram_could_not_fetch(
    bot_run: Run, control: httpx.Client, images: Served
) -> None:
    album = [InputMediaPhoto(images.base + "/ok.jpg"), InputMediaPhoto(images.base + "/gone.jpg")]
    with pytest.raises(BadRequest, match=r'(?i)message #2 with the error message "WEBPAGE_CURL'):
        bot_run(lambda bot: bot.send_media_group(CHANNEL, album))
    assert messages(control, CHANNEL) == []


def test_a_channel_without_the_post_right_refuses_sends_edits_and_deletes(
    bot_run: Run, control: httpx.Client
) -> None:
    sent = bot_run(lambda bot: bot.send_message(CHANNEL, "v1"))
    rights = {"can_post_messages": False, "can_edit_messages": False, "can_delete_messages": False}
    control.patch(f"/sandbox/telegram/chats/{CHANNEL}", json=rights).raise_for_status()
    with pytest.raises(BadRequest, match=r"^Need administrator rights in the channel chat$"):
        bot_run(lambda bot: bot.send_message(CHANNEL, "v2"))
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        bot_run(lambda bot: bot.edit_message_text("v1b", CHANNEL, sent.message_id))
    with pytest.raises(BadRequest, match=r"^Message can't be deleted$"):
        bot_run(lambda bot: bot.delete_message(CHANNEL, sent.message_id))
    control.patch(f"/sandbox/telegram/chats/{CHANNEL}", json={"can_edit_messages": True})
    bot_run(lambda bot: bot.edit_message_text("v1b", CHANNEL, sent.message_id))


def test_a_bot_restricted_in_a_group_may_send_only_what_it_is_allowed(
    bot_run: Run, control: httpx.Client
) -> None:
    control.patch(f"/sandbox/telegram/chats/{GROUP}", json={"can_send_photos": False})
    with pytest.raises(BadRequest, match=r"(?i)^not enough rights to send photos to the chat$"):
        bot_run(lambda bot: bot.send_photo(GROUP, PNG))
    bot_run(lambda bot: bot.send_message(GROUP, "text still goes"))
    control.patch(f"/sandbox/telegram/chats/{GROUP}", json={"can_send_messages": False})
    with pytest.raises(BadRequest, match=r"(?i)^not enough rights to send text messages"):
        bot_run(lambda bot: bot.send_message(GROUP, "no more"))
    assert [m["text"] for m in messages(control, GROUP)] == ["text still goes"]
