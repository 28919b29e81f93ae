"""Which post goes first when a budget is short (pure): the governor's notion of priority.

A ``Standing`` is a tier, a weight within the tier and a time; a budget's waiting queue is
ordered by tier, then weight, then newest first (docs/architecture.md, "X budget"). Tiers leave
room between them so other kinds of post can plug in: new articles always rank above reshares,
reshares above readers' broadcasts, and breaking news above everything and alone may spend the
reserve.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from pydantic import BaseModel, ConfigDict, Field

from distributor.models import Article

_WEIGHTS = 1000  # weights are clamped to [0, 1000): a tier always outranks any weight
_TIME = 1e10  # seconds since the epoch stay below this for 280 years


class Tier(IntEnum):
    """Kinds of post, highest first."""

    BREAKING = 40  # breaking news: first in line, and may spend the budget's reserve
    NEWS = 30  # a newly published article
    RESHARE = 20  # a post a manager sends again by hand (goes behind new articles)
    BROADCAST = 10  # readers' broadcasts


@dataclass(frozen=True, slots=True)
class Standing:
    """A post's place in a budget's queue."""

    tier: Tier
    weight: int = 0  # within the tier: the routing file's category priority
    at: float = 0.0  # epoch seconds (the article's publish time): newer goes first

    @property
    def reserve(self) -> bool:
        """Whether the post may spend the part of a budget kept for breaking news."""
        return self.tier >= Tier.BREAKING

    @property
    def score(self) -> float:
        """One number that orders standings (higher first), exact to the second."""
        weight = min(max(self.weight, 0), _WEIGHTS - 1)
        at = min(max(self.at, 0.0), _TIME - 1)
        return float((int(self.tier) * _WEIGHTS + weight) * _TIME + int(at))


class PriorityRules(BaseModel):
    """The routing file's ``[priority]`` table.

    ``categories`` ranks categories (case-insensitive; unlisted ones weigh 0); an article with
    ``"breaking": true`` or one of ``breaking_tags`` is breaking news.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    categories: dict[str, int] = Field(default_factory=dict)
    breaking_tags: tuple[str, ...] = ("breaking", "breaking news")

    def weight(self, category: str) -> int:
        """The category's priority (0 when unlisted)."""
        wanted = category.casefold()
        return next((w for name, w in self.categories.items() if name.casefold() == wanted), 0)

    def standing(self, article: Article, tier: Tier = Tier.NEWS) -> Standing:
        """Where the article stands: breaking news above its ``tier``, else the tier itself."""
        breaking = {t.casefold() for t in self.breaking_tags}
        if article.breaking or any(t.casefold() in breaking for t in article.tags):
            tier = Tier.BREAKING
        return Standing(tier, self.weight(article.category), article.published_at.timestamp())
