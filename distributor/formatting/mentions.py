"""@mentions in an automated post, and how to keep a headline's handles from being ones.

X's automation rules forbid unsolicited automated @mentions, yet headlines quote handles
("Ketua KPU @kpu_ri: ..."). X finds mentions with twitter-text's rules (``validMentionOrList``,
``validMentionPrecedingChars`` and ``endMentionMatch`` in twitter-text's regexp folder, ported
below; twitter-text-parser, which this project uses for lengths, does not extract mentions).
A WORD JOINER (U+2060, invisible, no line break) right after the at sign breaks the pattern,
since a screen name must follow the at sign at once: the reader sees the same characters, X
sees no mention. Handles the destination allows stay mentions; so do at signs inside URLs (X
links the URL, not a mention there)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from twitter_text import extract_urls_with_indices
from twitter_text.regexp.latin_accent_chars import latin_accent_chars

WORD_JOINER = "\u2060"
AT_SIGNS = "@\uff20"  # X also takes the fullwidth at sign
_PRECEDING = r"(?:^|[^a-zA-Z0-9_!#$%&*@\uff20]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
_MENTION_OR_LIST = re.compile(
    f"({_PRECEDING})([{AT_SIGNS}])([a-zA-Z0-9_]{{1,20}})(/[a-zA-Z][a-zA-Z0-9_-]{{0,24}})?"
)
_END_MENTION = re.compile(f"(?:[{AT_SIGNS}]|[{latin_accent_chars.pattern}]|://)")


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention (or list) as X extracts it: ``indices`` cover the at sign to the end."""

    screen_name: str
    list_slug: str
    indices: tuple[int, int]


def extract_mentions(text: str) -> list[Mention]:
    """Mentions and lists by twitter-text's ``extractMentionsOrListsWithIndices``."""
    if not any(sign in text for sign in AT_SIGNS):
        return []
    found: list[Mention] = []
    for match in _MENTION_OR_LIST.finditer(text):
        if _END_MENTION.match(text, match.end()):
            continue
        start = match.start(2)
        found.append(Mention(match[3], match[4] or "", (start, match.end())))
    return found


def neutralise_mentions(text: str, allowed: Collection[str] = ()) -> tuple[str, tuple[str, ...]]:
    """``text`` with a WORD JOINER after the at sign of every mention X would make of a handle
    not in ``allowed`` (case-insensitive), and those handles, in order; URLs are left whole."""
    mentions = extract_mentions(text)
    if not mentions:
        return text, ()
    keep = {name.lower().lstrip("@") for name in allowed}
    urls = [tuple(u["indices"]) for u in extract_urls_with_indices(text)]
    cuts = [
        m
        for m in mentions
        if m.screen_name.lower() not in keep
        and not any(start < m.indices[1] and m.indices[0] < end for start, end in urls)
    ]
    out, cursor = [], 0
    for mention in cuts:
        at = mention.indices[0] + 1
        out += [text[cursor:at], WORD_JOINER]
        cursor = at
    out.append(text[cursor:])
    return "".join(out), tuple(m.screen_name for m in cuts)
