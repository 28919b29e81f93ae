"""Real subprocesses for tests: `distributor worker|api|beat`, and a private Redis with AOF."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from distributor.local.embedded_redis import start_redis


def child_env(**distributor: str) -> dict[str, str]:
    """This process's environment without its ``DISTRIBUTOR_*`` settings, plus ``distributor``'s
    (given without the prefix): a child reads only the settings its test chose."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISTRIBUTOR_")}
    env.update({f"DISTRIBUTOR_{name.upper()}": value for name, value in distributor.items()})
    return env


class Service:
    """One `python -m <module> <args>` child (`distributor` by default), its log in a file."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        log: Path,
        module: str = "distributor",
        cwd: Path | None = None,
    ) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.module = module
        self.cwd = cwd  # e.g. a beat's own folder for its schedule file
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_marker: str | None = None, timeout: float = 30.0) -> Service:
        """Start the child and wait until its log shows ``ready_marker``."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                cwd=self.cwd,
            )  # fmt: skip
        if ready_marker is not None:
            self.wait_for(ready_marker, timeout, offset)
        return self

    def wait_for(self, marker: str, timeout: float, offset: int = 0) -> None:
        """Block until ``marker`` appears in the log after ``offset``; fail with the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker in self.read_log(offset):
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(
            f"{self.args} not ready ({marker!r}):\n{self.read_log(offset)[-4000:]}"
        )

    def read_log(self, offset: int = 0) -> str:
        """The log text after ``offset`` bytes."""
        if not self.log.exists():
            return ""
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    @property
    def pid(self) -> int:
        """PID of the main process."""
        assert self.proc is not None
        return self.proc.pid

    def children(self) -> list[psutil.Process]:
        """Live child processes (the Celery pool)."""
        try:
            return psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kill(self) -> None:
        """SIGKILL the whole process group: main process and pool, no clean-up at all."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (warm shutdown), then SIGKILL what is left."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def worker(env: dict[str, str], log: Path, concurrency: int = 2) -> Service:
    """A started Celery worker on every queue."""
    return Service(["worker", f"--concurrency={concurrency}"], env, log).start("ready.")


class PrivateRedis:
    """A redis-server with AOF (appendfsync always, as ``start_redis`` runs it) on a spare port,
    restartable with its data; ``appendfsync="everysec"`` only to measure durability's cost."""

    def __init__(self, data_dir: Path, port: int, appendfsync: str = "always") -> None:
        self.data_dir = data_dir
        self.port = port
        self.appendfsync = appendfsync
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """URL of db 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        """Start (or restart) on the same port and data folder."""
        self.proc = start_redis(self.data_dir, self.port, appendfsync=self.appendfsync)
        return self

    def stop(self, hard: bool = False) -> None:
        """SIGTERM (AOF flushed on shutdown) or SIGKILL."""
        if self.proc is not None and self.proc.poll() is None:
            (self.proc.kill if hard else self.proc.terminate)()
            self.proc.wait(10)
