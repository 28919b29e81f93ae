"""The Telegram publisher: a real ``telegram.Bot`` against the sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from distributor.errors import (
    DeliveryError,
    InDoubt,
    MediaRefused,
    PermanentError,
    RateLimited,
    TransientError,
)
from distributor.models import Destination, RenderedPost
from distributor.publishers.base import Lookup
from distributor.publishers.factory import build_telegram
from tests.support.publishers import (
    CHANNEL,
    CHANNEL_ID,
    PROBE_CHAT,
    Harness,
    closed_port_url,
    dropping_server,
    sandbox_config,
    sandbox_harness,
)

TEXT = RenderedPost(
    platform="telegram",
    method="sendMessage",
    text='<b>Rakor</b> <a href="https://example.com/a">read</a>',
    parse_mode="HTML",
    reply_markup={"inline_keyboard": [[{"text": "Share", "url": "https://example.com/s/a/x"}]]},
    link_preview_options={"url": "https://example.com/a", "prefer_large_media": True},
)
PHOTO = RenderedPost(
    platform="telegram",
    method="sendPhoto",
    text="<i>caption</i>",
    parse_mode="HTML",
    photo_url="https://example.com/a.jpg",
)


def test_publish_text_with_markup_and_preview(harness: Harness) -> None:
    ids = harness.telegram().publish(CHANNEL, TEXT)
    (message,) = harness.messages()
    assert ids == (str(message["message_id"]),)
    assert message["text"] == "Rakor read"
    assert message["reply_markup"] == TEXT.reply_markup
    assert message["link_preview_options"]["url"] == "https://example.com/a"


def test_publish_photo_with_caption(harness: Harness) -> None:
    harness.telegram().publish(CHANNEL, PHOTO)
    (message,) = harness.messages()
    assert message["caption"] == "caption" and message["photo"]


def test_edit_text_caption_and_identical(harness: Harness) -> None:
    harness.http.patch("/sandbox/config", json={"flood_control": False})  # 6 calls in a row
    telegram = harness.telegram()
    text_ids, photo_ids = telegram.publish(CHANNEL, TEXT), telegram.publish(CHANNEL, PHOTO)
    telegram.edit(CHANNEL, text_ids, TEXT)  # "message is not modified" is success
    telegram.edit(CHANNEL, text_ids, TEXT.model_copy(update={"text": "second"}))
    telegram.edit(CHANNEL, photo_ids, PHOTO.model_copy(update={"text": "new caption"}))
    telegram.edit(CHANNEL, photo_ids, TEXT.model_copy(update={"text": "as text"}))
    by_id = {str(m["message_id"]): m for m in harness.messages()}
    assert by_id[text_ids[0]]["text"] == "second"
    assert by_id[photo_ids[0]]["caption"] == "as text"


def test_edit_of_a_missing_message_is_permanent(harness: Harness) -> None:
    with pytest.raises(PermanentError, match=r"(?i)message to edit not found"):
        harness.telegram().edit(CHANNEL, ("999",), TEXT.model_copy(update={"text": "x"}))


def test_delete_twice_is_fine(harness: Harness) -> None:
    telegram = harness.telegram()
    ids = telegram.publish(CHANNEL, TEXT)
    telegram.delete(CHANNEL, ids)
    telegram.delete(CHANNEL, ids)
    assert harness.messages() == []


def test_find_post_without_a_probe_chat_is_unknowable(harness: Harness) -> None:
    telegram = harness.telegram()
    telegram.publish(CHANNEL, TEXT)
    assert telegram.find_post(CHANNEL, Lookup("https://example.com/a")) is None


def linking(url: str) -> RenderedPost:
    markup = {"inline_keyboard": [[{"text": "Baca", "url": f"{url}?utm_source=telegram"}]]}
    return TEXT.model_copy(update={"text": "<b>Berita</b>", "reply_markup": markup})


@pytest.fixture
def unlimited() -> Iterator[Harness]:
    """A sandbox without flood control: these tests post many messages to one channel."""
    with sandbox_harness(sandbox_config(flood_control=False)) as harness:
        yield harness


def test_find_post_forwards_the_messages_after_the_mark_and_deletes_the_copies(
    unlimited: Harness,
) -> None:
    harness = unlimited
    telegram = harness.telegram(probe_chat=PROBE_CHAT)
    before = telegram.publish(CHANNEL, linking("https://example.com/a"))  # already recorded
    [wanted] = telegram.publish(CHANNEL, linking("https://example.com/b"))
    telegram.publish(CHANNEL, linking("https://example.com/c"))
    mark = int(before[0])
    assert telegram.find_post(CHANNEL, Lookup("https://example.com/b/", mark, mark)) == (wanted,)
    assert telegram.find_post(CHANNEL, Lookup("https://example.com/a", mark, mark)) == ()
    probe = harness.http.get("/sandbox/telegram/messages", params={"chat_id": PROBE_CHAT})
    copies = probe.raise_for_status().json()
    assert copies and all(m["forwarded"] and m["deleted"] for m in copies)
    assert len(harness.messages()) == 3  # the channel itself is untouched


def test_find_post_looks_past_deleted_messages_and_stops_at_newer_ones(
    unlimited: Harness,
) -> None:
    harness = unlimited
    telegram = harness.telegram(probe_chat=PROBE_CHAT)
    gone = [telegram.publish(CHANNEL, TEXT) for _ in range(6)]
    [wanted] = telegram.publish(CHANNEL, linking("https://example.com/b"))
    for ids in gone:
        telegram.delete(CHANNEL, ids)
    upto = int(wanted)  # six deleted ids in a row below the recorded mark are not the end
    assert telegram.find_post(CHANNEL, Lookup("https://example.com/b", 0, upto)) == (wanted,)
    assert telegram.find_post(CHANNEL, Lookup("https://example.com/b", 0, 0)) == ()
    too_late = Lookup("https://example.com/z", int(wanted) - 1, upto, until=0.0)
    assert telegram.find_post(CHANNEL, too_late) == ()  # the first message is already newer


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
@pytest.mark.parametrize(
    ("fault", "error", "posted"),
    [
        ({"kind": "server_error", "status": 500}, InDoubt, 0),
        ({"kind": "server_error", "status": 502, "after": True}, InDoubt, 1),
        ({"kind": "malformed_json", "after": True}, InDoubt, 1),
        ({"kind": "hang", "hang_seconds": 3, "after": True}, InDoubt, 1),
        ({"kind": "rate_limit", "retry_after": 7}, RateLimited, 0),
    ],
)
def test_platform_faults_map_by_whether_it_may_have_posted(
    harness: Harness, fault: dict[str, Any], error: type[DeliveryError], posted: int
) -> None:
    harness.fault("telegram", "sendMessage", **fault)
    telegram = harness.telegram(timeout_s=1.0)
    with pytest.raises(error) as caught:
        telegram.publish(CHANNEL, TEXT)
    assert type(caught.value) is error
    if isinstance(caught.value, TransientError):
        assert caught.value.retry_after == 7
    assert len(harness.messages()) == posted


@pytest.mark.parametrize(
    ("change", "post", "match"),
    [
        ({}, TEXT.model_copy(update={"text": "<b>unclosed"}), "can't parse entities"),
        ({}, TEXT.model_copy(update={"text": "x" * 5000}), "message is too long"),
        ({"bot_removed": True}, TEXT, "Forbidden"),
        ({"migrate_to_chat_id": -1009999}, TEXT, "migrated to -1009999"),
        ({}, TEXT.model_copy(update={"method": "tweet"}), "cannot send"),
    ],
)
def test_refusals_are_permanent(
    harness: Harness, change: dict[str, Any], post: RenderedPost, match: str
) -> None:
    if change:
        harness.http.patch(f"/sandbox/telegram/chats/{CHANNEL_ID}", json=change).raise_for_status()
    with pytest.raises(PermanentError, match=f"(?i){match}"):
        harness.telegram().publish(CHANNEL, post)
    assert harness.messages() == []


def test_unknown_chat_and_bad_token_are_permanent(harness: Harness) -> None:
    nowhere = Destination(id="nowhere", platform="telegram", target="-100555")
    with pytest.raises(PermanentError, match=r"(?i)chat not found"):
        harness.telegram().publish(nowhere, TEXT)
    bad = harness.settings().model_copy(update={"telegram_base_url": f"{harness.base_url}/botx"})
    publisher = build_telegram(bad)
    try:
        with pytest.raises(PermanentError, match=r"Unauthorized|Not Found"):
            publisher.publish(CHANNEL, TEXT)
    finally:
        publisher.close()


def test_connection_refused_is_transient(harness: Harness) -> None:
    with pytest.raises(TransientError) as caught:
        harness.telegram(base_url=closed_port_url()).publish(CHANNEL, TEXT)
    assert isinstance(caught.value.__cause__.__cause__, httpx.ConnectError)  # type: ignore[union-attr]


def test_connection_dropped_after_sending_is_in_doubt(harness: Harness) -> None:
    with dropping_server() as url, pytest.raises(InDoubt) as caught:
        harness.telegram(base_url=url).publish(CHANNEL, TEXT)
    assert isinstance(caught.value.__cause__.__cause__, httpx.RemoteProtocolError)  # type: ignore[union-attr]


def test_a_refused_photo_raises_media_refused_with_its_text_post(harness: Harness) -> None:
    url = "https://example.com/a.jpg"
    mark = {"url": url, "outcome": "unreachable"}
    harness.http.post("/sandbox/telegram/photo_urls", json=mark).raise_for_status()
    post = PHOTO.model_copy(update={"photo_url": url, "article_url": "https://example.com/a"})
    with pytest.raises(MediaRefused, match=r"(?i)failed to get http url content") as refused:
        harness.telegram().publish(CHANNEL, post)
    fallback = refused.value.fallback
    assert (fallback.method, fallback.photo_url, fallback.text) == ("sendMessage", None, post.text)
    assert fallback.link_preview_options == {
        "url": "https://example.com/a",
        "prefer_large_media": True,
    }
    assert harness.messages() == []


def test_a_missing_right_says_what_to_fix(harness: Harness) -> None:
    rights = {"can_post_messages": False}
    harness.http.patch(f"/sandbox/telegram/chats/{CHANNEL_ID}", json=rights).raise_for_status()
    with pytest.raises(
        PermanentError, match="needs the 'Post messages' right in channel @newsroom"
    ):
        harness.telegram().publish(CHANNEL, TEXT)


def test_find_post_in_a_private_chat_looks_past_ids_the_bot_used_elsewhere(
    unlimited: Harness,
) -> None:
    """Private chats and basic groups share the bot's message counter: ids missing from the
    chat are other chats' messages, not the end of this one."""
    harness = unlimited
    for chat in (5550001, 5550002):
        harness.http.post("/sandbox/telegram/chats", json={"id": chat, "type": "private"})
    reader, other = (Destination(id=f"r{n}", platform="telegram", target=f"555000{n}")
                     for n in (1, 2))  # fmt: skip
    telegram = harness.telegram(probe_chat=PROBE_CHAT)
    [before] = telegram.publish(reader, TEXT)
    for _ in range(6):
        telegram.publish(other, TEXT)
    [wanted] = telegram.publish(reader, linking("https://example.com/b"))
    mark = int(before)
    assert telegram.find_post(reader, Lookup("https://example.com/b", mark, mark)) == (wanted,)
