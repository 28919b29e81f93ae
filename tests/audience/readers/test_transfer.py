"""`distributor readers export | import`: subscriptions as JSON lines, moved whole or refused
whole."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from redis import Redis

from distributor.audience.readers.subscriptions import Subscriptions
from distributor.keys import Keys
from tests.support.processes import child_env
from tests.support.redis import REDIS_URL


def _cli(namespace: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env()
    env.update(DISTRIBUTOR_REDIS_URL=REDIS_URL, DISTRIBUTOR_NAMESPACE=namespace)
    return subprocess.run(
        [sys.executable, "-m", "distributor", "readers", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_export_then_import_elsewhere_gives_the_same_readers(
    tmp_path: Path, redis_client: Redis
) -> None:
    source, target = f"exp-{uuid.uuid4().hex[:6]}", f"imp-{uuid.uuid4().hex[:6]}"
    subs = Subscriptions(redis_client, Keys(source))
    subs.touch(11, "en")
    subs.subscribe(11, ["Politik", "#Pemilu"])
    subs.touch(-1002, "id")
    subs.subscribe(-1002, ["ekonomi"])
    subs.set_digest(-1002, True, 6)

    exported = _cli(source, "export")
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [(r["chat_id"], r["topics"], r["digest"]) for r in lines] == [
        (-1002, ["ekonomi"], True), (11, ["pemilu", "politik"], False),
    ]  # fmt: skip
    dump = tmp_path / "readers.jsonl"
    dump.write_text(exported.stdout)
    assert _cli(target, "import", str(dump)).stdout.strip() == "2 readers imported"
    assert list(Subscriptions(redis_client, Keys(target)).export()) == list(subs.export())
    again = Subscriptions(redis_client, Keys(target))
    assert again.digest_readers(6) == [-1002] and again.removed() == {}
    stats = _cli(target, "stats", "--json")
    assert json.loads(stats.stdout) == {"readers": 2, "removed": {}}


def test_a_bad_line_imports_nothing(tmp_path: Path, redis_client: Redis) -> None:
    namespace = f"imp-{uuid.uuid4().hex[:6]}"
    dump = tmp_path / "readers.jsonl"
    dump.write_text(
        '{"chat_id": 1, "topics": ["politik"]}\n'
        '{"chat_id": 2, "topics": ["politik"], "digest_hour": 25}\n'
    )
    out = _cli(namespace, "import", str(dump))
    assert out.returncode == 2
    assert "line 2: digest_hour" in out.stderr and "nothing was imported" in out.stderr
    assert Subscriptions(redis_client, Keys(namespace)).count() == 0
