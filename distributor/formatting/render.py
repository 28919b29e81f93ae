"""One article, one destination: the post to send; the options formatting needs besides the
article (campaign, share-link base, labels, and the templates, each refused when loaded if it
renders a post the platform would refuse for the sample article); and the preview of every
destination (the Telegram call, the tweet and the share links)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from twitter_text import parse_tweet

from distributor.config import Settings
from distributor.errors import ConfigError, DistributorError
from distributor.formatting.clean import clean_article
from distributor.formatting.sharelinks import share_links, with_utm
from distributor.formatting.telegram import limit_for, render_telegram
from distributor.formatting.templates import (
    SUFFIXES,
    PostTemplate,
    compile_template,
    sample_article,
)
from distributor.formatting.text import html_to_text
from distributor.formatting.x import MAX_WEIGHT, render_x, tweet_url
from distributor.models import Article, Destination, Platform, RenderedPost
from distributor.telegram_html.text import format_text

# One article usually goes to several destinations of the same platform (two Telegram
# channels): clean it once per (article, limit, fields used). Articles are frozen and hashable.
_clean = lru_cache(maxsize=512)(clean_article)


def render(
    article: Article,
    destination: Destination,
    options: FormatOptions,
    template: PostTemplate | None = None,
) -> RenderedPost:
    """The post for ``destination`` (raises ``Unformattable``, a PermanentError, if none fits),
    with its template or the one given (a reshare's, ``formatting/reshare.py``).

    Only what the template uses is cleaned, and the excerpt only as far as the platform's limit
    can show.
    """
    template = template or options.template_for(destination)
    telegram = destination.platform == "telegram"
    limit = limit_for(article.image_url) if telegram else MAX_WEIGHT
    clean = _clean(article, excerpt_limit=limit, uses=template.variables)
    if telegram:
        return render_telegram(
            clean,
            template,
            read_url=with_utm(article.url, "telegram", options.utm_campaign),
            read_label=options.read_more(destination.language, article.language),
        )
    return render_x(
        clean,
        template,
        url=with_utm(article.url, "x", options.utm_campaign),
        allow_mentions=destination.allow_mentions,
        alt_text=alt_text(article),
    )


ALT_TEXT_MAX = 1000  # X's limit for an image's alt text


def alt_text(article: Article) -> str:
    """The featured image's description: its own alt text, else the headline it illustrates."""
    return (article.image_alt or html_to_text(article.title))[:ALT_TEXT_MAX]


SHIPPED_DIR = Path(__file__).with_name("templates")
DEFAULTS: dict[Platform, str] = {"telegram": "telegram.html.j2", "x": "x.txt.j2"}


def check_template(template: PostTemplate) -> None:
    """Render the seed article (with and without its image for Telegram) and refuse the
    template with the reason when the platform would refuse the post."""
    try:
        if template.platform == "telegram":
            for with_image in (True, False):
                post = render_telegram(
                    clean_article(sample_article(with_image=with_image)),
                    template,
                    read_url="https://example.com/",
                    read_label="Read",
                )
                format_text(post.text, "HTML", caption=post.method == "sendPhoto")
        else:
            article = clean_article(sample_article())
            text = render_x(article, template).text
            if not parse_tweet(text).valid:
                raise ConfigError(f"not a valid tweet: {text!r}")
            if tweet_url(article.url) not in text:
                raise ConfigError("the tweet does not hold the article URL ({{ url }})")
    except DistributorError as exc:
        raise ConfigError(f"{template.name}: refused for the seed article: {exc}") from exc


def load_template(path: Path) -> PostTemplate:
    """Read, compile and check one template file (ConfigError with the reason)."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read template: {exc}") from exc
    template = compile_template(path.name, source)
    check_template(template)
    return template


def load_templates(directory: Path) -> dict[str, PostTemplate]:
    """Every ``*.html.j2`` (Telegram) and ``*.txt.j2`` (X) template in a directory, by file name."""
    paths = sorted(p for p in directory.iterdir() if p.name.endswith(tuple(SUFFIXES)))
    return {path.name: load_template(path) for path in paths}


@cache
def shipped_templates() -> Mapping[str, PostTemplate]:
    """The default templates shipped with the package (loaded and checked once)."""
    return MappingProxyType(load_templates(SHIPPED_DIR))


READ_MORE: Mapping[str, str] = MappingProxyType({"id": "Baca selengkapnya", "en": "Read more"})


@dataclass(frozen=True)
class FormatOptions:
    """Formatting choices; ``templates`` maps a file name to its checked template."""

    utm_campaign: str = "distributor"
    public_base_url: str | None = None  # share links become {base}/s/{article_id}/{network}
    read_more_labels: Mapping[str, str] = field(default_factory=lambda: READ_MORE)
    default_language: str = "id"
    templates: Mapping[str, PostTemplate] = field(default_factory=shipped_templates)

    @classmethod
    def from_settings(cls, settings: Settings) -> FormatOptions:
        """Options from the settings; templates are the shipped ones plus any ``*.html.j2`` /
        ``*.txt.j2`` in a ``templates`` directory beside the routing file (same name wins)."""
        templates = dict(shipped_templates())
        own = settings.routing_file.parent / "templates"
        if own.is_dir():
            templates.update(load_templates(own))
        return cls(
            utm_campaign=settings.utm_campaign,
            public_base_url=settings.public_base_url,
            templates=MappingProxyType(templates),
        )

    def read_more(self, *languages: str) -> str:
        """The read button's label in the first of ``languages`` that has one, else the default."""
        for language in (*languages, self.default_language):
            if language in self.read_more_labels:
                return self.read_more_labels[language]
        return READ_MORE["id"]

    def template_for(self, destination: Destination) -> PostTemplate:
        """The destination's template, or its platform's default (ConfigError if unusable)."""
        name = destination.template or DEFAULTS[destination.platform]
        template = self.templates.get(name)
        if template is None:
            raise ConfigError(f"destination {destination.id}: no template named {name!r}")
        if template.platform != destination.platform:
            raise ConfigError(
                f"destination {destination.id}: template {name} is for {template.platform}"
            )
        return template


def _first(destinations: Sequence[Destination], platform: Platform) -> Destination:
    """The first destination on ``platform``, else a stand-in using the platform's default."""
    found = next((d for d in destinations if d.platform == platform), None)
    return found or Destination(id=f"preview-{platform}", platform=platform, target="preview")


def build_preview(
    article: Article, destinations: Sequence[Destination], options: FormatOptions
) -> dict[str, Any]:
    """``{"telegram": {method, parse_mode, text|caption, reply_markup, link_preview_options},
    "x": {text, neutralised_mentions, image_url, alt_text}, "share_links": {network: url}}``
    for the first Telegram and X destinations; ``neutralised_mentions`` lists the handles whose
    @ no longer mentions anyone (a WORD JOINER follows it, formatting.mentions)."""
    telegram = render(article, _first(destinations, "telegram"), options)
    tweet = render(article, _first(destinations, "x"), options)
    text_key = "caption" if telegram.method == "sendPhoto" else "text"
    return {
        "telegram": {
            "method": telegram.method,
            "parse_mode": telegram.parse_mode,
            text_key: telegram.text,
            "reply_markup": telegram.reply_markup,
            "link_preview_options": telegram.link_preview_options,
        },
        "x": {
            "text": tweet.text,
            "neutralised_mentions": ["@" + handle for handle in tweet.neutralised_mentions],
            "image_url": tweet.photo_url,
            "alt_text": tweet.alt_text,
        },
        "share_links": share_links(article, options.utm_campaign, options.public_base_url),
    }
