"""The fault storm's set-up and tally (tests/workers/test_fault_storm.py): many channels and
X, probabilistic faults on every call, and what the sandbox shows afterwards."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributor.models import DeliveryState
from distributor.sandbox.config import FloodLimits, SandboxConfig
from distributor.sandbox.server import chat_for_target
from tests.support.seed import seed_event
from tests.support.spine import Spine

PROBE_CHAT = "-1009990001"  # the reconciler's probe chat (a channel of the bot's)
X_TARGET = "stormdesk"

# 30% 5xx (half of them after the call took effect), 10% 429, 5% slow, as shares of all calls:
# faults are tried in order and a call suffers one, so each probability is of what is left
STORM = (
    {"kind": "server_error", "status": 502, "probability": 0.15},
    {"kind": "server_error", "status": 500, "after": True, "probability": 0.15 / 0.85},
    {"kind": "rate_limit", "retry_after": 1, "probability": 0.10 / 0.70},
    {"kind": "slow", "delay_s": 0.5, "probability": 0.05 / 0.60},
)


def channel_target(n: int) -> str:
    return f"-100200000{n:04d}"


def routing_file(folder: Path, channels: int) -> Path:
    """Every article to ``channels`` Telegram channels and one X account."""
    ids = [f"tg-{n}" for n in range(channels)] + ["x-storm"]
    lines = [f"defaults = {ids!r}".replace("'", '"'), ""]
    for n in range(channels):
        lines += ["[[destinations]]", f'id = "tg-{n}"', 'platform = "telegram"']
        lines += [f'target = "{channel_target(n)}"', ""]
    lines += ["[[destinations]]", 'id = "x-storm"', 'platform = "x"', f'target = "{X_TARGET}"']
    path = folder / "storm-routing.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sandbox_config(channels: int, scale: float) -> SandboxConfig:
    """The channels and the probe chat, flood control on at ``scale`` times Telegram's rates."""
    targets = [channel_target(n) for n in range(channels)] + [PROBE_CHAT]
    flood = FloodLimits(
        bot_per_second=30 * scale, chat_per_second=1 * scale, group_per_minute=20 * scale
    )
    chats = [chat_for_target(t) for t in targets]
    return SandboxConfig(chats=chats, flood=flood, x_tier="pro")  # 200 tweets fit a day


def arm_storm(spine: Spine) -> None:
    """Every Telegram and X call may fail (each fault bounded by a count far above the run)."""
    for platform in ("telegram", "x"):
        for fault in STORM:
            spine.sandbox.fault(platform=platform, method="*", count=10_000, **fault)


def storm_event(n: int) -> dict[str, Any]:
    """Article ``n``: its own id and link, so each post can be told apart."""
    event = seed_event(article_id=f"storm-{n:04d}")
    event["article"]["url"] = f"https://visualjambi.com/storm/{n:04d}/"
    return event


@dataclass
class Tally:
    """What the storm left: deliveries by state, posts per (destination, article) on the
    platforms, and posts recorded but absent (lost) or present more than once (duplicates)."""

    states: Counter[str]
    duplicates: int
    lost: int
    unrecorded: int


def states(spine: Spine, articles: int) -> Counter[str]:
    """The storm's deliveries by state (the ledger only: cheap enough to poll)."""
    found: Counter[str] = Counter()
    for n in range(articles):
        found.update(
            d.state.value for d in spine.deliveries(storm_event(n)["article"]["id"]).values()
        )
    return found


def tally(spine: Spine, articles: int, channels: int) -> Tally:
    """Compare the ledger with what stands in the sandbox, per destination and article."""
    states: Counter[str] = Counter()
    duplicates = lost = unrecorded = 0
    urls = {
        storm_event(n)["article"]["url"]: storm_event(n)["article"]["id"] for n in range(articles)
    }
    standing: Counter[tuple[str, str]] = Counter()
    for n in range(channels):
        for message in spine.sandbox.messages(channel_target(n)):
            article = _article_of(json.dumps(message), urls)
            if article is not None and not message["deleted"]:
                standing[(f"tg-{n}", article)] += 1
    for tweet in spine.sandbox.tweets():
        article = _article_of(json.dumps(tweet), urls)
        if article is not None and not tweet.get("deleted"):
            standing[("x-storm", article)] += 1
    for article_id in urls.values():
        for destination, delivery in spine.deliveries(article_id).items():
            states[delivery.state.value] += 1
            posts = standing[(destination, article_id)]
            duplicates += max(0, posts - 1)
            sent = delivery.state is DeliveryState.SENT
            lost += sent and posts == 0
            unrecorded += not sent and posts > 0
    return Tally(states, duplicates, lost, unrecorded)


def _article_of(raw: str, urls: dict[str, str]) -> str | None:
    """The storm article a post links (its URL anywhere: text, entities, buttons)."""
    return next((article for url, article in urls.items() if url.rstrip("/") in raw), None)
