"""One post template: Jinja2 in its sandbox, HTML-escaped for Telegram, plain text for X; and
the sample article every template is checked against when loaded (the seed article;
tests/support/seed.py builds the same from the saved page)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from distributor.errors import ConfigError
from distributor.formatting.text import Unformattable
from distributor.models import Article, Platform

SUFFIXES: dict[str, Platform] = {".html.j2": "telegram", ".txt.j2": "x"}
# filters that would let article text into the HTML unescaped or add attributes Telegram refuses
_UNSAFE_FILTERS = ("safe", "urlize", "xmlattr")
# what the Bot API silently drops or turns into a space (article text is cleaned of these)
_NEWLINES = re.compile(r"\r\n?")  # Jinja reads any newline as "\n"
_BOT_API_CHANGES = re.compile("[\x00-\x08\x0b-\x1f\u030a\u0333\u033f\u2028-\u202e]")


@dataclass(frozen=True)
class PostTemplate:
    """A compiled template; context: title, excerpt, hashtags, url, author, category, language
    (``variables``: the ones it uses)."""

    name: str
    platform: Platform
    template: Template
    variables: frozenset[str]

    def render(self, **context: Any) -> str:
        """The template's output; a failure at render time makes the article unformattable."""
        try:
            return self.template.render(context)
        except Exception as exc:  # a template is code from outside: any failure is its own
            raise Unformattable(f"template {self.name}: {exc}") from exc


def platform_of(name: str) -> Platform:
    """The platform a template file is for, from its suffix."""
    for suffix, platform in SUFFIXES.items():
        if name.endswith(suffix):
            return platform
    raise ConfigError(f"{name}: a template name ends in .html.j2 (Telegram) or .txt.j2 (X)")


def compile_template(name: str, source: str) -> PostTemplate:
    """Compile a template in a sandboxed environment; ConfigError says what is wrong and where."""
    platform = platform_of(name)
    env = SandboxedEnvironment(
        autoescape=platform == "telegram",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for unsafe in _UNSAFE_FILTERS:
        env.filters.pop(unsafe, None)
    if platform == "telegram":
        changed = _BOT_API_CHANGES.search(html.unescape(_NEWLINES.sub("\n", source)))
        if changed:
            raise ConfigError(f"{name}: holds {changed.group()!r}, which Telegram drops or changes")
    try:
        tree = env.parse(source, name=name)
        if platform == "telegram" and any(tree.find_all(nodes.EvalContextModifier)):
            raise ConfigError(f"{name}: autoescape cannot be turned off in a Telegram template")
        variables = frozenset(meta.find_undeclared_variables(tree))
        template = env.from_string(tree)
        # a plain dict: every render copies the globals, and copying a ChainMap is slow
        template.globals = dict(template.globals)
        return PostTemplate(name, platform, template, variables)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or "?"
        raise ConfigError(f"{name}:{line}: {exc}") from exc


_SITE = "https://visualjambi.com"
_SLUG = "gubernur-al-haris-pimpin-rakor-politik-se-provinsi-jambi"


def sample_article(*, with_image: bool = True) -> Article:
    """The seed article; without its image it renders as a Telegram message, not a photo."""
    return Article.model_validate(
        {
            "id": "20240201-rakor",
            "url": f"{_SITE}/2024/02/01/{_SLUG}/",
            "title": "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi",
            "excerpt": (
                "<p>VisualJambi, Kota Jambi. – Dalam rangka menyukseskan Pemilu 2024, Badan "
                "Kesatuan Bangsa dan Politik (Kesbangpol) Provinsi Jambi menyelenggarakan "
                "Rapat Koordinasi Politik Se-Provinsi Jambi pada tahun anggaran 2024 "
                "Persiapan Pemilu Serentak tahun 2024. Rakor Politik ini mengusung tema "
                "“Sinergitas Pemerintah Daerah dan Penyelenggara Pemilu dalam menyukseskan "
                "pemilu serentak 2024”, bertempat di Golden Harvest Hotel, Kamis "
                "(01/02/2024).</p><p>Rakor Politik ini dibuka dan dipimpin langsung oleh "
                "Gubernur Jambi\xa0 H. Al Haris, S.Sos., MH dengan didampingi oleh Ketua Bawaslu "
                "Provinsi Jambi, Komisioner KPU Provinsi Jambi, dan Polda Jambi.</p>"
            ),
            "author": "Redaksi",
            "category": "Politik",
            "tags": ["al haris", "gubernur", "rakor"],
            "image_url": f"{_SITE}/wp-content/uploads/2024/02/{_SLUG[:40]}.jpg"
            if with_image
            else None,
            "published_at": "2024-02-01T09:30:00+07:00",
            "revision": 1,
        }
    )
