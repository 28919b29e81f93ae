"""A reshare's post: the destination's template with a lead line before it (the manager's
text, or one of a rotation), so an X reshare never repeats an earlier post's text (X refuses a
duplicate). Pure: the caller picks the first candidate not posted before (docs/managers.md)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from distributor.formatting.render import FormatOptions, render
from distributor.formatting.templates import PostTemplate
from distributor.models import Article, Destination, RenderedPost

LEADS: dict[str, tuple[str, ...]] = {
    "id": (
        "Baca lagi:", "Jangan lewatkan:", "Pilihan redaksi:", "Sudah baca?",
        "Masih relevan:", "Dari arsip kami:",
    ),
    "en": (
        "Read again:", "In case you missed it:", "Editor's pick:", "Have you read this?",
        "Still relevant:", "From our archive:",
    ),
}  # fmt: skip
# what Telegram drops or changes and X refuses: never in a manager's line
_REFUSED = re.compile("[\x00-\x1f\x7f\u030a\u0333\u033f\u2028-\u202e\ufeff\ufffe\uffff]")


def _check_lead(value: str) -> str:
    found = _REFUSED.search(value)
    if found:
        raise ValueError(f"holds {found.group()!r}, which Telegram drops or X refuses")
    return value


LeadText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_check_lead),
]  # fmt: skip
"""A manager's line that leads a reshare: one line, at most 200 characters."""


@dataclass(frozen=True)
class LedTemplate(PostTemplate):
    """A template whose output follows a lead line (HTML-escaped on Telegram)."""

    lead: str = ""

    def render(self, **context: Any) -> str:
        """The lead, a blank line, then the template's own output."""
        lead = html.escape(self.lead, quote=False) if self.platform == "telegram" else self.lead
        return f"{lead}\n\n{super().render(**context)}"


def lead_lines(
    text: str | None, rotation: Sequence[str], language: str, start: int, count: int = 12
) -> list[str]:
    """``count`` distinct leads to try in order: the manager's ``text`` (then "text (2)", ...),
    or the rotation (the destination's ``leads``, else ours for its language) from ``start``,
    then numbered rounds of it."""
    if text:
        return [text] + [f"{text} ({n})" for n in range(2, count + 1)]
    base = tuple(rotation) or LEADS.get(language, LEADS["id"])
    out: list[str] = []
    for i in range(count):
        lead, round_ = base[(start + i) % len(base)], (start + i) // len(base)
        out.append(lead if round_ == 0 else f"{lead} ({round_ + 1})")
    return out


def render_reshare(
    article: Article,
    destination: Destination,
    options: FormatOptions,
    lead: str | None,
    quote_id: str | None = None,
) -> RenderedPost:
    """The destination's post for the article, led by ``lead`` (none: the post as first made),
    quoting our post ``quote_id`` on X when given."""
    base = options.template_for(destination)
    template = base
    if lead:
        template = LedTemplate(base.name, base.platform, base.template, base.variables, lead)
    post = render(article, destination, options, template)
    return post.model_copy(update={"quote_id": quote_id}) if quote_id else post
