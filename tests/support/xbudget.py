"""The X budget under test: one clock for the product and the sandbox, a delivery rig whose X
publishers feed the budget with the sandbox's headers, and helpers to shape X's windows."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from redis import Redis

from distributor.config import Settings
from distributor.keys import Keys
from distributor.models import Article, Destination
from distributor.publishers.base import LimitReading, Publisher
from distributor.publishers.factory import build_x
from distributor.publishing.budget import BudgetPolicy, PostBudget
from distributor.publishing.delivery import Outcome, deliver
from distributor.publishing.ledger import Ledger
from distributor.publishing.priority import PriorityRules
from distributor.publishing.ratelimit import RateGovernor, budget_scope
from distributor.wiring import x_budget_policy
from tests.support.publishers import Harness, title_and_link

PRIORITY = PriorityRules(categories={"Politik": 3, "Daerah": 2, "Bisnis": 1, "Opini": 0})


class SharedClock:
    """Wall time plus an offset, moved together with the sandbox's clock: the product and the
    emulated X agree on every reset without anyone sleeping."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move both clocks forward."""
        self.offset += seconds
        self.harness.http.post("/sandbox/clock", json={"advance_seconds": seconds})


def user_window(requests: int, seconds: int, family: str = "24hour") -> dict[str, Any]:
    """The sandbox's per-user window on posting, shrunk for a test (no app window)."""
    window = {"scope": "user", "requests": requests, "seconds": seconds, "headers": family}
    return {"x_limits": {"create_tweet": [window]}}


def article(n: int, category: str = "Daerah", at: float = 0.0, **extra: Any) -> Article:
    """Article ``a<n>`` in ``category``, published at ``at`` (epoch seconds)."""
    return Article(
        id=f"a{n}", url=f"https://visualjambi.com/2024/02/01/story-{n}/", title=f"Story {n}",
        category=category, published_at=datetime.fromtimestamp(at or 1_706_000_000 + n, UTC),
        **extra,
    )  # fmt: skip


@dataclass
class XRig:
    """``deliver`` with the budget, the ledger and the governor on one clock."""

    harness: Harness
    redis: Redis
    keys: Keys
    clock: SharedClock
    policy: BudgetPolicy
    ledger: Ledger = field(init=False)
    budget: PostBudget = field(init=False)
    governor: RateGovernor = field(init=False)
    _publishers: dict[str, Publisher] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.redis, self.keys, lease_s=60, clock=self.clock)
        self.budget = PostBudget(self.redis, self.keys, self.policy, self.clock)
        self.governor = RateGovernor(self.redis, self.keys, budget=self.budget)

    def publisher(self, destination: Destination) -> Publisher:
        """The account's publisher; its answers feed the account's budget (as wiring does)."""
        scope = budget_scope(destination)
        assert scope is not None
        if scope not in self._publishers:
            budget = self.budget

            def observe(readings: Sequence[LimitReading]) -> None:
                budget.observe(scope, readings)

            settings = self.harness.settings()
            self._publishers[scope] = build_x(
                settings, destination.credentials, observe, self.clock
            )
        return self._publishers[scope]

    def run(self, item: Article, destination: Destination, **kw: Any) -> Outcome:
        """One ``deliver`` call, as the task makes it (standing from the priority rules)."""
        kw.setdefault("standing", PRIORITY.standing(item))
        kw.setdefault("max_delay_s", 3 * 3600.0)
        return deliver(
            item, destination, "publish", ledger=self.ledger, governor=self.governor,
            publisher=self.publisher(destination), render=title_and_link, **kw,
        )  # fmt: skip

    def posted(self) -> list[str]:
        """Titles of the live tweets, oldest first."""
        listing = self.harness.http.get("/sandbox/x/tweets").raise_for_status().json()
        return [t["posted_text"].split(" https://")[0] for t in listing if not t["deleted"]]


def x_policy(**changes: Any) -> BudgetPolicy:
    """The production policy for the sandbox (basic tier guess), no margin or reserve unless
    a test asks, never probing unless asked."""
    settings = Settings(_env_file=None, sandbox=True, x_budget_margin=0, x_budget_reserve=0,  # type: ignore[call-arg]
                        x_probe_s=0)  # fmt: skip
    policy = x_budget_policy(settings)
    return replace(policy, **changes)
