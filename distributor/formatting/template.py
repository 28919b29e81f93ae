"""One post template: Jinja2 in its sandbox, HTML-escaped for Telegram, plain text for X."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

from distributor.errors import ConfigError
from distributor.formatting.fit import Unformattable
from distributor.models import Platform

SUFFIXES: dict[str, Platform] = {".html.j2": "telegram", ".txt.j2": "x"}
# filters that would let article text into the HTML unescaped or add attributes Telegram refuses
_UNSAFE_FILTERS = ("safe", "urlize", "xmlattr")


@dataclass(frozen=True)
class PostTemplate:
    """A compiled template; context: title, excerpt, hashtags, url, author, category, language."""

    name: str
    platform: Platform
    template: Template

    def render(self, **context: Any) -> str:
        """The template's output; a failure at render time makes the article unformattable."""
        try:
            return self.template.render(context)
        except TemplateError as exc:
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
    try:
        tree = env.parse(source, name=name)
        if platform == "telegram" and any(tree.find_all(nodes.EvalContextModifier)):
            raise ConfigError(f"{name}: autoescape cannot be turned off in a Telegram template")
        return PostTemplate(name, platform, env.from_string(tree))
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or "?"
        raise ConfigError(f"{name}:{line}: {exc}") from exc
