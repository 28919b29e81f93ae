"""Reactions on our posts become share snapshots: totals replace, never add up."""

from __future__ import annotations

from collections.abc import Callable

from distributor.wiring import Container
from tests.support.readers import article


def test_group_reactions_count_each_user_once(make_container: Callable[..., Container]) -> None:
    c = make_container()
    art = article("rx-2", "Politik")
    c.articles.save(art)
    c.reactions.remember("-4007", ["12"], art.id)
    assert c.reactions.reacted(-4007, None, 12, 1, ["👍"]).engagement == 1  # type: ignore[union-attr]
    assert c.reactions.reacted(-4007, None, 12, 1, ["🔥"]).engagement == 0  # type: ignore[union-attr]
    assert c.reactions.reacted(-4007, None, 12, 2, ["👍"]).engagement == 1  # type: ignore[union-attr]
    c.reactions.reacted(-4007, None, 12, 1, [])  # user 1 takes theirs back
    assert c.shares.counts(art.id).platform["telegram"].engagement == 1
    assert c.reactions.reacted(-4007, None, 13, 1, ["👍"]) is None  # not a post of ours


def test_a_channel_named_by_username_is_found_by_id_or_name(
    make_container: Callable[..., Container],
) -> None:
    c = make_container()
    art = article("rx-3", "Politik")
    c.articles.save(art)
    c.reactions.remember("@VisualJambi", ["5"], art.id)
    assert c.reactions.counted(-100777, "visualjambi", 5, 9) is not None
    assert c.shares.counts(art.id).platform["telegram"].engagement == 9
    c.articles.set_published(art.id, False)
    assert c.reactions.counted(-100777, "visualjambi", 5, 12) is None  # unpublished: ignored
