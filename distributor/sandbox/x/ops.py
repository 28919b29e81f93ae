"""X operations: create, delete and look up tweets, the user timeline, the user, media upload."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from distributor.sandbox.state import Sandbox
from distributor.sandbox.x.protocol import (
    Caller,
    invalid_request,
    not_found,
    problem,
    require_user,
    v1_error,
)
from distributor.sandbox.x.state import MEDIA_TTL_S, Media, Tweet
from distributor.sandbox.x.text import MAX_WEIGHTED_LENGTH, shorten_urls, weighted_length

Result = tuple[int, dict[str, Any]]
ID = re.compile(r"^[0-9]{1,19}$")
TWEET_FIELDS = frozenset(
    {
        "article",
        "attachments",
        "author_id",
        "card_uri",
        "community_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "media_metadata",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "suggested_source_links",
        "text",
        "withheld",
    }
)
BODY_FIELDS = frozenset(
    {
        "text",
        "media",
        "reply",
        "quote_tweet_id",
        "poll",
        "reply_settings",
        "direct_message_deep_link",
        "geo",
        "nullcast",
        "for_super_followers_only",
        "card_uri",
        "community_id",
        "share_with_followers",
        "made_with_ai",
        "paid_partnership",
        "edit_options",
    }
)
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
IMAGE_MAX_BYTES = 5 * 1024 * 1024


def tweet_fields(params: dict[str, str]) -> set[str]:
    """The ``tweet.fields`` query parameter, checked against X's list."""
    fields = {f for f in params.get("tweet.fields", "").split(",") if f}
    for name in sorted(fields - TWEET_FIELDS):
        raise invalid_request(
            f"The `tweet.fields` query parameter value [{name}] is not one of "
            f"[{', '.join(sorted(TWEET_FIELDS))}]",
            {"tweet.fields": [name]},
        )
    return fields


def checked_id(value: str, parameter: str) -> str:
    """A numeric id, or 400 naming the parameter."""
    if not ID.match(value):
        raise invalid_request(
            f"The `{parameter}` query parameter value [{value}] is not valid", {parameter: [value]}
        )
    return value


def _schema_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    return names.get(type(value), "object" if isinstance(value, dict) else "null")


def create_tweet(sandbox: Sandbox, caller: Caller, body: Any) -> Result:
    """POST /2/tweets."""
    user_id = require_user(caller)
    if not isinstance(body, dict):
        raise invalid_request(f"$: {_schema_type(body)} found, object expected")
    for key in sorted(body.keys() - BODY_FIELDS):
        raise invalid_request(
            f"$.{key}: is not defined in the schema and the schema does not allow additional "
            "properties"
        )
    text = body.get("text", "")
    if not isinstance(text, str):
        raise invalid_request(f"$.text: {_schema_type(text)} found, string expected")
    media_ids = _media_ids(sandbox, user_id, body.get("media"))
    if not text and not media_ids:
        raise invalid_request("You must provide at least one of: text, media, poll, card_uri.")
    if weighted_length(text) > MAX_WEIGHTED_LENGTH:
        raise invalid_request(TOO_LONG)
    state = sandbox.x
    reply_to = _reply_target(sandbox, body.get("reply"))
    quoted = _quote_target(sandbox, body.get("quote_tweet_id"), bool(media_ids))
    if text and state.is_duplicate(user_id, text):
        raise problem(403, "Forbidden", DUPLICATE)
    now = sandbox.clock.now()
    shown, urls = shorten_urls(text)
    tweet = Tweet(state.next_id(now), shown, text, user_id, now, urls, media_ids, reply_to, quoted)
    state.account(user_id)
    state.add(tweet)
    return 201, {"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}}


def _media_ids(sandbox: Sandbox, user_id: str, media: Any) -> list[str]:
    if media is None:
        return []
    ids = media.get("media_ids") if isinstance(media, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid_request("$.media.media_ids: array of strings expected")
    if not 1 <= len(ids) <= 4:
        raise invalid_request("$.media.media_ids: there must be between 1 and 4 items in the array")
    now = sandbox.clock.now()
    for media_id in ids:
        found = sandbox.x.media.get(media_id)
        if found is None or found.owner != user_id or not found.usable(now):
            raise invalid_request("Your media IDs are invalid.", {"media.media_ids": [media_id]})
    return list(ids)


def _reply_target(sandbox: Sandbox, reply: Any) -> str | None:
    if reply is None:
        return None
    target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    if not isinstance(target, str):
        raise invalid_request("$.reply.in_reply_to_tweet_id: string expected")
    tweet = sandbox.x.tweets.get(target)
    if tweet is None or tweet.deleted:
        raise problem(
            403,
            "Forbidden",
            "You attempted to reply to a Tweet that is deleted or not visible to you.",
        )
    return tweet.author_id


def _quote_target(sandbox: Sandbox, quote: Any, with_media: bool) -> str | None:
    """The quoted tweet's id; X documents media and a quote as mutually exclusive. The
    refusals' wording is the sandbox's (unverified), modelled on the reply's."""
    if quote is None:
        return None
    if not isinstance(quote, str) or not ID.match(quote):
        raise invalid_request("$.quote_tweet_id: string of digits expected")
    if with_media:
        raise invalid_request("$.quote_tweet_id and $.media are mutually exclusive")
    tweet = sandbox.x.tweets.get(quote)
    if tweet is None or tweet.deleted:
        message = "You attempted to quote a Tweet that is deleted or not visible to you."
        raise problem(403, "Forbidden", message)
    return quote


def delete_tweet(sandbox: Sandbox, caller: Caller, tweet_id: str) -> Result:
    """DELETE /2/tweets/:id."""
    user_id = require_user(caller)
    tweet = sandbox.x.tweets.get(checked_id(tweet_id, "id"))
    if tweet is None or tweet.deleted:
        return 200, {"data": {"deleted": False}}
    if tweet.author_id != user_id:
        raise problem(403, "Forbidden", "You are not allowed to delete a Tweet you do not own.")
    sandbox.x.delete(tweet)
    return 200, {"data": {"deleted": True}}


def get_tweets(sandbox: Sandbox, params: dict[str, str], single: str | None = None) -> Result:
    """GET /2/tweets?ids=... and GET /2/tweets/:id, with partial errors for unknown ids."""
    fields = tweet_fields(params)
    if single is not None:
        ids, parameter = [checked_id(single, "id")], "id"
    else:
        raw = params.get("ids", "")
        ids, parameter = [i for i in raw.split(",") if i], "ids"
        if not ids:
            raise invalid_request("The `ids` query parameter can not be empty", {"ids": []})
        if len(ids) > 100:
            raise invalid_request(
                f"The number of values in the `ids` query parameter list [{len(ids)}] is not "
                "between 1 and 100",
                {"ids": [raw]},
            )
        ids = [checked_id(i, "ids") for i in ids]
    found = [sandbox.x.tweets.get(i) for i in ids]
    data = [t.data(fields) for t in found if t is not None and not t.deleted]
    errors = [
        not_found("tweet", parameter, i)
        for i, t in zip(ids, found, strict=True)
        if t is None or t.deleted
    ]
    body: dict[str, Any] = {}
    if data:
        body["data"] = data[0] if single is not None else data
    if errors:
        body["errors"] = errors
    return 200, body


def get_me(sandbox: Sandbox, caller: Caller) -> Result:
    """GET /2/users/me."""
    return 200, {"data": sandbox.x.account(require_user(caller)).data()}


def get_users_tweets(sandbox: Sandbox, user_id: str, params: dict[str, str]) -> Result:
    """GET /2/users/:id/tweets: newest first, paginated, ``entities.urls`` with expanded_url."""
    checked_id(user_id, "id")
    fields = tweet_fields(params)
    raw_max = params.get("max_results", "10")
    if not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
        raise invalid_request(
            f"The `max_results` query parameter value [{raw_max}] is not between 5 and 100",
            {"max_results": [raw_max]},
        )
    if user_id not in sandbox.x.accounts:
        return 200, {"errors": [not_found("user", "id", user_id)]}
    tweets = sandbox.x.timeline(user_id)
    token = params.get("pagination_token")
    if token is not None:
        if not token.startswith("sbx") or not ID.match(token[3:]):
            raise invalid_request(
                f"The `pagination_token` query parameter value [{token}] is not valid",
                {"pagination_token": [token]},
            )
        tweets = [t for t in tweets if int(t.id) < int(token[3:])]
    if "since_id" in params:
        since = int(checked_id(params["since_id"], "since_id"))
        tweets = [t for t in tweets if int(t.id) > since]
    if "until_id" in params:
        until = int(checked_id(params["until_id"], "until_id"))
        tweets = [t for t in tweets if int(t.id) < until]
    page = tweets[: int(raw_max)]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if len(tweets) > len(page):
            meta["next_token"] = f"sbx{page[-1].id}"
        return 200, {"data": [t.data(fields) for t in page], "meta": meta}
    return 200, {"meta": meta}


def media_upload(sandbox: Sandbox, caller: Caller, form: dict[str, Any]) -> Result:
    """POST /1.1/media/upload.json (simple upload of one image, as tweepy.API sends it)."""
    user_id = require_user(caller)
    if "command" in form:
        raise v1_error(400, 324, "Chunked upload is not emulated by the sandbox.")
    data = form.get("media")
    if data is None and isinstance(form.get("media_data"), str):
        try:
            data = base64.b64decode(form["media_data"], validate=True)
        except (binascii.Error, ValueError):
            raise v1_error(400, 324, "Image file is invalid.") from None
    if not isinstance(data, bytes):
        raise v1_error(400, 38, "media parameter is missing.")
    if len(data) > IMAGE_MAX_BYTES:
        raise v1_error(400, 324, f"File size exceeds {IMAGE_MAX_BYTES} bytes.")
    if not data.startswith(_IMAGE_MAGIC) and data[8:12] != b"WEBP":
        raise v1_error(400, 324, "Image file is invalid.")
    now = sandbox.clock.now()
    media = Media(sandbox.x.next_id(now), user_id, now + MEDIA_TTL_S, len(data))
    sandbox.x.media[media.id] = media
    sandbox.x.account(user_id)
    return 200, {
        "media_id": int(media.id),
        "media_id_string": media.id,
        "media_key": f"3_{media.id}",
        "size": media.size,
        "expires_after_secs": MEDIA_TTL_S,
        "image": {"image_type": "image/jpeg", "w": 1280, "h": 853},
    }
