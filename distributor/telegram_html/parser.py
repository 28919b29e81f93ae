"""Telegram's HTML parse mode, as the Bot API parses it (pure).

``parse_html`` follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp) byte for byte:
the same tags and attributes, the same character references, the same error messages with
the same byte offsets. Entity offsets and lengths are in UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from distributor.telegram_html.entities import EntityParseError, MessageEntity, TelegramTextError

_TAGS = frozenset(
    (
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    )
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_NAMED = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}
_SPACE = frozenset(b" \t\r\n\x0b\x00")  # tdlib is_space; NUL doubles as end of input
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite"})
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)*\.?$")


@dataclass
class _Open:
    tag: str
    argument: bytes
    utf16: int
    out_pos: int


def _at(data: bytes, i: int) -> int:
    return data[i] if i < len(data) else 0


def _decode_entity(data: bytes, pos: int) -> tuple[int, int] | None:
    """tdlib ``decode_html_entity``: (code point, next position) or None if not an entity."""
    end = pos + 1
    code = 0
    if _at(data, end) == 0x23:  # '#'
        end += 1
        digits = b"0123456789abcdefABCDEF" if _at(data, end) == 0x78 else b"0123456789"
        base = 16 if len(digits) > 10 else 10
        end += base == 16
        while _at(data, end) and _at(data, end) in digits:
            code = min(code * base + int(chr(data[end]), base), 0x110000)
            end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while chr(_at(data, end)).isascii() and chr(_at(data, end)).isalpha():
            end += 1
        named = _NAMED.get(data[pos + 1 : end])
        if named is None:
            return None
        code = named
    return code, end + 1 if _at(data, end) == 0x3B else end


def _checked_link(url: str) -> str | None:
    """A usable link target, or None when Telegram would silently drop the entity."""
    url = url.strip()
    if "://" not in url and not url.lower().startswith(("tg:", "ton:")):
        url = f"http://{url}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES:
        return None
    web = parts.scheme.lower() in ("http", "https")
    if web and not _HOST.match(parts.hostname or ""):
        return None
    return url


def _close(tag: _Open, end_utf16: int, out: bytearray, entities: list[MessageEntity]) -> None:
    offset, length, arg = tag.utf16, end_utf16 - tag.utf16, tag.argument.decode(errors="replace")
    if tag.tag in _SIMPLE or (tag.tag == "span" and arg == "spoiler"):
        entities.append(MessageEntity(_SIMPLE.get(tag.tag, "spoiler"), offset, length))
    elif tag.tag == "tg-emoji":
        if not arg.isdigit() or int(arg) == 0 or int(arg) >= 2**63:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(MessageEntity("custom_emoji", offset, length, custom_emoji_id=arg))
    elif tag.tag == "a":
        link = _checked_link(arg or out[tag.out_pos :].decode(errors="replace"))
        if link is not None:
            entities.append(MessageEntity("text_link", offset, length, url=link))
    elif tag.tag == "pre":
        last = entities[-1] if entities else None
        same = last is not None and (last.offset, last.length) == (offset, length)
        if last and same and last.type == "code" and last.language:
            entities[-1] = replace(last, type="pre")
            return
        entities.append(MessageEntity("pre", offset, length))
    elif tag.tag == "code":
        last = entities[-1] if entities else None
        if last and last.type == "pre" and (last.offset, last.length) == (offset, length) and arg:
            entities[-1] = replace(last, language=arg)
        else:
            entities.append(MessageEntity("code", offset, length, language=arg or None))
    else:  # blockquote
        kind = "expandable_blockquote" if arg else "blockquote"
        entities.append(MessageEntity(kind, offset, length))


def _start_tag(data: bytes, begin: int, stack: list[_Open], utf16: int, out_pos: int) -> int:
    """Parse ``<tag attr=...>`` at ``begin``; returns the index of its ``>``."""
    i = begin + 1
    while _at(data, i) not in _SPACE and _at(data, i) != 0x3E:
        i += 1
    if _at(data, i) == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    tag = data[begin + 1 : i].lower().decode(errors="replace")
    if tag not in _TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument = b""
    while _at(data, i) != 0x3E:
        while _at(data, i) and _at(data, i) in _SPACE:
            i += 1
        if _at(data, i) == 0x3E:
            break
        name_begin = i
        while _at(data, i) not in _SPACE and _at(data, i) not in b"=>/\"'":
            i += 1
        name = data[name_begin:i]
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while _at(data, i) and _at(data, i) in _SPACE:
            i += 1
        if _at(data, i) != 0x3D:  # '='
            if _at(data, i) == 0:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == b"expandable":
                argument = b"1"
            continue
        i += 1
        while _at(data, i) and _at(data, i) in _SPACE:
            i += 1
        if _at(data, i) == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value = bytearray()
        if _at(data, i) not in b"'\"":
            token_begin = i
            while chr(_at(data, i)).isascii() and (
                chr(_at(data, i)).isalnum() or _at(data, i) in b".-"
            ):
                i += 1
            value += data[token_begin:i].lower()
            if _at(data, i) not in _SPACE and _at(data, i) != 0x3E:
                raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
        else:
            quote = data[i]
            i += 1
            while _at(data, i) not in (quote, 0):
                decoded = _decode_entity(data, i) if data[i] == 0x26 else None
                if decoded is not None:
                    value += chr(decoded[0]).encode(errors="surrogatepass")
                    i = decoded[1]
                else:
                    value.append(data[i])
                    i += 1
            i += _at(data, i) == quote
        if _at(data, i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if (tag, name) in (("a", b"href"), ("tg-emoji", b"emoji-id")):
            argument = bytes(value)
        elif tag == "code" and name == b"class" and value.startswith(b"language-"):
            argument = bytes(value[9:])
        elif tag == "span" and name == b"class" and value.startswith(b"tg-"):
            argument = bytes(value[3:])
        elif tag == "blockquote" and name == b"expandable":
            argument = b"1"
    if tag == "span" and argument != b"spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    stack.append(_Open(tag, argument, utf16, out_pos))
    return i


def parse_html(text: str) -> tuple[str, list[MessageEntity]]:
    """Plain text and entities of ``text`` in HTML parse mode; raises ``EntityParseError``."""
    try:
        data = text.encode()
    except UnicodeEncodeError as exc:
        raise TelegramTextError("strings must be encoded in UTF-8") from exc
    out = bytearray()
    utf16 = 0
    stack: list[_Open] = []
    entities: list[MessageEntity] = []
    surrogate = False
    i = 0
    while i < len(data):
        c = data[i]
        decoded = _decode_entity(data, i) if c == 0x26 else None
        if decoded is not None:
            code, i = decoded
            utf16 += 2 if code > 0xFFFF else 1
            surrogate |= 0xD800 <= code <= 0xDFFF
            out += chr(code).encode(errors="surrogatepass")
            continue
        if c != 0x3C:
            utf16 += (c & 0xC0 != 0x80) + (c >= 0xF0)
            out.append(c)
            i += 1
            continue
        begin = i
        if _at(data, i + 1) != 0x2F:
            i = _start_tag(data, begin, stack, utf16, len(out))
        else:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            i += 2
            while _at(data, i) not in _SPACE and _at(data, i) != 0x3E:
                i += 1
            end_name = data[begin + 2 : i].lower().decode(errors="replace")
            while _at(data, i) and _at(data, i) in _SPACE:
                i += 1
            if _at(data, i) != 0x3E:
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            opened = stack[-1]
            if end_name and end_name != opened.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                    f'found "</{end_name}>"'
                )
            if utf16 > opened.utf16:
                _close(opened, utf16, out, entities)
            stack.pop()
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    if surrogate:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    entities = [replace(e, language=None) if e.type == "code" else e for e in entities]
    entities.sort(key=lambda e: (e.offset, -e.length, _PRIORITY.get(e.type, 50)))
    return out.decode(), entities
