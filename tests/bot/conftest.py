"""A real `distributor bot` process (long polling) against a live sandbox, per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from distributor.sandbox.config import ChatSpec, SandboxConfig
from distributor.sandbox.server import running_sandbox
from distributor.wiring import Container
from tests.support.processes import Service
from tests.support.readers import (
    PROBE_CHAT,
    Sandbox,
    drop,
    reader_container,
    reader_env,
    reader_settings,
)

CHANNEL = -1001234500001


@dataclass
class BotUnderTest:
    """The bot process, the sandbox it talks to and a container on its namespace."""

    sandbox: Sandbox
    container: Container
    process: Service


@pytest.fixture(scope="module")
def bot_sandbox() -> Iterator[str]:
    """A live sandbox with a channel of ours and the probe chat; replies are paced per chat
    (1/s) by the governor and the sandbox, which is not what these tests are about."""
    chats = [ChatSpec(id=CHANNEL, type="channel", username="@visualjambi"),
             ChatSpec(id=PROBE_CHAT, type="channel")]  # fmt: skip
    with running_sandbox(SandboxConfig(chats=chats, flood_control=False)) as url:
        yield url


@pytest.fixture(scope="module")
def bot(bot_sandbox: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotUnderTest]:
    """One `distributor bot` for the module (tests use their own chats): starting and stopping
    a bot costs seconds."""
    tmp_path = tmp_path_factory.mktemp("bot")
    settings = reader_settings(bot_sandbox, readers_topics=["Ekonomi", "Olahraga"])
    container = reader_container(settings)
    env = reader_env(
        settings, bot_sandbox, readers_topics='["Ekonomi", "Olahraga"]', http_timeout_s="5"
    )
    process = Service(["bot"], env, tmp_path / "bot.log").start("distributor bot ready", 60)
    try:
        yield BotUnderTest(Sandbox(bot_sandbox), container, process)
    finally:
        process.stop()
        drop(container)
