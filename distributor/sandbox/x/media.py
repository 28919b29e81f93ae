"""X API v2 media upload (docs.x.com, "Media" reference and quickstarts), as X answers it.

- ``POST /2/media/upload``: one-shot, multipart (``media`` raw bytes) or JSON (``media``
  base64); ``media_category`` required (``tweet_image``, ``tweet_gif``, ``tweet_video``,
  ``dm_*``, ``subtitles``), ``media_type`` optional. With a ``command`` field (INIT / APPEND /
  FINALIZE, the older v2 form of the quickstart) it runs that step of a chunked upload.
- ``POST /2/media/upload/initialize`` (JSON ``media_type``, ``total_bytes``,
  ``media_category``), ``POST /2/media/upload/{id}/append`` (``media``, ``segment_index``
  0-999), ``POST /2/media/upload/{id}/finalize``; ``GET /2/media/upload?command=STATUS``.
- ``POST /2/media/metadata`` (JSON ``{"id", "metadata": {"alt_text": {"text"}}}``).

Answers: ``{"data": {"id", "media_key": "3_<id>", "size", "expires_after_secs": 86400,
"image": {...}}}``; an append answers ``{"data": {"expires_at"}}``. Limits: images (JPEG, PNG,
WEBP, static GIF) 5 MB, GIFs 15 MB (docs.x.com media introduction); the bytes must be the
declared kind. Refusal texts are the sandbox's in X's v2 problem shape (X does not publish
them); "Segments do not add up to provided total file size." is v1.1's text for the same case.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from distributor.sandbox.state import Sandbox
from distributor.sandbox.x.protocol import Caller, invalid_request, require_user
from distributor.sandbox.x.state import MEDIA_TTL_S, Media

Result = tuple[int, dict[str, Any]]
CATEGORIES = frozenset(
    {"tweet_image", "tweet_gif", "tweet_video", "amplify_video", "dm_image", "dm_gif",
     "dm_video", "subtitles"}
)  # fmt: skip
LIMITS = {"image": 5 * 1024 * 1024, "gif": 15 * 1024 * 1024, "video": 512 * 1024 * 1024}
ALT_TEXT_MAX = 1000
_KINDS = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _sniff(data: bytes) -> str | None:
    for magic, kind in _KINDS:
        if data.startswith(magic):
            return kind
    return "image/webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else None


def _limit(category: str) -> int:
    if category.endswith("gif"):
        return LIMITS["gif"]
    return LIMITS["video"] if category.endswith("video") else LIMITS["image"]


def _bytes(value: Any, field: str = "media") -> bytes:
    """A part's raw bytes (multipart) or a base64 string's (JSON)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_request(f"$.{field}: is not valid base64") from None
    raise invalid_request(f"$.{field}: is missing but it is required")


def _category(value: Any, required: bool = True) -> str:
    if value is None and not required:
        return "tweet_image"
    if value not in CATEGORIES:
        raise invalid_request(
            f"$.media_category: does not have a value in the enumeration {sorted(CATEGORIES)}"
        )
    return str(value)


def _checked(data: bytes, category: str, declared: Any = None) -> str:
    """The media type of ``data``, refused unless it is an image of the declared kind within
    the category's limit."""
    kind = _sniff(data)
    if kind is None or (declared is not None and declared != kind):
        raise invalid_request(f"media type unrecognized or not {declared or 'an image'}")
    if len(data) > _limit(category):
        raise invalid_request(f"File size exceeds {_limit(category)} bytes.")
    return kind


def _answer(media: Media) -> dict[str, Any]:
    return {
        "data": {
            "id": media.id,
            "media_key": f"3_{media.id}",
            "size": media.size,
            "expires_after_secs": MEDIA_TTL_S,
            "image": {"image_type": media.media_type, "w": 1280, "h": 720},
        }
    }


def _owned(sandbox: Sandbox, user_id: str, media_id: str) -> Media:
    media = sandbox.x.media.get(media_id)
    if media is None or media.owner != user_id or media.expires_at <= sandbox.clock.now():
        raise invalid_request(f"The `id` value [{media_id}] is not a valid media id")
    return media


def upload(sandbox: Sandbox, caller: Caller, fields: dict[str, Any]) -> Result:
    """POST /2/media/upload: one-shot, or a chunked step when ``command`` is given."""
    user_id = require_user(caller)
    command = fields.get("command")
    if command is not None:
        media_id = str(fields.get("media_id", ""))
        if command == "INIT":
            return initialize(sandbox, caller, fields)
        if command == "APPEND":
            return append(sandbox, caller, media_id, fields)
        if command == "FINALIZE":
            return finalize(sandbox, caller, media_id)
        raise invalid_request(f"$.command: [{command}] is not one of [INIT, APPEND, FINALIZE]")
    category = _category(fields.get("media_category"))
    data = _bytes(fields.get("media"))
    kind = _checked(data, category, fields.get("media_type"))
    now = sandbox.clock.now()
    media = Media(sandbox.x.next_id(now), user_id, now + MEDIA_TTL_S, len(data), kind, category)
    sandbox.x.media[media.id] = media
    sandbox.x.account(user_id)
    return 200, _answer(media)


def initialize(sandbox: Sandbox, caller: Caller, body: Any) -> Result:
    """POST /2/media/upload/initialize: a chunked upload session."""
    user_id = require_user(caller)
    if not isinstance(body, dict):
        raise invalid_request("$: object expected")
    total = body.get("total_bytes")
    if isinstance(total, str) and total.isdigit():  # the form variant sends text
        total = int(total)
    if not isinstance(total, int) or total < 1:
        raise invalid_request("$.total_bytes: integer of at least 1 expected")
    media_type = body.get("media_type")
    if not isinstance(media_type, str) or not media_type:
        raise invalid_request("$.media_type: is missing but it is required")
    category = _category(body.get("media_category"), required=False)
    if total > _limit(category):
        raise invalid_request(f"File size exceeds {_limit(category)} bytes.")
    now = sandbox.clock.now()
    media = Media(
        sandbox.x.next_id(now), user_id, now + MEDIA_TTL_S, 0, media_type, category,
        total_bytes=total, chunked=True, finalized=False,
    )  # fmt: skip
    sandbox.x.media[media.id] = media
    sandbox.x.account(user_id)
    data = {"id": media.id, "media_key": f"3_{media.id}", "expires_after_secs": MEDIA_TTL_S}
    return 200, {"data": data}


def append(sandbox: Sandbox, caller: Caller, media_id: str, fields: dict[str, Any]) -> Result:
    """POST /2/media/upload/{id}/append: one segment."""
    media = _owned(sandbox, require_user(caller), media_id)
    if media.finalized:
        raise invalid_request(f"Media [{media_id}] is already finalized")
    raw_index = str(fields.get("segment_index"))
    index = int(raw_index) if raw_index.isdigit() else -1
    if not 0 <= index <= 999:
        raise invalid_request("$.segment_index: integer between 0 and 999 expected")
    media.segments[index] = _bytes(fields.get("media"))
    if sum(len(s) for s in media.segments.values()) > media.total_bytes:
        raise invalid_request("Segments do not add up to provided total file size.")
    return 200, {"data": {"expires_at": int(media.expires_at)}}


def finalize(sandbox: Sandbox, caller: Caller, media_id: str) -> Result:
    """POST /2/media/upload/{id}/finalize: the segments, in index order, are the file."""
    media = _owned(sandbox, require_user(caller), media_id)
    if not media.finalized:
        data = b"".join(media.segments[i] for i in sorted(media.segments))
        if len(data) != media.total_bytes or sorted(media.segments) != list(
            range(len(media.segments))
        ):
            raise invalid_request("Segments do not add up to provided total file size.")
        media.media_type = _checked(data, media.category, media.media_type)
        media.size, media.finalized, media.segments = len(data), True, {}
    return 200, _answer(media)


def status(sandbox: Sandbox, caller: Caller, params: dict[str, str]) -> Result:
    """GET /2/media/upload?command=STATUS&media_id=...: images need no processing."""
    if params.get("command") != "STATUS":
        raise invalid_request("The `command` query parameter must be STATUS")
    media = _owned(sandbox, require_user(caller), params.get("media_id", ""))
    answer = _answer(media)
    answer["data"]["processing_info"] = {"state": "succeeded", "progress_percent": 100}
    return 200, answer


def metadata(sandbox: Sandbox, caller: Caller, body: Any) -> Result:
    """POST /2/media/metadata: the alt text of an uploaded image."""
    user_id = require_user(caller)
    media_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(media_id, str):
        raise invalid_request("$.id: is missing but it is required")
    media = _owned(sandbox, user_id, media_id)
    alt = (body.get("metadata") or {}).get("alt_text") if isinstance(body, dict) else None
    text = alt.get("text") if isinstance(alt, dict) else None
    if not isinstance(text, str):
        raise invalid_request("$.metadata.alt_text.text: string expected")
    if len(text) > ALT_TEXT_MAX:
        raise invalid_request(
            f"$.metadata.alt_text.text: must be at most {ALT_TEXT_MAX} characters"
        )
    media.alt_text = text
    return 200, {"data": {"id": media.id, "associated_metadata": {"alt_text": {"text": text}}}}
