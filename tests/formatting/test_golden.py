"""Golden posts for the seed article: Indonesian text, curly quotes, an NBSP, three tags."""

from __future__ import annotations

from typing import Any

import pytest
from twitter_text import parse_tweet

from distributor.formatting import FormatOptions, render
from distributor.formatting.render import build_preview
from distributor.models import Article, Destination
from distributor.telegram_html.text import format_text
from tests.support.seed import seed_article_dict

URL = "https://visualjambi.com/2024/02/01/gubernur-al-haris-pimpin-rakor-politik-se-provinsi-jambi/"
TITLE = "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi"
EXCERPT = (
    "VisualJambi, Kota Jambi. – Dalam rangka menyukseskan Pemilu 2024, Badan Kesatuan Bangsa dan"
    " Politik (Kesbangpol) Provinsi Jambi menyelenggarakan Rapat Koordinasi Politik Se-Provinsi"
    " Jambi pada tahun anggaran 2024 Persiapan Pemilu Serentak tahun 2024. Rakor Politik ini"
    " mengusung tema “Sinergitas Pemerintah Daerah dan Penyelenggara Pemilu dalam menyukseskan"
    " pemilu serentak 2024”, bertempat di Golden Harvest Hotel, Kamis (01/02/2024).\n\n"
    "Rakor Politik ini dibuka dan dipimpin langsung oleh Gubernur Jambi H. Al Haris, S.Sos., MH"
    " dengan didampingi oleh Ketua Bawaslu Provinsi Jambi, Komisioner KPU Provinsi Jambi, dan"
    " Polda Jambi."
)
TELEGRAM_TEXT = f"<b>{TITLE}</b>\n\n{EXCERPT}\n\n#AlHaris #Gubernur #Rakor"
TWEET_URL = f"{URL}?utm_source=x&utm_medium=social&utm_campaign=distributor"  # counts 23
TWEET = f"{TITLE}\n\n{TWEET_URL}\n\n#AlHaris #Gubernur #Rakor"
READ_URL = f"{URL}?utm_source=telegram&utm_medium=social&utm_campaign=distributor"
TELEGRAM = Destination(id="channel", platform="telegram", target="@visualjambi")
X = Destination(id="x-main", platform="x", target="visualjambi")


def seed(**changes: Any) -> Article:
    return Article.model_validate({**seed_article_dict(), **changes})


def test_telegram_photo_with_caption() -> None:
    post = render(seed(), TELEGRAM, FormatOptions())
    assert post.method == "sendPhoto"
    assert post.parse_mode == "HTML"
    assert post.photo_url == seed().image_url
    assert post.text == TELEGRAM_TEXT
    assert post.reply_markup == {
        "inline_keyboard": [[{"text": "Baca selengkapnya", "url": READ_URL}]]
    }
    assert post.link_preview_options is None
    plain, entities = format_text(post.text, "HTML", caption=True)
    assert plain == f"{TITLE}\n\n{EXCERPT}\n\n#AlHaris #Gubernur #Rakor"
    assert [(e.type, e.offset, e.length) for e in entities] == [("bold", 0, len(TITLE))]


def test_telegram_message_without_image_previews_the_article() -> None:
    post = render(seed(image_url=None), TELEGRAM, FormatOptions())
    assert post.method == "sendMessage"
    assert post.text == TELEGRAM_TEXT
    assert post.photo_url is None
    assert post.link_preview_options == {"url": URL, "prefer_large_media": True}
    format_text(post.text, "HTML", caption=False)


def test_read_button_label_follows_the_destination_language() -> None:
    english = Destination(id="en", platform="telegram", target="@en", language="en")
    options = FormatOptions(utm_campaign="launch")
    post = render(seed(), english, options)
    assert post.reply_markup == {
        "inline_keyboard": [
            [
                {
                    "text": "Read more",
                    "url": f"{URL}?utm_source=telegram&utm_medium=social&utm_campaign=launch",
                }
            ]
        ]
    }


def test_tweet() -> None:
    post = render(seed(), X, FormatOptions())
    assert (post.platform, post.method, post.parse_mode) == ("x", "tweet", None)
    assert post.text == TWEET
    parsed = parse_tweet(post.text)
    assert parsed.valid
    assert parsed.weightedLength == len(TITLE) + 2 + 23 + 2 + len("#AlHaris #Gubernur #Rakor")


@pytest.mark.parametrize("tracked", [None, "https://go.visualjambi.com"])
def test_preview(tracked: str | None) -> None:
    preview = build_preview(seed(), [X, TELEGRAM], FormatOptions(public_base_url=tracked))
    assert preview["telegram"] == {
        "method": "sendPhoto",
        "parse_mode": "HTML",
        "caption": TELEGRAM_TEXT,
        "reply_markup": {"inline_keyboard": [[{"text": "Baca selengkapnya", "url": READ_URL}]]},
        "link_preview_options": None,
    }
    assert preview["x"] == {
        "text": TWEET,
        "neutralised_mentions": [],
        "image_url": seed().image_url,
        "alt_text": TITLE,
    }
    links = preview["share_links"]
    assert list(links) == [
        "facebook", "x", "whatsapp", "telegram", "linkedin", "email", "line", "reddit", "pinterest"
    ]  # fmt: skip
    if tracked:
        assert links["whatsapp"] == f"{tracked}/s/20240201-rakor/whatsapp"
    else:
        assert links["facebook"] == (
            "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fvisualjambi.com%2F2024"
            "%2F02%2F01%2Fgubernur-al-haris-pimpin-rakor-politik-se-provinsi-jambi%2F%3Futm_source"
            "%3Dfacebook%26utm_medium%3Dsocial%26utm_campaign%3Ddistributor"
        )


def test_preview_without_image_uses_text_key() -> None:
    preview = build_preview(seed(image_url=None), [], FormatOptions())
    assert preview["telegram"]["method"] == "sendMessage"
    assert preview["telegram"]["text"] == TELEGRAM_TEXT
    assert "caption" not in preview["telegram"]
    assert preview["telegram"]["link_preview_options"] == {"url": URL, "prefer_large_media": True}
