"""The text a browser shows for an HTML fragment, with line and paragraph breaks marked.

Three readers, fastest first, each used only where it reads the fragment the same way as the
next: plain regular-expression passes (only ordinary tags), a tokenizer over the same tag
pattern (links and hidden elements too), and ``html.parser`` for anything else (comments,
a raw "<" in a script, broken tags). The marks are control characters the source cannot
hold: they are removed from it first, and no character reference decodes to them.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

LINE = "\x01"  # a <br>
PARAGRAPH = "\x02"  # a block element's edge

# elements whose content the reader never sees as text
_HIDDEN = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "head", "title", "textarea", "select", "canvas", "video", "audio", "picture",
)  # fmt: skip
_BLOCKS = (
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "aside",
    "figure", "figcaption", "hr", "main", "nav", "address", "details", "summary",
)  # fmt: skip
_HIDDEN_SET = frozenset(_HIDDEN)
_BLOCK_SET = frozenset(_BLOCKS)
_ATTRS = r"""(?:\s+[^\s"'>/=<]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>"""
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9-]*)({_ATTRS})")
_BR_TAG = re.compile(rf"</?br(?![A-Za-z0-9-]){_ATTRS}", re.IGNORECASE)
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(_BLOCKS)})(?![A-Za-z0-9-]){_ATTRS}", re.IGNORECASE)
# what only the tokenizer or the parser handle: links, hidden elements, comments, <!...>, <?...>
_SPECIAL = re.compile(rf"<(?:[!?]|/?(?:a|{'|'.join(_HIDDEN)})(?![A-Za-z0-9-]))", re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# controls, lone surrogates, the BOM and two non-characters (X refuses them), and the marks
# Telegram silently drops (so lengths agree with what it shows); LINE and PARAGRAPH among them
UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff\u030a\u0333\u033f\u202a-\u202e]"
)
_UNFINISHED = re.compile(r"<[A-Za-z/!?]")
_NESTED_TAG = re.compile(r"<([A-Za-z][^\s/>]*)(?!.*<[A-Za-z])", re.DOTALL)
_FEED_CHUNK = 4096


def visible_text(fragment: str, room: int | None = None) -> tuple[str, bool]:
    """Visible text with ``LINE`` / ``PARAGRAPH`` marks, the source's whitespace as it is, and
    whether it is all of it: with ``room``, reading may stop once that many characters are read
    (the end may then hold a partial character reference)."""
    if LINE in fragment or PARAGRAPH in fragment:
        fragment = fragment.replace(LINE, "").replace(PARAGRAPH, "")
    head = fragment
    if room is not None and len(fragment) > _source_room(room):
        end = fragment.rfind(">", 0, _source_room(room)) + 1  # end on a whole tag if one is near
        head = fragment[: end if end > room else _source_room(room)]
    complete = len(head) == len(fragment)
    if "<" not in head:
        return (html.unescape(head) if "&" in head else head), complete
    if not _SPECIAL.search(head):
        marked = _TAG.sub("", _BLOCK_TAG.sub(PARAGRAPH, _BR_TAG.sub(LINE, head)))
        if "<" not in marked:
            return (html.unescape(marked) if "&" in marked else marked), complete
    collector = _Collector(room)
    done = _tokenize(fragment, collector)
    if done is None:
        collector = _Collector(room)
        done = _parse(fragment, collector)
    return "".join(collector.parts), done


def _source_room(room: int) -> int:
    """Source characters to read for ``room`` visible ones, with some markup to spare."""
    return room + room // 2 + 64


def is_script_link(href: str | None) -> bool:
    """Whether a link target runs code instead of going somewhere."""
    scheme = _SPACES.sub("", href or "").lower()
    return scheme.startswith(("javascript:", "vbscript:", "data:"))


class _Collector:
    """Visible text and break marks; stops taking text once ``room`` characters are taken."""

    def __init__(self, room: int | None) -> None:
        self.parts: list[str] = []
        self.room = room
        self._hidden: str | None = None
        self._depth = 0

    def start(self, tag: str, script_link: bool) -> None:
        if self._hidden is not None:
            self._depth += tag == self._hidden
        elif script_link:
            self._hidden, self._depth = "a", 1
        elif tag in _HIDDEN_SET:
            self._hidden, self._depth = tag, 1
        elif tag == "br":
            self.parts.append(LINE)
        elif tag in _BLOCK_SET:
            self.parts.append(PARAGRAPH)

    def end(self, tag: str) -> None:
        if self._hidden is not None:
            if tag == self._hidden:
                self._depth -= 1
                if self._depth == 0:
                    self._hidden = None
        elif tag in _BLOCK_SET:
            self.parts.append(PARAGRAPH)
        elif tag == "br":  # browsers read </br> as <br>
            self.parts.append(LINE)

    def data(self, text: str) -> bool:
        """Collect decoded text; True once no more is wanted."""
        if self._hidden is None and text:
            self.parts.append(text)
            if self.room is not None:
                self.room -= len(text)
        return self.room is not None and self.room <= 0

    def source(self, text: str) -> bool:
        """Collect source text (references not decoded yet), only as much as is wanted; True
        once no more is wanted."""
        if self.room is not None and self._hidden is None and len(text) > self.room:
            text = text[: self.room]
        return self.data(html.unescape(text) if "&" in text else text)


def _tokenize(fragment: str, collector: _Collector) -> bool | None:
    """Collect a well-formed fragment with the tag pattern: whether all was collected, or None
    (nothing usable) if some "<" is not a tag."""
    pos = 0
    for match in _TAG.finditer(fragment):
        text = fragment[pos : match.start()]
        if "<" in text:
            return None
        if collector.source(text):
            return False
        closing, name, attrs = match.groups()
        name = name.lower()
        if closing:
            collector.end(name)
        else:
            href = _HREF.search(attrs) if name == "a" else None
            target = next((g for g in href.groups() if g is not None), None) if href else None
            collector.start(name, is_script_link(html.unescape(target) if target else None))
        pos = match.end()
    rest = fragment[pos:]
    if "<" in rest:
        return None
    return not collector.source(rest)


def _parse(fragment: str, collector: _Collector) -> bool:
    """Collect any fragment the way ``html.parser`` reads it (tolerant of broken markup);
    whether all was collected."""
    parser = _Parser(collector)
    for start in range(0, len(fragment), _FEED_CHUNK):
        parser.feed(fragment[start : start + _FEED_CHUNK])
        if parser.enough:
            return False
    parser.close()
    return True


class _Parser(HTMLParser):
    """``html.parser`` events into a collector."""

    def __init__(self, collector: _Collector) -> None:
        super().__init__(convert_charrefs=True)
        self.collector = collector
        self.enough = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        script_link = tag == "a" and is_script_link(dict(attrs).get("href"))
        # a "<" inside a start tag ("<c<script>", "<a x=1<script>") begins the tag that counts
        # here, so no script hides from us there (browsers would show it as text)
        nested = _NESTED_TAG.search(self.get_starttag_text() or "", 1)
        self.collector.start(nested.group(1).lower() if nested else tag, script_link)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # "/>" closes nothing in HTML

    def handle_endtag(self, tag: str) -> None:
        self.collector.end(tag)

    def handle_data(self, data: str) -> None:
        self.enough = self.collector.data(data) or self.enough

    def close(self) -> None:
        # markup cut off by the end of input ("<!-- ...", "<b class=") shows nothing in a browser
        if _UNFINISHED.match(self.rawdata):
            self.rawdata = ""
        super().close()
