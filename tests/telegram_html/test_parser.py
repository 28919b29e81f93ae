"""The HTML parse mode as tdlib parses it: entities, UTF-16 offsets, errors with byte offsets."""

from __future__ import annotations

import pytest

from distributor.telegram_html.entities import (
    CaptionTooLong,
    EntityParseError,
    MessageEntity,
    TextEmpty,
    TextTooLong,
)
from distributor.telegram_html.parser import parse_html
from distributor.telegram_html.text import (
    check_caption_length,
    check_text_length,
    fix_text,
    format_text,
    text_length,
)


def test_tags_become_entities_with_utf16_offsets() -> None:
    plain, entities = parse_html("😀 <b>bold <i>both</i></b> <u>u</u><s>s</s>")
    assert plain == "😀 bold both us"
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bold", 3, 9),
        ("italic", 8, 4),
        ("underline", 13, 1),
        ("strikethrough", 14, 1),
    ]


def test_every_supported_tag_and_alias() -> None:
    html = (
        "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>"
        '<tg-spoiler>f</tg-spoiler><span class="tg-spoiler">g</span><code>h</code>'
        '<pre>i</pre><pre><code class="language-py">j</code></pre><blockquote>k</blockquote>'
        '<blockquote expandable>l</blockquote><a href="https://example.com/x">m</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    plain, entities = parse_html(html)
    assert plain == "abcdefghijkl" + "m👍"
    assert [e.type for e in entities] == [
        "bold", "italic", "underline", "strikethrough", "strikethrough", "spoiler", "spoiler",
        "code", "pre", "pre", "blockquote", "expandable_blockquote", "text_link", "custom_emoji",
    ]  # fmt: skip
    assert entities[9].language == "py"
    assert entities[12].url == "https://example.com/x"


def test_character_references() -> None:
    plain, _ = parse_html("&lt;b&gt; &amp; &quot;q&quot; &#65;&#x42; &nbsp; &copy")
    assert plain == '<b> & "q" AB &nbsp; &copy'


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("I <3", "Unclosed start tag at byte offset 2"),
        ("I <3 you", 'Unsupported start tag "3" at byte offset 2'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("é<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<a href=x/y>l</a>", "Unexpected end of name token at byte offset 8"),
        ("<tg-emoji emoji-id=abc>e</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_parse_errors_name_the_problem_and_byte_offset(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert info.value.reason == reason
    assert info.value.description == f"can't parse entities: {reason}"


def test_byte_offsets_count_utf8_bytes() -> None:
    with pytest.raises(EntityParseError, match="at byte offset 5"):
        parse_html("ünï<x>")


def test_a_link_without_a_valid_target_is_dropped_silently() -> None:
    assert parse_html('<a href="javascript:alert(1)">x</a>') == ("x", [])


def test_fix_text_trims_and_drops_whitespace_entities() -> None:
    plain, entities = parse_html("\n  <b> </b>Hi <i>there</i>\r\n\t")
    fixed, kept = fix_text(plain, entities, allow_empty=False)
    assert fixed == "Hi there"
    assert kept == [MessageEntity("italic", 3, 5)]


def test_empty_after_parsing_is_refused_for_text_not_caption() -> None:
    with pytest.raises(TextEmpty):
        format_text("<b> </b>\n", "HTML", caption=False)
    assert format_text("<b> </b>", "HTML", caption=True) == ("", [])


def test_limits_count_code_points_after_parsing_and_trimming() -> None:
    check_text_length("x" * 4096)
    check_text_length("  " + "😀" * 4096 + "\n")
    with pytest.raises(TextTooLong):
        check_text_length("x" * 4097)
    check_caption_length("c" * 1024)
    with pytest.raises(CaptionTooLong):
        check_caption_length("c" * 1025)
    with pytest.raises(TextEmpty):
        check_text_length(" \n ")
    assert text_length("<b>ab</b>") == 9
    assert format_text("<b>" + "x" * 4096 + "</b>", "HTML", caption=False)[0] == "x" * 4096


def test_unknown_parse_mode_is_refused() -> None:
    with pytest.raises(Exception, match="unsupported parse_mode"):
        format_text("x", "Textile", caption=False)
