"""The three HTML readers agree wherever the faster ones are used."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributor.formatting import markup
from distributor.formatting.text import normalize

# (LINE and PARAGRAPH are removed from the source before any reader sees it)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=markup.LINE + markup.PARAGRAPH)
    | st.sampled_from(["&", "<", ">", "\n", "\xa0"]),
    max_size=12,
).map(html.escape) | st.sampled_from(["&amp;", "&#8217;", "&#x1F600;", "&nbsp;", "&bogus;", "&"])
ATTRS = st.sampled_from(
    ["", ' class="x"', " id=a", " title='a > b'", ' data-x="1<2"', " hidden", ' style="a:b" ']
)
ORDINARY = st.sampled_from(["p", "b", "em", "div", "span", "li", "h2", "br", "strong", "P", "Br"])
SPECIAL = st.sampled_from(["script", "style", "a", "iframe", "noscript"])
HREFS = st.sampled_from(
    [' href="https://a.id/"', " href='javascript:x()'", ' href="&#106;avascript:x"', ""]
)


@st.composite
def fragments(draw: st.DrawFn, special: bool) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 3 if special else 2))
        if kind == 0:
            parts.append(draw(TEXT))
        elif kind in (1, 2):
            tag = draw(ORDINARY)
            slash = "/" if kind == 2 and tag.lower() != "br" else ""
            parts.append(f"<{slash}{tag}{'' if slash else draw(ATTRS)}>")
        else:
            tag = draw(SPECIAL)
            attrs = draw(HREFS) if tag == "a" else draw(ATTRS)
            parts.append(f"<{tag}{attrs}>{draw(TEXT).replace('<', '')}</{tag}>")
    return "".join(parts)


def by_parser(fragment: str) -> str:
    collector = markup._Collector(None)
    markup._parse(fragment, collector)
    return normalize("".join(collector.parts), paragraphs=True)


def by_tokenizer(fragment: str) -> str:
    collector = markup._Collector(None)
    assert markup._tokenize(fragment, collector) is True
    return normalize("".join(collector.parts), paragraphs=True)


@settings(max_examples=300, deadline=None)
@given(fragments(special=False))
def test_regex_passes_read_ordinary_html_like_the_parser(fragment: str) -> None:
    assert not markup._SPECIAL.search(fragment)
    raw, complete = markup.visible_text(fragment)
    assert complete
    assert normalize(raw, paragraphs=True) == by_parser(fragment) == by_tokenizer(fragment)


@settings(max_examples=300, deadline=None)
@given(fragments(special=True))
def test_tokenizer_reads_links_and_hidden_elements_like_the_parser(fragment: str) -> None:
    assert by_tokenizer(fragment) == by_parser(fragment)


@pytest.mark.parametrize(
    "fragment",
    ["a <!-- b --> c", "<script>if (a < b) {}</script>x", "a < b", "<b>unclosed <i", "<?php x ?>y"],
)
def test_anything_else_goes_to_the_parser(fragment: str) -> None:
    raw, complete = markup.visible_text(fragment)
    assert complete
    assert normalize(raw, paragraphs=True) == by_parser(fragment)
