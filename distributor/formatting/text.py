"""Article text as the site's reader sees it: HTML fragments to clean plain text, cutting
at a word boundary, and shortening a post until it fits (the excerpt first, then hashtags,
then the title)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from distributor.errors import PermanentError
from distributor.formatting.markup import LINE, PARAGRAPH, UNWANTED, visible_text

ELLIPSIS = "…"
_TRAILING = " \t\n,;:([{“‘«/&-–—"
_MARGIN = 64  # longer than any character reference
_PRINTABLE_UNWANTED = ("\u030a", "\u0333", "\u033f")  # marks Telegram drops


def html_to_text(fragment: str, *, paragraphs: bool = False, limit: int | None = None) -> str:
    """Visible text of an HTML fragment: hidden elements and script links dropped, entities
    decoded once, whitespace collapsed (paragraph breaks kept as blank lines if asked).

    With ``limit``, reading may stop once the text is longer than that: only its first
    ``limit + 1`` characters are then exact.
    """
    if "<" not in fragment and "&" not in fragment and limit is None:
        return normalize(fragment.replace(LINE, "").replace(PARAGRAPH, ""), paragraphs=paragraphs)
    room = None if limit is None else limit + limit // 4 + 2 * _MARGIN  # whitespace to collapse
    while True:
        raw, complete = visible_text(fragment, room)
        if room is not None and len(raw) > room:
            raw, complete = raw[:room], False
        text = normalize(raw, paragraphs=paragraphs)
        # a read cut short may end in a partial entity ("&am"): keep it well past the limit
        if complete or limit is None or room is None or len(text) > limit + _MARGIN:
            return text
        room = room * 4 if room < len(fragment) else None


def normalize(raw: str, *, paragraphs: bool = False) -> str:
    """Drop unwanted characters (controls, BOM, ...), collapse whitespace; ``LINE`` /
    ``PARAGRAPH`` marks become a newline / a blank line (or a space, without ``paragraphs``);
    NFC."""
    text = _collapse(raw, paragraphs)
    if not text.replace("\n", "").isprintable() or any(m in text for m in _PRINTABLE_UNWANTED):
        text = _collapse(LINE.join(UNWANTED.sub("", line) for line in text.split("\n")), paragraphs)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _collapse(raw: str, paragraphs: bool) -> str:
    if not paragraphs:
        return _squeeze(raw.replace(LINE, " ").replace(PARAGRAPH, " "))
    while PARAGRAPH + PARAGRAPH in raw:  # nested blocks: one paragraph break
        raw = raw.replace(PARAGRAPH + PARAGRAPH, PARAGRAPH)
    lines = raw.replace(PARAGRAPH, LINE + LINE).split(LINE)
    text = "\n".join(_squeeze(line) for line in lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")


def _squeeze(line: str) -> str:
    """Whitespace runs to one space, ends trimmed (checked first: most lines need nothing)."""
    if "  " in line or line[:1] == " " or line[-1:] == " " or not line.isprintable():
        return " ".join(line.split())
    return line


def tidy(text: str) -> str:
    """Drop trailing spaces and runs of blank lines left by empty fields; trim the ends."""
    if " \n" in text or "\t\n" in text:
        text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def cut(text: str, limit: int, weigh: Callable[[str], int] | None = None) -> str:
    """``text`` if it weighs at most ``limit`` (each character 1, unless ``weigh`` says), else
    a prefix ending at a word boundary (or, without a usable one, a whole character cluster)
    followed by "…"; "" if none fits."""
    if weigh is None:
        if len(text) <= limit:
            return text
        fits = max(limit - 1, 0)
    else:
        if weigh(text) <= limit:
            return text
        room = limit - weigh(ELLIPSIS)
        fits = 0
        for char in text:
            room -= weigh(char)
            if room < 0:
                break
            fits += 1
    if fits == 0:
        return ""
    end = fits
    if not text[fits].isspace():
        space = max(text.rfind(" ", 0, fits), text.rfind("\n", 0, fits))
        end = space if space >= fits // 2 else _cluster_start(text, fits)
    prefix = text[:end].rstrip(_TRAILING)
    return prefix + ELLIPSIS if prefix else ""


def _cluster_start(text: str, index: int) -> int:
    """Move ``index`` back so it does not split an emoji sequence or a combining cluster."""
    while index > 0 and (_extends(text[index]) or text[index - 1] == "\u200d"):
        index -= 1
    flags = 0
    while index - flags > 0 and "\U0001f1e6" <= text[index - flags - 1] <= "\U0001f1ff":
        flags += 1
    return index - flags % 2


def _extends(char: str) -> bool:
    """Whether ``char`` attaches to the character before it."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == "\u200d"
        or "\ufe00" <= char <= "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or "\U000e0020" <= char <= "\U000e007f"
    )


Render = Callable[[str, str, tuple[str, ...]], str]
"""Render a post from (title, excerpt, hashtags)."""


class Unformattable(PermanentError):
    """No post within the platform's limits can be made (the template or URL alone is too long)."""


def fit(
    render: Render,
    excess: Callable[[str], int],
    weigh: Callable[[str], int] | None,
    title: str,
    excerpt: str,
    hashtags: tuple[str, ...],
) -> str:
    """The rendered post, with the least cut that makes ``excess(post) <= 0``.

    ``excess`` measures the whole post (how far over the limit, in the platform's units) and
    ``weigh`` estimates one field's share (None: one per character); each step re-measures, so
    the estimate only has to be close, and every step strictly shortens a field, so the loop
    ends.
    """
    size = weigh or len
    text = render(title, excerpt, hashtags)
    over = excess(text)
    while over > 0 and excerpt:
        excerpt = cut(excerpt, size(excerpt) - over, weigh)
        text = render(title, excerpt, hashtags)
        over = excess(text)
    while over > 0 and hashtags:
        keep, freed = len(hashtags), 0
        while keep and freed < over:
            keep -= 1
            freed += size(hashtags[keep]) + 1
        hashtags = hashtags[:keep]
        text = render(title, excerpt, hashtags)
        over = excess(text)
    while over > 0 and title:
        title = cut(title, size(title) - over, weigh)
        text = render(title, excerpt, hashtags)
        over = excess(text)
    if over > 0:
        raise Unformattable(
            f"the post is {over} over the limit with title, excerpt and hashtags emptied"
            " (the template's own text or the URL is too long)"
        )
    return text
