"""Durability (docs/architecture.md, "Durability"): every Redis we start fsyncs each write before
it replies, docker-compose's agrees, and the service refuses a Redis that may lose writes."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from redis import Redis

from distributor.config import Settings
from distributor.durability import ensure_durable, read_persistence
from distributor.errors import ConfigError
from distributor.local.embedded_redis import DURABLE, free_port
from tests.support.processes import PrivateRedis, child_env

COMPOSE = Path(__file__).parents[1] / "docker-compose.yml"


@pytest.fixture
def lax_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis with AOF but fsync once a second (what the project ran before #13)."""
    redis = PrivateRedis(tmp_path / "lax", free_port(), appendfsync="everysec").start()
    yield redis
    redis.stop()


def _client(url: str) -> Redis:
    return Redis.from_url(url, decode_responses=True)


def test_the_embedded_redis_fsyncs_every_write_before_replying(tmp_path: Path) -> None:
    redis = PrivateRedis(tmp_path / "redis", free_port()).start()  # start_redis's defaults
    try:
        with _client(redis.url) as client:
            assert client.config_get("appendonly")["appendonly"] == "yes"
            assert client.config_get("appendfsync")["appendfsync"] == "always"
            assert read_persistence(client).durable
    finally:
        redis.stop()


def test_docker_compose_runs_redis_as_the_embedded_one_does() -> None:
    command = yaml.safe_load(COMPOSE.read_text())["services"]["redis"]["command"]
    pairs = dict(zip(command[1::2], command[2::2], strict=True))
    assert {name.removeprefix("--"): value for name, value in pairs.items()} == DURABLE


def test_a_redis_that_may_lose_acknowledged_writes_is_refused(
    lax_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    production = Settings(_env_file=None, redis_url=lax_redis.url)  # type: ignore[call-arg]
    with _client(lax_redis.url) as client:
        with pytest.raises(ConfigError, match="appendfsync is everysec"):
            ensure_durable(production, client)
        lax = production.model_copy(update={"durability": "best_effort"})
        demo = production.model_copy(update={"sandbox": True})
        with caplog.at_level(logging.WARNING, logger="distributor.durability"):
            assert not ensure_durable(lax, client).durable
            assert not ensure_durable(demo, client).durable
    assert sum("may lose acknowledged writes" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.parametrize("command", ["api", "worker"])
def test_the_api_and_workers_do_not_start_on_such_a_redis(
    lax_redis: PrivateRedis, command: str
) -> None:
    env = child_env()
    env.update(
        DISTRIBUTOR_REDIS_URL=lax_redis.url,
        DISTRIBUTOR_WEBHOOK_SECRET="durability-test-secret-0123456789",
        DISTRIBUTOR_TELEGRAM_TOKEN="123456:durability-test-token",
        DISTRIBUTOR_API_PORT=str(free_port()),
    )
    done = subprocess.run(
        [sys.executable, "-m", "distributor", command],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert "appendfsync is everysec" in done.stderr
    assert "DISTRIBUTOR_DURABILITY=best_effort" in done.stderr
