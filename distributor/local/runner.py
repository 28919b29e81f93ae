"""`distributor run`: the whole service in one command, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from distributor.config import Settings
from distributor.errors import ConfigError
from distributor.local.embedded_redis import free_port, redis_answers, start_redis

EXAMPLE_ROUTING = Path(__file__).with_name("routing.example.toml")


@dataclass
class Stack:
    """The child processes of one `distributor run`, stopped in reverse order."""

    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        """Start `python -m distributor <args>` as a named child."""
        cmd = [sys.executable, "-m", "distributor", *args]
        self.procs.append((name, subprocess.Popen(cmd, env=env)))  # noqa: S603

    def add(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        """Track a child started elsewhere (the embedded Redis)."""
        self.procs.append((name, proc))

    def dead(self) -> str | None:
        """Name of a child that exited on its own, if any."""
        return next((name for name, p in self.procs if p.poll() is not None), None)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every child (newest first), then SIGKILL what is left after the timeout."""
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for _, proc in reversed(self.procs):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def prepare(settings: Settings, var_dir: Path, stack: Stack) -> Settings:
    """Decide sandbox mode, Redis and routing; export them to the children's environment."""
    env = os.environ
    settings = settings.auto_sandbox()
    if settings.sandbox:
        env["DISTRIBUTOR_SANDBOX"] = "true"
    if not redis_answers(settings.redis_url):
        port = (
            6379
            if not redis_answers("redis://127.0.0.1:6379/0") and _port_free(6379)
            else free_port()
        )
        stack.add("redis", start_redis(var_dir / "redis", port))
        env["DISTRIBUTOR_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    if not settings.routing_file.exists():
        if not settings.sandbox:
            raise ConfigError(f"routing file {settings.routing_file} not found")
        env["DISTRIBUTOR_ROUTING_FILE"] = str(EXAMPLE_ROUTING)
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):  # one directory: the API's /metrics shows all
        metrics_dir = var_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)  # counts start again with the stack
        metrics_dir.mkdir(parents=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    return Settings()


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def run(settings: Settings, var_dir: Path, echo: Callable[[str], None]) -> int:
    """Start Redis (if needed), the sandbox (if no credentials), API, worker, beat and the
    readers' bot; block."""
    stack = Stack()
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        child = prepare(settings, var_dir, stack)
        env = dict(os.environ)
        if child.sandbox:
            port = str(urlsplit(child.sandbox_url).port or 8081)
            args = ["sandbox", "--routing", str(child.routing_file), "--port", port]
            if not child.log_verbose:
                args.append("--no-access-log")
            if child.telegram_probe_chat:
                args += ["--chat", child.telegram_probe_chat]
            stack.start("sandbox", args, env)
        stack.start("api", ["api"], env)
        stack.start("worker", ["worker"], env)
        stack.start("beat", ["beat"], env)
        stack.start("bot", ["bot"], env)  # readers: the Telegram bot (long polling here)
        echo(f"redis    {child.redis_url}")
        if child.sandbox:
            echo(f"sandbox  {child.sandbox_url}/sandbox/telegram/messages  (no credentials)")
        echo(f"api      http://{child.api_host}:{child.api_port}/docs")
        echo(f"desk     http://{child.api_host}:{child.api_port}/manage")
        echo(f"metrics  http://{child.api_host}:{child.api_port}/metrics")
        echo("press Ctrl-C to stop")
        while not stopping:
            dead = stack.dead()
            if dead is not None:
                echo(f"{dead} exited; stopping everything")
                return 1
            time.sleep(0.2)
        return 0
    finally:
        echo("stopping...")
        stack.stop()
