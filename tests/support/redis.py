"""The test Redis: the machine's, on a database the suite flushes around each test."""

from __future__ import annotations

import os

REDIS_URL = os.environ.get("DISTRIBUTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
