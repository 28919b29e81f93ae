"""Routing rules and the routing file loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from distributor.errors import ConfigError
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.models import Article, ArticleEvent
from distributor.publishing.routing import plan, route
from distributor.publishing.routing.loader import load_routing, parse_routing

TABLE = load_routing(EXAMPLE_ROUTING)


def _article(seed: dict[str, Any], **changes: Any) -> Article:
    return Article.model_validate({**seed, **changes})


def test_politik_goes_to_defaults_and_the_politik_channel(seed_article: dict[str, Any]) -> None:
    ids = [d.id for d in route(_article(seed_article), TABLE)]
    assert ids == ["tg-main", "x-main", "tg-politik"]


def test_category_match_ignores_case_and_skip_removes(seed_article: dict[str, Any]) -> None:
    assert [d.id for d in route(_article(seed_article, category="opini"), TABLE)] == ["tg-main"]


def test_rules_match_tags(seed_article: dict[str, Any]) -> None:
    table = parse_routing(
        EXAMPLE_ROUTING.read_text() + '\n[[rules]]\ntags = ["Gubernur"]\nskip = ["tg-main"]\n'
    )
    assert [d.id for d in route(_article(seed_article), table)] == ["x-main", "tg-politik"]


def test_plan_unpublish_targets_only_live_posts(seed_article: dict[str, Any]) -> None:
    event = ArticleEvent(type="article.unpublished", article=_article(seed_article))
    assert [(d.id, a) for d, a in plan(event, TABLE, ["x-main", "gone"])] == [
        ("x-main", "unpublish")
    ]


def test_plan_update_covers_routed_and_live(seed_article: dict[str, Any]) -> None:
    event = ArticleEvent(type="article.updated", article=_article(seed_article, category="Bisnis"))
    got = [(d.id, a) for d, a in plan(event, TABLE, ["tg-politik"])]
    assert got == [("tg-main", "update"), ("x-main", "update"), ("tg-politik", "update")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("defaults = [\n[[destinations]]\n", "routing.toml:2:"),
        ('defaults = ["nope"]\n[[destinations]]\nid = "a"\nplatform = "x"\ntarget = "t"\n',
         "routing.toml:1: file: Value error, unknown destination ids: nope"),
        ('[[destinations]]\nid = "a"\nplatform = "x"\ntarget = "t"\n'
         '[[destinations]]\nid = "b"\nplatform = "fax"\ntarget = "t"\n',
         "routing.toml:7: destinations.1.platform:"),
        ("[[rules]]\ncategory = 'x'\nadd = []\n", "routing.toml:1: destinations: Field required"),
    ],
)  # fmt: skip
def test_invalid_files_are_refused_with_line_and_reason(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_routing(text, "routing.toml")
    assert str(info.value).startswith(expected), str(info.value)


def test_yaml_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(
        "defaults: [a]\ndestinations:\n  - id: a\n    platform: telegram\n    target: '@c'\n"
    )
    assert load_routing(path).defaults == ("a",)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read routing file"):
        load_routing(tmp_path / "none.toml")


def test_preview_order_puts_defaults_first() -> None:
    assert [d.id for d in TABLE.preview_order()] == ["tg-main", "x-main", "tg-politik"]


def test_x_accounts_max_delay_and_priorities_come_from_the_file(
    seed_article: dict[str, Any],
) -> None:
    table = parse_routing(
        'defaults = ["x-sports"]\n'
        "[priority]\ncategories = { Politik = 3, olahraga = 2 }\nbreaking_tags = ['kilat']\n"
        '[[destinations]]\nid = "x-sports"\nplatform = "x"\ntarget = "sp"\n'
        'credentials = "X_SPORTS"\nmax_delay = "90m"\n',
        "routing.toml",
    )
    (dest,) = table.destinations
    assert (dest.credentials, dest.max_delay) == ("X_SPORTS", 5400.0)
    politik = table.priority.standing(_article(seed_article, category="politik"))
    sport = table.priority.standing(_article(seed_article, category="Olahraga"))
    flash = table.priority.standing(_article(seed_article, category="Opini", tags=["KILAT"]))
    assert (politik.weight, sport.weight) == (3, 2) and flash.reserve
    assert TABLE.priority.standing(_article(seed_article)).weight == 3  # the example: Politik


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ('credentials = "sk-live-0123456789abcdef"', "destinations.0.credentials: String should"),
        ('max_delay = "soon"', "destinations.0.max_delay:"),
        ("max_delay = 0", "destinations.0.max_delay: Input should be greater than 0"),
    ],
)
def test_a_secret_or_a_bad_delay_in_the_file_is_refused(field: str, expected: str) -> None:
    text = f'[[destinations]]\nid = "x"\nplatform = "x"\ntarget = "t"\n{field}\n'
    with pytest.raises(ConfigError) as info:
        parse_routing(text, "routing.toml")
    assert expected in str(info.value), str(info.value)
