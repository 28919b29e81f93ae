"""The bot fed by the webhook: the sandbox POSTs updates over HTTPS (a self-signed certificate
uploaded with setWebhook) to the API's /telegram/webhook, the bot process answers."""

from __future__ import annotations

from pathlib import Path

from distributor.api.app import create_app
from distributor.sandbox.server import running_sandbox
from tests.support.processes import Service
from tests.support.readers import (
    Sandbox,
    drop,
    reader_container,
    reader_env,
    reader_settings,
    wait_for,
)
from tests.support.tls import self_signed, serving_https

SECRET = "hook-secret_for-tests"


def test_updates_come_through_the_api_and_are_answered(
    tmp_path: Path, redis_client: object
) -> None:
    cert, key = self_signed(tmp_path)
    with running_sandbox() as sandbox_url:
        settings = reader_settings(sandbox_url, telegram_webhook_secret=SECRET)
        container = reader_container(settings)
        try:
            with serving_https(create_app(container), cert, key) as api_url:
                env = reader_env(
                    settings,
                    sandbox_url,
                    public_base_url=api_url,
                    telegram_webhook_secret=SECRET,
                    telegram_webhook_certificate=str(cert),
                )
                bot = Service(["bot"], env, tmp_path / "bot.log")
                bot.start("distributor bot: webhook at", 60)
                try:
                    sandbox = Sandbox(sandbox_url)
                    sandbox.say(9001, "/subscribe Politik")
                    [reply] = wait_for(lambda: sandbox.from_bot(9001), what="the answer")
                    assert reply["text"] == "Anda sekarang mengikuti Politik."
                    assert container.subscriptions.topics(9001) == {"politik"}
                    assert container.bot_inbox.pending() == 0
                finally:
                    bot.stop()
                assert f"webhook at {api_url}/telegram/webhook" in bot.read_log()
        finally:
            drop(container)
