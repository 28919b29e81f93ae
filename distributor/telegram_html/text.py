"""Text and caption preparation as the Bot API does it: parse, clean, trim, check length (pure).

Cleaning and trimming follow tdlib's ``fix_formatted_text``: control characters become
spaces, ``\\r`` and a few invisible marks are dropped, entities made only of spaces or
newlines vanish, and leading/trailing spaces and newlines are cut. Limits count Unicode code
points of what is left (text 1-4096, caption 0-1024).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from distributor.telegram_html.entities import (
    CaptionTooLong,
    MessageEntity,
    TelegramTextError,
    TextEmpty,
    TextTooLong,
)
from distributor.telegram_html.parser import parse_html

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
RAW_BYTES_LIMIT = 1 << 15  # Bot API: "Text is too long" before any parsing
_DROPPED = frozenset({0x0D, 0x030A, 0x0333, 0x033F, *range(0x2028, 0x202F)})
_HIDDEN_DATA = frozenset({"text_link", "custom_emoji"})


_WHITE = " \n"
_WHITE_UNITS = (b" \x00", b"\n\x00")
_TRANSLATION = {c: " " for c in range(32) if c != 0x0A} | {c: None for c in _DROPPED}


def _offsets(plain: str, text: str, raw: bytes) -> Callable[[int], int]:
    """A map from UTF-16 offsets in ``plain`` to offsets in ``text``, its cleaned form (whose
    UTF-16 is ``raw``)."""
    if len(text) == len(plain) and len(raw) == 2 * len(text):
        return lambda offset: offset  # nothing dropped, no surrogate pair: same offsets
    mapping = [0]
    pos = 0
    for ch in plain:
        code = ord(ch)
        mapping.extend([pos] * (1 if code > 0xFFFF else 0))
        pos += 0 if code in _DROPPED else 2 if code > 0xFFFF else 1
        mapping.append(pos)
    return mapping.__getitem__


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def fix_text(
    plain: str, entities: list[MessageEntity], *, allow_empty: bool
) -> tuple[str, list[MessageEntity]]:
    """Clean and trim ``plain``, keeping ``entities`` aligned; raises ``TextEmpty``."""
    text = plain.translate(_TRANSLATION)
    raw = _utf16(text)
    position = _offsets(plain, text, raw)
    kept: list[MessageEntity] = []
    for entity in entities:
        start, end = position(entity.offset), position(entity.offset + entity.length)
        if entity.type not in _HIDDEN_DATA:
            while start < end and raw[2 * start : 2 * start + 2] in _WHITE_UNITS:
                start += 1
            if start == end:  # only spaces and newlines
                continue
        if end > start:
            kept.append(replace(entity, offset=start, length=end - start))
    if not text.strip(_WHITE):
        if allow_empty:
            return "", []
        raise TextEmpty()
    last = len(_utf16(text.rstrip(_WHITE))) // 2
    kept = [
        replace(e, length=min(e.offset + e.length, last) - e.offset)
        for e in kept
        if e.offset < last
    ]
    first = min([len(text) - len(text.lstrip(_WHITE)), *(e.offset for e in kept)])
    kept = [replace(e, offset=e.offset - first) for e in kept]
    kept.sort(key=lambda e: (e.offset, -e.length))
    return raw[2 * first : 2 * last].decode("utf-16-le", "surrogatepass"), kept


def text_length(plain: str) -> int:
    """Characters Telegram counts against a limit: code points after cleaning and trimming."""
    return len(fix_text(plain, [], allow_empty=True)[0])


def check_text_length(plain: str) -> None:
    """Raise ``TextEmpty`` or ``TextTooLong`` unless 1-4096 characters are left."""
    _check_length(text_length(plain), caption=False)


def check_caption_length(plain: str) -> None:
    """Raise ``CaptionTooLong`` unless at most 1024 characters are left."""
    _check_length(text_length(plain), caption=True)


def _check_length(length: int, *, caption: bool) -> None:
    if caption and length > CAPTION_LIMIT:
        raise CaptionTooLong()
    if not caption and length == 0:
        raise TextEmpty()
    if not caption and length > TEXT_LIMIT:
        raise TextTooLong()


def format_text(text: str, parse_mode: str, *, caption: bool) -> tuple[str, list[MessageEntity]]:
    """What the Bot API stores for a text (or caption) sent with ``parse_mode``."""
    if len(text.encode(errors="surrogatepass")) > RAW_BYTES_LIMIT:
        raise TelegramTextError("text is too long")
    mode = parse_mode.lower()
    plain, entities = text, list[MessageEntity]()
    if text and mode not in ("", "none"):
        if mode in ("markdown", "markdownv2"):
            raise TelegramTextError("the sandbox emulates the HTML parse mode only")
        if mode != "html":
            raise TelegramTextError("unsupported parse_mode")
        plain, entities = parse_html(text)
    plain, entities = fix_text(plain, entities, allow_empty=caption)
    _check_length(len(plain), caption=caption)  # fix_text has cleaned and trimmed it
    return plain, entities
