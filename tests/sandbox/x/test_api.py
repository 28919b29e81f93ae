"""A real tweepy.Client (and tweepy.API for media) against the live sandbox."""

from __future__ import annotations

import io
import time

import httpx
import pytest
import tweepy

from distributor.publishers.transport import route_tweepy_to
from tests.support.sandbox import PNG

ARTICLE = "https://news.example.com/politik/2024/article-1?utm_source=x"


def tweets(control: httpx.Client) -> list[dict[str, object]]:
    response = control.get("/sandbox/x/tweets")
    response.raise_for_status()
    result: list[dict[str, object]] = response.json()
    return result


def test_create_shortens_urls_and_timeline_expands_them(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    created = x_client.create_tweet(text=f"Wahl: Ergebnisse {ARTICLE}", user_auth=True)
    tweet_id = created.data["id"]
    assert created.data["edit_history_tweet_ids"] == [tweet_id]
    assert created.data["text"].startswith("Wahl: Ergebnisse https://t.co/")
    me = x_client.get_me(user_auth=True).data
    assert me.id == 4242
    timeline = x_client.get_users_tweets(
        me.id, user_auth=True, tweet_fields=["entities", "created_at"]
    )
    [found] = timeline.data
    assert found.id == int(tweet_id)
    [url] = found.entities["urls"]
    assert url["expanded_url"] == ARTICLE
    assert found.text[url["start"] : url["end"]] == url["url"]
    assert timeline.meta == {"result_count": 1, "newest_id": tweet_id, "oldest_id": tweet_id}
    [listed] = tweets(control)
    assert listed["id"] == tweet_id and listed["author_id"] == "4242"
    assert listed["posted_text"] == f"Wahl: Ergebnisse {ARTICLE}"


def test_timeline_pages_newest_first(x_client: tweepy.Client) -> None:
    ids = [x_client.create_tweet(text=f"post {n}", user_auth=True).data["id"] for n in range(7)]
    first = x_client.get_users_tweets(4242, user_auth=True, max_results=5)
    assert [str(t.id) for t in first.data] == ids[::-1][:5]
    rest = x_client.get_users_tweets(
        4242, user_auth=True, max_results=5, pagination_token=first.meta["next_token"]
    )
    assert [str(t.id) for t in rest.data] == ids[::-1][5:]
    assert "next_token" not in rest.meta


def test_metrics_set_through_inspection_are_returned(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    tweet_id = x_client.create_tweet(text="engaging", user_auth=True).data["id"]
    control.post(
        f"/sandbox/x/tweets/{tweet_id}/metrics", json={"like_count": 12}
    ).raise_for_status()
    found = x_client.get_tweets([tweet_id, "42"], user_auth=True, tweet_fields=["public_metrics"])
    assert found.data[0].public_metrics == {
        "retweet_count": 0, "reply_count": 0, "like_count": 12, "quote_count": 0,
        "bookmark_count": 0, "impression_count": 0,
    }  # fmt: skip
    assert found.errors[0]["resource_id"] == "42"
    assert found.errors[0]["title"] == "Not Found Error"


def test_delete(x_client: tweepy.Client, control: httpx.Client) -> None:
    tweet_id = x_client.create_tweet(text="oops", user_auth=True).data["id"]
    assert x_client.delete_tweet(tweet_id, user_auth=True).data == {"deleted": True}
    assert x_client.delete_tweet(tweet_id, user_auth=True).data == {"deleted": False}
    assert tweets(control)[0]["deleted"] is True
    assert x_client.get_tweet(tweet_id, user_auth=True).data is None


def test_media_upload_then_tweet_citing_it(
    x_client: tweepy.Client, x_api: tweepy.API, control: httpx.Client
) -> None:
    media = x_api.media_upload("photo.png", file=io.BytesIO(PNG))
    x_client.create_tweet(text="with photo", media_ids=[media.media_id], user_auth=True)
    assert tweets(control)[0]["media_ids"] == [media.media_id_string]


def test_unknown_or_expired_media_raises_bad_request(
    x_client: tweepy.Client, x_api: tweepy.API, control: httpx.Client
) -> None:
    with pytest.raises(tweepy.BadRequest, match="Your media IDs are invalid"):
        x_client.create_tweet(text="ghost media", media_ids=["123"], user_auth=True)
    media = x_api.media_upload("photo.png", file=io.BytesIO(PNG))
    control.post("/sandbox/clock", json={"advance_seconds": 86_401}).raise_for_status()
    with pytest.raises(tweepy.BadRequest, match="Your media IDs are invalid"):
        x_client.create_tweet(text="stale media", media_ids=[media.media_id], user_auth=True)


def test_weighted_length_over_280_raises_bad_request(x_client: tweepy.Client) -> None:
    x_client.create_tweet(text="界" * 140, user_auth=True)  # CJK weighs 2: exactly 280
    with pytest.raises(tweepy.BadRequest, match="Tweet text is too long"):
        x_client.create_tweet(text="é" * 281, user_auth=True)


def test_duplicate_text_raises_forbidden(x_client: tweepy.Client) -> None:
    x_client.create_tweet(text="same words", user_auth=True)
    with pytest.raises(tweepy.Forbidden) as info:
        x_client.create_tweet(text="same words", user_auth=True)
    assert info.value.api_messages == [
        "You are not allowed to create a Tweet with duplicate content."
    ]


def test_duplicate_text_is_per_user_and_free_again_after_delete(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    first = x_client.create_tweet(text="said once", user_auth=True).data["id"]
    other = tweepy.Client(
        consumer_key="sandbox-consumer-key",
        consumer_secret="sandbox-consumer-secret",
        access_token="5151-otheraccesstoken",
        access_token_secret="sandbox-access-secret",
    )
    route_tweepy_to(other, str(control.base_url))
    other.create_tweet(text="said once", user_auth=True)  # another account may say it too
    x_client.delete_tweet(first, user_auth=True)
    x_client.delete_tweet(first, user_auth=True)  # a second delete changes nothing
    again = x_client.create_tweet(text="said once", user_auth=True).data["id"]
    with pytest.raises(tweepy.Forbidden, match="duplicate content"):
        x_client.create_tweet(text="said once", user_auth=True)
    assert again != first


def test_app_only_bearer_cannot_post(control: httpx.Client) -> None:
    client = tweepy.Client(bearer_token="app-only-token")
    route_tweepy_to(client, str(control.base_url))
    with pytest.raises(tweepy.Forbidden, match="Application-Only is forbidden"):
        client.create_tweet(text="hi", user_auth=False)


def test_missing_credentials_raise_unauthorized(control: httpx.Client) -> None:
    client = tweepy.Client(bearer_token="")
    route_tweepy_to(client, str(control.base_url))
    with pytest.raises(tweepy.Unauthorized):
        client.get_users_tweets(4242)


def test_tier_window_raises_too_many_requests_with_reset_time(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    control.patch("/sandbox/config", json={"x_tier": "free"}).raise_for_status()
    x_client.get_tweets(["1"], user_auth=True)  # free: 1 request / 15 min
    with pytest.raises(tweepy.TooManyRequests) as info:
        x_client.get_tweets(["1"], user_auth=True)
    reset = info.value.reset_time
    assert reset is not None and time.time() < reset <= time.time() + 15 * 60 + 1
    control.post("/sandbox/clock", json={"advance_seconds": 15 * 60 + 1}).raise_for_status()
    x_client.get_tweets(["1"], user_auth=True)


def test_daily_post_cap_headers_and_refusal(control: httpx.Client) -> None:
    control.patch("/sandbox/config", json={"x_tier": "free"}).raise_for_status()
    client = tweepy.Client(consumer_key="k", consumer_secret="s", access_token="99-t",
                           access_token_secret="t", return_type=dict)  # fmt: skip
    route_tweepy_to(client, str(control.base_url))
    session = client.session
    for n in range(17):
        response = session.post(
            f"{control.base_url}/2/tweets",
            json={"text": f"post {n}"},
            headers={"Authorization": 'OAuth oauth_consumer_key="k", oauth_token="99-t"'},
        )
        assert response.status_code == 201
    assert response.headers["x-user-limit-24hour-limit"] == "17"
    assert response.headers["x-user-limit-24hour-remaining"] == "0"
    with pytest.raises(tweepy.TooManyRequests):
        client.create_tweet(text="one too many", user_auth=True)


def test_deleting_another_users_tweet_raises_forbidden(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    other = tweepy.Client(consumer_key="k", consumer_secret="s", access_token="77-t",
                          access_token_secret="t")  # fmt: skip
    route_tweepy_to(other, str(control.base_url))
    tweet_id = other.create_tweet(text="mine", user_auth=True).data["id"]
    with pytest.raises(tweepy.Forbidden):
        x_client.delete_tweet(tweet_id, user_auth=True)
    assert tweets(control)[0]["deleted"] is False
