"""Text and caption preparation as the Bot API does it: parse, clean, trim, check length (pure).

Cleaning and trimming follow tdlib's ``fix_formatted_text``: control characters become
spaces, ``\\r`` and a few invisible marks are dropped, entities made only of spaces or
newlines vanish, and leading/trailing spaces and newlines are cut. Limits count Unicode code
points of what is left (text 1-4096, caption 0-1024).
"""

from __future__ import annotations

from dataclasses import replace

from distributor.sandbox.telegram_entities import (
    CaptionTooLong,
    MessageEntity,
    TelegramTextError,
    TextEmpty,
    TextTooLong,
)
from distributor.sandbox.telegram_html import parse_html

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
RAW_BYTES_LIMIT = 1 << 15  # Bot API: "Text is too long" before any parsing
_DROPPED = frozenset({0x0D, 0x030A, 0x0333, 0x033F, *range(0x2028, 0x202F)})
_WHITE = (0x20, 0x0A)
_HIDDEN_DATA = frozenset({"text_link", "custom_emoji"})


def _clean(plain: str) -> tuple[str, list[int]]:
    """Cleaned text and a map from old UTF-16 offsets to new ones."""
    out: list[str] = []
    mapping = [0]
    pos = 0
    for ch in plain:
        code = ord(ch)
        kept = "" if code in _DROPPED else " " if code < 32 and ch != "\n" else ch
        width = 2 if code > 0xFFFF else 1
        mapping.extend([pos] * (width - 1))
        pos += (2 if ord(kept) > 0xFFFF else 1) if kept else 0
        mapping.append(pos)
        out.append(kept)
    return "".join(out), mapping


def _units(text: str) -> list[int]:
    raw = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(raw[k : k + 2], "little") for k in range(0, len(raw), 2)]


def _from_units(units: list[int]) -> str:
    return b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le", "surrogatepass")


def fix_text(
    plain: str, entities: list[MessageEntity], *, allow_empty: bool
) -> tuple[str, list[MessageEntity]]:
    """Clean and trim ``plain``, keeping ``entities`` aligned; raises ``TextEmpty``."""
    text, mapping = _clean(plain)
    units = _units(text)
    kept: list[MessageEntity] = []
    for entity in entities:
        start, end = mapping[entity.offset], mapping[entity.offset + entity.length]
        if entity.type not in _HIDDEN_DATA:
            while start < end and units[start] in _WHITE:
                start += 1
            if all(u in _WHITE for u in units[start:end]):
                continue
        if end > start:
            kept.append(replace(entity, offset=start, length=end - start))
    solid = [k for k, u in enumerate(units) if u not in _WHITE]
    if not solid:
        if allow_empty:
            return "", []
        raise TextEmpty()
    last = solid[-1] + 1
    kept = [
        replace(e, length=min(e.offset + e.length, last) - e.offset)
        for e in kept
        if e.offset < last
    ]
    first = min([solid[0], *(e.offset for e in kept)])
    kept = [replace(e, offset=e.offset - first) for e in kept]
    kept.sort(key=lambda e: (e.offset, -e.length))
    return _from_units(units[first:last]), kept


def text_length(plain: str) -> int:
    """Characters Telegram counts against a limit: code points after cleaning and trimming."""
    return len(fix_text(plain, [], allow_empty=True)[0])


def check_text_length(plain: str) -> None:
    """Raise ``TextEmpty`` or ``TextTooLong`` unless 1-4096 characters are left."""
    length = text_length(plain)
    if length == 0:
        raise TextEmpty()
    if length > TEXT_LIMIT:
        raise TextTooLong()


def check_caption_length(plain: str) -> None:
    """Raise ``CaptionTooLong`` unless at most 1024 characters are left."""
    if text_length(plain) > CAPTION_LIMIT:
        raise CaptionTooLong()


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
    if caption:
        check_caption_length(plain)
    else:
        check_text_length(plain)
    return plain, entities
