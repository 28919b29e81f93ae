"""Tracked share redirects under load: ``/s/{article}/{network}`` against a bare endpoint.

A real uvicorn server (child process, with ``distributor api``'s options) runs the app with one
extra bare route,
``GET /bench/bare`` (a constant 302, no Redis). This process is the load generator: keep-alive
HTTP/1.1 connections on loopback, closed loop, phases alternating bare / share so both see the
same machine state. Articles are drawn Zipf(1.1) over 1,000 stored ones (the day's hot stories
take most clicks). Share requests come from many visitors (``X-Forwarded-For``, which uvicorn
trusts from 127.0.0.1) with browser User-Agents, so most clicks take the full path: article
read, counters, HyperLogLog, dedupe and a trending update.

    .venv/bin/python bench/redirect.py [--seconds 5] [--connections 32] [--port 18410]

Uses Redis db 11 under a throwaway namespace, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

REDIS_URL = os.environ.get("DISTRIBUTOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
# served as `distributor api` serves (h11, bounded heads); "httptools" to compare parsers
HTTP_PARSER = os.environ.get("DISTRIBUTOR_BENCH_HTTP", "")
ARTICLES = 1000
ZIPF_S = 1.1  # clicks concentrate on the day's hot stories
POPULARITY = list(itertools.accumulate(1 / (rank + 1) ** ZIPF_S for rank in range(ARTICLES)))
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.210 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
)


def serve(port: int, namespace: str) -> None:
    """Child process: the app plus a bare route, on uvicorn."""
    import uvicorn
    from fastapi.responses import RedirectResponse
    from redis import Redis

    from distributor.api.app import create_app
    from distributor.api.server import uvicorn_options
    from distributor.config import Settings
    from distributor.keys import Keys
    from distributor.models import Destination
    from distributor.publishing.routing import RoutingTable
    from distributor.wiring import Container

    def refuse(name: str, kwargs: dict[str, object], queue: str | None = None) -> None:
        raise RuntimeError("the benchmark enqueues nothing")

    services = Container(
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        redis=Redis.from_url(REDIS_URL, decode_responses=True),
        keys=Keys(prefix=namespace),
        routing=RoutingTable(
            destinations=(Destination(id="tg", platform="telegram", target="@b"),)
        ),
        enqueue=refuse,
    )
    app = create_app(services)

    async def bare() -> RedirectResponse:
        return RedirectResponse("https://example.com/", status_code=302)

    app.add_api_route("/bench/bare", bare, methods=["GET"])
    options = uvicorn_options(services.settings) | {
        "host": "127.0.0.1", "port": port, "access_log": False,
    }  # fmt: skip
    if HTTP_PARSER:
        options["http"] = HTTP_PARSER
    uvicorn.run(app, log_level="warning", **options)


def seed(namespace: str) -> None:
    """Store the articles the share links point at."""
    from redis import Redis

    from distributor.keys import Keys
    from distributor.models import Article
    from distributor.publishing.articles import ArticleStore
    from tests.support.seed import seed_article_dict

    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    store = ArticleStore(redis, Keys(prefix=namespace))
    for n in range(ARTICLES):
        fields = {"id": f"bench-{n}", "category": f"Kategori {n % 8}"}
        store.save(Article.model_validate(seed_article_dict() | fields))
    redis.close()


def cleanup(namespace: str) -> None:
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    for batch in _chunks(list(redis.scan_iter(f"{namespace}:*", count=1000)), 500):
        redis.delete(*batch)
    redis.close()


def _chunks(items: list[bytes], size: int) -> Iterator[list[bytes]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@contextmanager
def server(port: int, namespace: str) -> Iterator[None]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--namespace", namespace], cwd=root
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/bench/bare", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        yield
    finally:
        child.terminate()
        child.wait(timeout=10)


def share_request(rng: random.Random) -> bytes:
    from distributor.formatting.sharelinks import NETWORKS

    [article] = rng.choices(range(ARTICLES), cum_weights=POPULARITY)
    network = rng.choice(NETWORKS)
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    return _request(f"/s/bench-{article}/{network}", ip, rng.choice(AGENTS))


def bare_request(rng: random.Random) -> bytes:
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    return _request("/bench/bare", ip, rng.choice(AGENTS))


def _request(path: str, ip: str, agent: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {agent}\r\n"
        f"X-Forwarded-For: {ip}\r\nAccept: */*\r\n\r\n"
    ).encode()


async def _worker(
    port: int, kind: str, until: float, latencies: list[float], rng: random.Random
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    make = share_request if kind == "share" else bare_request
    try:
        while time.perf_counter() < until:
            payload = make(rng)
            start = time.perf_counter()
            writer.write(payload)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            if status != 302:
                raise SystemExit(f"{kind}: unexpected status {status}")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
    finally:
        writer.close()


async def phase(port: int, kind: str, seconds: float, connections: int) -> list[float]:
    latencies: list[float] = []
    until = time.perf_counter() + seconds
    rngs = [random.Random(f"{kind}-{i}-{time.time()}") for i in range(connections)]
    await asyncio.gather(*(_worker(port, kind, until, latencies, r) for r in rngs))
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=18410)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--namespace", default=f"bench-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.namespace)
        return

    seed(args.namespace)
    results: dict[str, tuple[int, float, list[float]]] = {
        "bare": (0, 0.0, []),
        "share": (0, 0.0, []),
    }
    try:
        with server(args.port, args.namespace):
            asyncio.run(phase(args.port, "share", 1.0, args.connections))  # warm-up
            asyncio.run(phase(args.port, "bare", 1.0, args.connections))
            for _ in range(args.rounds):
                for kind in ("bare", "share"):
                    lat = asyncio.run(phase(args.port, kind, args.seconds, args.connections))
                    count, elapsed, all_lat = results[kind]
                    results[kind] = (count + len(lat), elapsed + args.seconds, all_lat + lat)
    finally:
        cleanup(args.namespace)

    rates = {}
    for kind, (count, elapsed, lat) in results.items():
        rates[kind] = count / elapsed
        print(
            f"{kind:5s}  {rates[kind]:8.0f} req/s  p50 {statistics.median(lat) * 1e3:6.2f} ms"
            f"  p99 {pct(lat, 0.99) * 1e3:6.2f} ms  ({count} requests)"
        )
    share_p99 = pct(results["share"][2], 0.99) * 1e3
    ratio = rates["share"] / rates["bare"]
    print(f"ratio share/bare {ratio:.2f} (target >= 0.7); share p99 {share_p99:.2f} ms (<= 20)")


if __name__ == "__main__":
    main()
