"""Routing rules: which destinations an article goes to (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from distributor.models import Article, ArticleEvent, Destination
from distributor.publishing.priority import PriorityRules
from distributor.publishing.routing.manager_rules import EvergreenRules, ReshareRules


class Rule(BaseModel):
    """Match by category and/or any tag (case-insensitive); add or skip destinations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str | None = None
    tags: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _has_effect(self) -> Rule:
        if self.category is None and not self.tags:
            raise ValueError("a rule needs a category or tags to match")
        if not self.add and not self.skip:
            raise ValueError("a rule needs destinations to add or skip")
        return self

    def matches(self, article: Article) -> bool:
        """True when the article's category equals, or one of its tags is among, the rule's."""
        if self.category is not None and self.category.casefold() == article.category.casefold():
            return True
        wanted = {t.casefold() for t in self.tags}
        return any(t.casefold() in wanted for t in article.tags)


class RoutingTable(BaseModel):
    """Destinations, the default set, and the rules applied on top of it in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    destinations: tuple[Destination, ...] = Field(min_length=1)
    defaults: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    priority: PriorityRules = PriorityRules()  # who goes first when a budget is short
    # managers (docs/managers.md): reshare guard rails and evergreen rotation per destination
    reshare: dict[str, ReshareRules] = Field(default_factory=dict)
    evergreen: dict[str, EvergreenRules] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_ids(self) -> RoutingTable:
        ids = [d.id for d in self.destinations]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"destination ids must be unique: {', '.join(dupes)}")
        known = set(ids)
        named = list(self.defaults) + [d for r in self.rules for d in (*r.add, *r.skip)]
        named += [*self.reshare, *self.evergreen]
        unknown = sorted({n for n in named if n not in known})
        if unknown:
            raise ValueError(f"unknown destination ids: {', '.join(unknown)}")
        return self

    def preview_order(self) -> tuple[Destination, ...]:
        """The defaults first, then every other destination (previews take the first of
        each platform)."""
        defaults = tuple(self.get(d) for d in self.defaults)
        return defaults + tuple(d for d in self.destinations if d not in defaults)

    def destination_ids(self) -> frozenset[str]:
        """The ids of every destination."""
        return frozenset(d.id for d in self.destinations)

    def reshare_rules(self, destination_id: str) -> ReshareRules:
        """The destination's reshare guard rails (the defaults when the file sets none)."""
        return self.reshare.get(destination_id) or ReshareRules()

    def get(self, destination_id: str) -> Destination:
        """The destination with this id (KeyError when unknown)."""
        for dest in self.destinations:
            if dest.id == destination_id:
                return dest
        raise KeyError(destination_id)


def route(article: Article, table: RoutingTable) -> tuple[Destination, ...]:
    """Destinations for an article: defaults, plus matching rules' adds, minus their skips."""
    chosen = list(table.defaults)
    skipped: set[str] = set()
    for rule in table.rules:
        if rule.matches(article):
            chosen.extend(rule.add)
            skipped.update(rule.skip)
    seen: set[str] = set()
    out: list[Destination] = []
    for dest_id in chosen:
        if dest_id in seen or dest_id in skipped:
            continue
        seen.add(dest_id)
        out.append(table.get(dest_id))
    return tuple(out)


Action = Literal["publish", "update", "unpublish"]


def plan(
    event: ArticleEvent, table: RoutingTable, live: Iterable[str] = ()
) -> tuple[tuple[Destination, Action], ...]:
    """The deliveries an event asks for.

    Published: one ``publish`` per routed destination. Updated: ``update`` for routed
    destinations and for any destination that still holds a live post. Unpublished:
    ``unpublish`` wherever a post is live (``live`` lists those destination ids).
    """
    live_ids = [d for d in live if d in {dest.id for dest in table.destinations}]
    if event.type == "article.unpublished":
        return tuple((table.get(d), "unpublish") for d in dict.fromkeys(live_ids))
    routed = route(event.article, table)
    if event.type == "article.published":
        return tuple((d, "publish") for d in routed)
    ids = dict.fromkeys([*(d.id for d in routed), *live_ids])
    return tuple((table.get(d), "update") for d in ids)
