"""The managers' commands as a manager runs them (subprocesses against a live API): in sandbox
mode with no token to set up, else with DISTRIBUTOR_TOKEN; tokens made, listed and revoked on
Redis; the evergreen dry run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from redis import Redis

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.keys import Keys
from distributor.models import Article
from distributor.publishing.ledger import Ledger
from distributor.wiring import Container, build_container
from tests.support.intake import live_server
from tests.support.processes import child_env
from tests.support.reshares import ROUTING
from tests.support.seed import seed_article_dict

A = "20240201-rakor"


@dataclass
class Cli:
    """Runs `distributor ...` against one live API and Redis namespace."""

    env: dict[str, str]
    api_url: str
    container: Container

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "distributor", *args], env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        done = self.run(*args, "--json", env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def cli(redis_url: str, redis_client: Redis, keys: Keys, tmp_path: Path) -> Iterator[Cli]:
    routing = tmp_path / "routing.toml"
    # no quiet hours: what a reshare does must not depend on the hour the suite runs at
    routing.write_text(ROUTING.replace('quiet_hours = "22:00-06:00"\n', ""), encoding="utf-8")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=redis_url, namespace=keys.prefix, sandbox=True, routing_file=routing,
        webhook_secret=SecretStr("cli-test-secret-0123456789"),
    )  # fmt: skip
    container = build_container(settings)
    env = child_env()
    env.update(DISTRIBUTOR_REDIS_URL=redis_url, DISTRIBUTOR_NAMESPACE=keys.prefix,
               DISTRIBUTOR_SANDBOX="true", DISTRIBUTOR_ROUTING_FILE=str(routing))  # fmt: skip
    container.articles.save(Article.model_validate(seed_article_dict(A)))
    for destination in ("tg-main", "x-main"):
        claim = container.ledger.claim(A, destination, 1)
        assert claim is not None
        container.ledger.record_sent(claim, ["7"])
    with live_server(create_app(container)) as server:
        env["DISTRIBUTOR_API_PORT"] = server.url.rsplit(":", 1)[1]
        yield Cli(env, server.url, container)
    container.close()


def test_sandbox_mode_needs_no_token_and_every_action_is_audited(cli: Cli) -> None:
    now = cli.json("reshare", A, "--force", "--text", "Masih hangat")
    assert {d["destination"]: d["status"] for d in now["destinations"]} == {
        "tg-main": "queued", "x-main": "queued",
    }  # fmt: skip
    later = cli.run("reshare", A, "--to", "x-main", "--at", "+2h", "--force")
    assert later.returncode == 0, later.stderr
    reshare_id = later.stdout.split()[0]
    assert "x-main" in later.stdout and "scheduled" in later.stdout
    listed = cli.json("reshares", "--from", "+0s", "--to", "+3h")
    assert [r["id"] for r in listed["reshares"]] == [reshare_id]
    cancelled = cli.run("reshare", "--cancel", reshare_id)
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
    refused = cli.run("reshare", "--cancel", reshare_id)
    assert refused.returncode == 1 and "nothing left to cancel" in refused.stderr
    bad = cli.run("reshare", A, "--at", "tomorrow")
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr

    entries = cli.json("audit")
    assert {e["actor"] for e in entries} == {"sandbox-cli"}
    assert [e["action"] for e in entries] == ["reshare.cancel", "reshare.cancel",
                                              "reshare.create", "reshare.create"]  # fmt: skip


def test_failed_deliveries_are_listed_and_retried(cli: Cli) -> None:
    claim = cli.container.ledger.claim(A, "tg-main", 2)
    assert claim is not None
    cli.container.ledger.record_failed(claim, "Telegram refused: chat not found")
    listed = cli.run("retry")
    assert f"{A}/tg-main/2" in listed.stdout and "chat not found" in listed.stdout
    done = cli.run("retry", f"{A}/tg-main/2")
    assert done.returncode == 0 and done.stdout.strip() == f"{A}/tg-main/2: pending"
    assert cli.run("retry", "nonsense").returncode == 2


def test_outside_sandbox_the_token_comes_from_the_environment(cli: Cli) -> None:
    real = {"DISTRIBUTOR_SANDBOX": "false", "DISTRIBUTOR_TELEGRAM_TOKEN": "1234:real-token-xyz"}
    missing = cli.run("reshares", env=real)
    assert missing.returncode == 2 and "DISTRIBUTOR_TOKEN" in missing.stderr

    made = cli.json("token", "create", "night-desk", "--scope", "reshare", "--scope",
                    "audit:read", "--expires", "12h")  # fmt: skip
    token = made["token"]
    assert token.startswith("distmgr_") and made["scopes"] == ["audit:read", "reshare"]
    listed = cli.run("token", "list")
    assert "night-desk" in listed.stdout and token not in listed.stdout
    with_token = {**real, "DISTRIBUTOR_TOKEN": token}
    assert cli.json("reshares", env=with_token)["reshares"] == []
    assert cli.json("audit", env=with_token)[0]["action"] == "token.create"

    revoked = cli.run("token", "revoke", "night-desk")
    assert revoked.returncode == 0 and "revoked night-desk" in revoked.stdout
    after = cli.run("reshares", env=with_token)
    assert after.returncode == 1 and "token revoked" in after.stderr
    log = json.dumps(cli.json("audit"))
    assert "night-desk" in log and token not in log and token.split("_")[-1] not in log


def test_evergreen_dry_run_shows_the_next_picks_and_why(cli: Cli) -> None:
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    story = {**seed_article_dict("old-story"), "published_at": ten_days_ago.isoformat()}
    cli.container.articles.save(Article.model_validate(story))
    then = Ledger(cli.container.redis, cli.container.keys, clock=lambda: time.time() - 7 * 3600)
    claim = then.claim("old-story", "tg-main", 1)  # posted seven hours ago: out of cooldown
    assert claim is not None
    then.record_sent(claim, ["8"])
    done = cli.run("evergreen", "--dry-run", "--slots", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("tg-main: paused: a new article went out at")  # just now
    assert lines[1].startswith("  next  ") and lines[1].endswith("old-story")
    assert "old-story" in lines[2] and lines[2].endswith("eligible")
    assert cli.container.reshares.calendar(0, 2e9) == []  # a dry run takes nothing
