"""Article text as the site's reader sees it: HTML fragments to clean plain text, and cutting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser

ELLIPSIS = "…"

# elements whose content the reader never sees as text
_HIDDEN = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
        "math", "head", "title", "textarea", "select", "canvas", "video", "audio", "picture",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "aside",
        "figure", "figcaption", "hr", "main", "nav", "address", "details", "summary",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")
_UNFINISHED = re.compile(r"<[A-Za-z/!?]")
_NESTED_TAG = re.compile(r"<([A-Za-z][^\s/>]*)(?!.*<[A-Za-z])", re.DOTALL)
_AROUND_NEWLINE = re.compile(r" *\n *")
_MANY_NEWLINES = re.compile(r"\n{3,}")
# controls, lone surrogates, the BOM and two non-characters (X refuses them), and the marks
# Telegram silently drops (so lengths agree with what it shows)
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff\u030a\u0333\u033f\u202a-\u202e]"
)
_TRAILING = " \t\n,;:([{“‘«/&-–—"
_FEED_CHUNK = 8192


class _Extractor(HTMLParser):
    """Collects visible text; block elements become paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self._hidden: str | None = None
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # a "<" inside a start tag ("<c<script>", "<a x=1<script>") begins the tag that counts
        # here, so no script hides from us there (browsers would show it as text)
        script_link = tag == "a" and _is_script_link(attrs)
        nested = _NESTED_TAG.search(self.get_starttag_text() or "", 1)
        if nested:
            tag = nested.group(1).lower()
        if self._hidden is not None:
            self._hidden_depth += tag == self._hidden
            return
        if script_link:
            self._hidden, self._hidden_depth = "a", 1
        elif tag in _HIDDEN:
            self._hidden, self._hidden_depth = tag, 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden is None and tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden is not None:
            if tag == self._hidden:
                self._hidden_depth -= 1
                if self._hidden_depth == 0:
                    self._hidden = None
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def close(self) -> None:
        # markup cut off by the end of input ("<!-- ...", "<b class=") shows nothing in a browser
        if _UNFINISHED.match(self.rawdata):
            self.rawdata = ""
        super().close()

    def handle_data(self, data: str) -> None:
        if self._hidden is None:
            self.parts.append(_SPACES.sub(" ", data))  # a newline in HTML source is a space
            self.size += len(data)


def _is_script_link(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "href" and value is not None:
            scheme = _SPACES.sub("", value).lower()
            return scheme.startswith(("javascript:", "vbscript:", "data:"))
    return False


def html_to_text(fragment: str, *, paragraphs: bool = False, limit: int | None = None) -> str:
    """Visible text of an HTML fragment: hidden elements and script links dropped, entities
    decoded once, whitespace collapsed (paragraph breaks kept as blank lines if asked).

    With ``limit``, parsing may stop once the text is longer than that: only its first
    ``limit + 1`` characters are then exact.
    """
    if "<" not in fragment and "&" not in fragment:
        raw = _SPACES.sub(" ", fragment)
    else:
        parser = _Extractor()
        for start in range(0, len(fragment), _FEED_CHUNK):
            parser.feed(fragment[start : start + _FEED_CHUNK])
            if limit is not None and parser.size > limit + 1:
                text = normalize("".join(parser.parts), paragraphs=paragraphs)
                if len(text) > limit + 1:
                    return text
        parser.close()
        raw = "".join(parser.parts)
    return normalize(raw, paragraphs=paragraphs)


def normalize(text: str, *, paragraphs: bool = False) -> str:
    """Drop unwanted characters, collapse whitespace (keeping ``\\n`` breaks if asked), NFC."""
    text = _UNWANTED.sub("", text)
    if paragraphs:
        text = "\n".join(_SPACES.sub(" ", line) for line in text.split("\n"))
        text = _MANY_NEWLINES.sub("\n\n", _AROUND_NEWLINE.sub("\n", text))
    else:
        text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text.strip())


def cut(text: str, limit: int, weigh: Callable[[str], int] = len) -> str:
    """``text`` if it weighs at most ``limit``, else a prefix ending at a word boundary
    (or, without a usable one, a whole character cluster) followed by "…"; "" if none fits."""
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
