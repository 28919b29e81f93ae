"""Posts and charts drawn for the desk (pure): Telegram entities at UTF-16 offsets, escaping,
links only where safe, X's shortened links, labelled SVG."""

from __future__ import annotations

from distributor.desk.charts import sparkline, stacked_bars
from distributor.desk.post_view import render_entities, telegram_view, tweet_body
from distributor.models import RenderedPost


def test_entities_land_on_the_right_characters_after_astral_emoji() -> None:
    text = "🎉 Big <news> here"
    # "🎉" is two UTF-16 units: "Big" starts at 3
    html = render_entities(text, [{"type": "bold", "offset": 3, "length": 3}])
    assert str(html) == "🎉 <strong>Big</strong> &lt;news&gt; here"


def test_links_are_kept_only_for_web_and_tg_schemes() -> None:
    text = "read this or that"
    entities = [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/a?b=1&c=2"},
        {"type": "text_link", "offset": 13, "length": 4, "url": "javascript:alert(1)"},
    ]
    html = str(render_entities(text, entities))
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">read</a>'
        in html
    )
    assert "javascript" not in html and '<span class="tg-link">that</span>' in html


def test_a_telegram_post_is_parsed_as_telegram_parses_it() -> None:
    post = RenderedPost(
        platform="telegram", method="sendMessage", parse_mode="HTML",
        text='<b>Judul</b> &amp; <i>sub</i>\n<a href="https://e.com/x">link</a> #Pemilu',
        reply_markup={"inline_keyboard": [[{"text": "Baca", "url": "https://e.com/x"}]]},
    )  # fmt: skip
    view = telegram_view(post)
    assert str(view.body) == (
        "<strong>Judul</strong> &amp; <em>sub</em>\n"
        '<a href="https://e.com/x" rel="noopener noreferrer nofollow">link</a> '
        '<span class="tg-link">#Pemilu</span>'
    )
    assert view.buttons[0][0].text == "Baca" and view.link_preview == "https://e.com/x"
    broken = telegram_view(post.model_copy(update={"text": "<b>unclosed"}))
    assert broken.error is not None and "can't parse entities" in broken.error


def test_a_tweet_shows_links_as_x_shortens_them_and_escapes_the_rest() -> None:
    html = str(tweet_body("A <b> https://www.example.com/2024/02/01/a-long-slug/ #Jambi"))
    assert html.startswith('A &lt;b&gt; <a href="https://www.example.com/2024/02/01/a-long-slug/"')
    assert ">example.com/2024/02/01/a-…</a>" in html
    assert '<span class="x-link">#Jambi</span>' in html


def test_charts_are_labelled_images_with_escaped_text() -> None:
    svg = str(stacked_bars(["01 Dec"], {"<x>": [3]}, title="Shares & more"))
    assert 'role="img" aria-label="Shares &amp; more"' in svg and "&lt;x&gt;: 3" in svg
    spark = str(sparkline([0, 1, 4], label="5 events"))
    assert 'aria-label="5 events"' in spark and "<polyline" in spark
