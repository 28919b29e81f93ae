"""Post templates from files: the shipped defaults and a directory of one's own, each refused
when loaded if it renders a post the platform would refuse for the seed article."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from twitter_text import parse_tweet

from distributor.errors import ConfigError, DistributorError
from distributor.formatting.clean import clean_article
from distributor.formatting.sample import sample_article
from distributor.formatting.telegram import render_telegram
from distributor.formatting.template import SUFFIXES, PostTemplate, compile_template
from distributor.formatting.x import render_x, tweet_url
from distributor.models import Platform
from distributor.sandbox.telegram_text import format_text

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
