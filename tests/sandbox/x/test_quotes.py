"""Quote posts (POST /2/tweets with quote_tweet_id) through a real tweepy.Client."""

from __future__ import annotations

import io

import httpx
import pytest
import tweepy

from tests.support.sandbox import PNG


def test_a_quote_references_the_quoted_post(x_client: tweepy.Client) -> None:
    original = x_client.create_tweet(text="Berita https://news.example.com/a", user_auth=True)
    quote = x_client.create_tweet(text="Baca lagi:", quote_tweet_id=original.data["id"],
                                  user_auth=True)  # fmt: skip
    found = x_client.get_tweet(quote.data["id"], tweet_fields=["referenced_tweets"],
                               user_auth=True)  # fmt: skip
    [ref] = found.data.referenced_tweets
    assert (ref.type, str(ref.id)) == ("quoted", original.data["id"])


def test_quoting_a_deleted_post_is_forbidden_and_media_cannot_join_a_quote(
    x_client: tweepy.Client, x_api: tweepy.API, control: httpx.Client
) -> None:
    gone = x_client.create_tweet(text="soon gone", user_auth=True).data["id"]
    x_client.delete_tweet(gone, user_auth=True)
    with pytest.raises(tweepy.Forbidden, match="quote a Tweet that is deleted"):
        x_client.create_tweet(text="look", quote_tweet_id=gone, user_auth=True)
    kept = x_client.create_tweet(text="kept", user_auth=True).data["id"]
    media = x_api.media_upload(filename="a.png", file=io.BytesIO(PNG))
    with pytest.raises(tweepy.BadRequest, match="mutually exclusive"):
        x_client.create_tweet(text="both", quote_tweet_id=kept, media_ids=[media.media_id_string],
                              user_auth=True)  # fmt: skip
    assert len(control.get("/sandbox/x/tweets").json()) == 2  # neither refusal posted
