"""Shared pieces of the end-to-end benches: a private stack on loopback (Redis with AOF fsynced
on every write, as deployed, the
sandbox, the API, workers, beat) on ports 18600-18699, signed publishing, the sandbox's own
record of what was posted, and the peak resident memory of every process the stack starts.

The processes are the tests' (``tests.support.processes``): real ``python -m distributor``
children, each in its own session so that a kill takes its whole pool.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from distributor.intake.signature import SIGNATURE_HEADER, sign
from distributor.sandbox.server import chat_for_target
from tests.support.processes import PrivateRedis, Service, child_env
from tests.support.seed import seed_article_dict

PORTS = range(18600, 18700)
SECRET = "bench-webhook-secret-0123456789abcdef"  # noqa: S105 (a throwaway local stack)
REPO = Path(__file__).resolve().parents[1]
MARK = re.compile(r"\b(bn[0-9a-f]{4}-\d{6})\b")  # the article id, first thing in every title
MIB = 1024 * 1024


def bench_port() -> int:
    """A free loopback port among 18600-18699."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18600-18699")


@dataclass(frozen=True)
class Dest:
    """A routing destination."""

    id: str
    platform: str
    target: str


def routing_toml(dests: list[Dest], defaults: list[str], rules: dict[str, list[str]]) -> str:
    """A routing file: ``rules`` maps a category to the destinations it adds."""
    lines = [f"defaults = {defaults!r}".replace("'", '"')]
    for d in dests:
        lines += ["[[destinations]]", f'id = "{d.id}"', f'platform = "{d.platform}"']
        lines.append(f'target = "{d.target}"')
    for category, add in rules.items():
        lines += ["[[rules]]", f'category = "{category}"', f"add = {add!r}".replace("'", '"')]
    return "\n".join(lines) + "\n"


def article(article_id: str, category: str) -> dict[str, Any]:
    """The seed article under a new id, URL and title (the id leads the title)."""
    body = seed_article_dict(article_id)
    body["url"] = f"https://bench.example/{article_id}/"
    body["title"] = f"{article_id} {body['title']}"
    body["category"] = category
    return body


@dataclass
class StackOptions:
    """How the stack runs (environment of every child)."""

    routing: str
    rate_limits: str = "off"  # the governor; "on" keeps the platforms' limits
    flood_control: bool = False  # the sandbox's Telegram flood limits
    x_tier: str = "unlimited"  # the sandbox's X tier
    settings_x_tier: str = "pro"  # the tier the governor keeps to (rate_limits=on)
    lease_s: int = 10
    visibility_timeout_s: int = 600
    reconcile_min_age_s: float = 5.0
    outbox_stale_s: float = 900.0
    probe_chat: str = "-1009990001"  # where the reconciler forwards posts to find an in-doubt one
    appendfsync: str = "always"  # the Redis's fsync policy; "everysec" only to measure its cost
    keep: bool = False  # keep the logs and Redis data folder


@dataclass
class Stack:
    """A private deployment; every process it starts is stopped by ``close``."""

    options: StackOptions
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="distributor-bench-")))
    redis: PrivateRedis | None = None
    sandbox_url: str = ""
    api_url: str = ""
    services: dict[str, Service] = field(default_factory=dict)
    namespace: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:6]}")

    def start(self) -> Stack:
        """Redis (AOF), the sandbox and the API; workers are started one by one."""
        redis = PrivateRedis(self.root / "redis", bench_port(), self.options.appendfsync)
        self.redis = redis.start()
        routing = self.root / "routing.toml"
        routing.write_text(self.options.routing, encoding="utf-8")
        sandbox_port = bench_port()
        flood = "--flood-control" if self.options.flood_control else "--no-flood-control"
        args = ["sandbox", f"--routing={routing}", f"--port={sandbox_port}", flood]
        args.append(f"--chat={self.options.probe_chat}")
        self._service("sandbox", args).start("Application startup complete", 30)
        self.sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        httpx.patch(
            f"{self.sandbox_url}/sandbox/config", json={"x_tier": self.options.x_tier}
        ).raise_for_status()
        api_port = bench_port()
        self.api_url = f"http://127.0.0.1:{api_port}"
        self._service("api", ["api"], DISTRIBUTOR_API_PORT=str(api_port))
        self.services["api"].start("Application startup complete", 30)
        return self

    @property
    def redis_url(self) -> str:
        """The private Redis."""
        assert self.redis is not None
        return self.redis.url

    def env(self, **extra: str) -> dict[str, str]:
        """Environment of a child process."""
        env = child_env()
        opts = self.options
        env.update(
            PYTHONPATH=str(REPO),
            DISTRIBUTOR_REDIS_URL=self.redis_url,
            DISTRIBUTOR_NAMESPACE=self.namespace,
            DISTRIBUTOR_SANDBOX="true",
            DISTRIBUTOR_SANDBOX_URL=self.sandbox_url,
            DISTRIBUTOR_ROUTING_FILE=str(self.root / "routing.toml"),
            DISTRIBUTOR_WEBHOOK_SECRET=SECRET,
            DISTRIBUTOR_RATE_LIMITS=opts.rate_limits,
            DISTRIBUTOR_X_TIER=opts.settings_x_tier,
            DISTRIBUTOR_LEASE_S=str(opts.lease_s),
            DISTRIBUTOR_VISIBILITY_TIMEOUT_S=str(opts.visibility_timeout_s),
            DISTRIBUTOR_RECONCILE_MIN_AGE_S=str(opts.reconcile_min_age_s),
            DISTRIBUTOR_OUTBOX_STALE_S=str(opts.outbox_stale_s),
            DISTRIBUTOR_HTTP_TIMEOUT_S="5",
            DISTRIBUTOR_TELEGRAM_PROBE_CHAT=opts.probe_chat,
            **extra,
        )
        return env

    def _service(
        self, name: str, args: list[str], module: str = "distributor", **env: str
    ) -> Service:
        service = Service(args, self.env(**env), self.root / f"{name}.log", module)
        self.services[name] = service
        return service

    def start_worker(self, name: str, concurrency: int, pool: str, **env: str) -> Service:
        """A `distributor worker` on every queue (``env``: extra environment)."""
        args = ["worker", f"--concurrency={concurrency}", f"--pool={pool}"]
        return self._service(name, args, **env).start("ready.", 60)

    def start_module(self, name: str, module: str, args: list[str], marker: str) -> Service:
        """A ``python -m module args`` child (the bare-Celery worker)."""
        return self._service(name, args, module).start(marker, 60)

    def start_beat(self) -> Service:
        """Celery beat (reconciler, scheduled moves)."""
        return self._service("beat", ["beat"]).start("beat: Starting", 60)

    def stop(self, name: str) -> None:
        """SIGTERM one service (SIGKILL after 20 s)."""
        self.services.pop(name).stop()

    def close(self) -> None:
        """Stop every process this stack started and remove its folder (unless ``keep``)."""
        for service in reversed(list(self.services.values())):
            service.stop()
        self.services.clear()
        if self.redis is not None:
            self.redis.stop()
        if self.options.keep:
            print(f"logs and Redis data kept in {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def running_stack(options: StackOptions) -> Iterator[Stack]:
    """A started stack, closed on the way out whatever happens."""
    stack = Stack(options)
    try:
        yield stack.start()
    finally:
        stack.close()


class Publisher:
    """Signs and posts events to the API over one keep-alive connection per thread."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self._local = threading.local()

    def publish(self, event: dict[str, Any]) -> tuple[int, float]:
        """POST one event; ``(status, wall time of the answer)``."""
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = httpx.Client(base_url=self.api_url, timeout=30)
        body = httpx.Request("POST", "/", json=event).content
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, SECRET.encode(), int(time.time())),
        }
        try:
            status = client.post("/v1/events", content=body, headers=headers).status_code
        except httpx.HTTPError:
            status = 0
        return status, time.time()


@dataclass(frozen=True)
class Post:
    """One post the sandbox holds."""

    article_id: str
    destination: str
    received_at: float


class SandboxRecord:
    """The sandbox's own record of what was posted, read incrementally (``?since=``)."""

    def __init__(self, url: str, dests: list[Dest]) -> None:
        self.url = url
        self._chats = {
            chat_for_target(d.target).id: d.id for d in dests if d.platform == "telegram"
        }
        self._x = next((d.id for d in dests if d.platform == "x"), "x")
        self._since: dict[str, float] = {}
        self.posts: list[Post] = []

    def fetch(self, everything: bool = False) -> list[Post]:
        """Posts received since the last fetch (or every post, replacing what was read)."""
        if everything:
            self.posts, self._since = [], {}
        new = [
            Post(found[1], self._chats.get(m["chat_id"], "?"), m["received_at"])
            for m in self._read("telegram/messages")
            if m["from_bot"]
            and not m["forwarded"]  # the reconciler's probe copies are not posts
            and (found := MARK.search(m["text"] or m["caption"] or ""))
        ]
        new += [
            Post(found[1], self._x, t["received_at"])
            for t in self._read("x/tweets")
            if (found := MARK.search(t["posted_text"]))
        ]
        self.posts += new
        return new

    def _read(self, listing: str) -> list[dict[str, Any]]:
        """Items of one listing newer than the newest seen there (each listing is in order)."""
        since = self._since.get(listing)
        params = {} if since is None else {"since": since}
        items: list[dict[str, Any]] = httpx.get(
            f"{self.url}/sandbox/{listing}", params=params, timeout=60
        ).json()
        if items:
            self._since[listing] = max(since or 0.0, *(i["received_at"] for i in items))
        return items


class PeakMemory:
    """Samples the resident memory of services (and their pool children) in a thread."""

    def __init__(self, interval_s: float = 0.25) -> None:
        self._interval = interval_s
        self._watched: dict[str, Service] = {}
        self.peaks: dict[str, float] = {}  # label → MiB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)

    def watch(self, label: str, service: Service) -> None:
        """Follow ``service``'s main process and its children from now on."""
        self._watched[label] = service

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for label, service in list(self._watched.items()):
                if service.proc is None or service.proc.poll() is not None:
                    continue
                try:
                    main = psutil.Process(service.pid)
                    self._note(f"{label} main {main.pid}", main)
                    for child in main.children(recursive=True):
                        self._note(f"{label} child {child.pid}", child)
                except psutil.Error:
                    continue

    def _note(self, label: str, proc: psutil.Process) -> None:
        try:
            rss = proc.memory_info().rss / MIB
        except psutil.Error:
            return
        self.peaks[label] = max(self.peaks.get(label, 0.0), rss)

    def report(self) -> str:
        """One line per process, largest first."""
        rows = sorted(self.peaks.items(), key=lambda kv: -kv[1])
        return "\n".join(f"  {label:<34} {mib:7.1f} MiB" for label, mib in rows)


class CpuMeter:
    """CPU seconds (user + system) each service and its children used between two snapshots."""

    def __init__(self, services: dict[str, Service], redis: PrivateRedis | None = None) -> None:
        self._services = services
        self._redis = redis
        self._start = self._snapshot()

    def _snapshot(self) -> dict[str, float]:
        procs: dict[str, list[psutil.Process]] = {}
        for label, service in self._services.items():
            try:
                main = psutil.Process(service.pid)
                procs[label] = [main, *main.children(recursive=True)]
            except psutil.Error:
                continue
        if self._redis is not None and self._redis.proc is not None:
            procs["redis"] = [psutil.Process(self._redis.proc.pid)]
        out: dict[str, float] = {}
        for label, group in procs.items():
            for proc in group:
                try:
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                out[f"{label}/{proc.pid}"] = times.user + times.system
        return out

    def used(self) -> dict[str, float]:
        """CPU seconds per service label since construction (processes that died are lost)."""
        end = self._snapshot()
        totals: dict[str, float] = {}
        for key, seconds in end.items():
            label = key.split("/")[0]
            totals[label] = totals.get(label, 0.0) + seconds - self._start.get(key, 0.0)
        return totals


def percentiles(values: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max of ``values`` (seconds in, milliseconds out)."""
    if not values:
        return {}
    if len(values) == 1:
        values = values * 2
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "max": max(values) * 1000,
    }


def machine() -> str:
    """CPU count and load, for the record."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"
