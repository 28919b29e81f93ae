"""End-to-end pipeline: articles through the HTTP API to the sandbox, against bare Celery.

Starts a private stack on loopback (Redis with AOF, fsync on every write unless
``--appendfsync`` says otherwise, `distributor sandbox` with flood control
off and the unlimited X tier, `distributor api`, `distributor worker` with
DISTRIBUTOR_RATE_LIMITS=off) and measures, from each 202 to the sandbox storing each post:

1. a fixed offered load (default 50 events/s for 20 s): latency p50 / p95 / p99;
2. saturation (a burst of N events from 8 senders): events/s, deliveries/s, latency;
3. bare Celery on the same Redis: a no-op task on the same app settings, queues, pool and
   concurrency (``bench.noop_worker``), draining a pre-filled queue: tasks/s;

then prints deliveries/s as a ratio of bare tasks/s, and the peak RSS of every process.
Every event goes to one Telegram channel and one X account (2 deliveries).

4. with ``--metrics-compare N``: N rounds of a saturation burst with the worker's metrics off
   (``DISTRIBUTOR_METRICS=false``, no multiprocess directory) then on (multiprocess mode, as
   deployed), each on a fresh worker; deliveries/s on over off, in this one run.

    PYTHONPATH=. .venv/bin/python bench/pipeline.py [--rate 50] [--seconds 20] [--burst 3000]
        [--bare 20000] [--concurrency 4] [--pool prefork] [--metrics-compare 0] [--json out.json]
        [--bare 20000] [--concurrency 4] [--pool prefork] [--appendfsync always|everysec|both]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from redis import Redis

from bench._support import (
    CpuMeter,
    Dest,
    PeakMemory,
    Post,
    Publisher,
    SandboxRecord,
    Stack,
    StackOptions,
    article,
    machine,
    percentiles,
    routing_toml,
    running_stack,
)
from bench.noop_worker import NOOP
from distributor.config import Settings
from distributor.keys import Keys
from distributor.queue.broker import create_celery
from distributor.queue.names import FAN_OUT_QUEUE

DESTS = [Dest("tg-main", "telegram", "@benchmain"), Dest("x-main", "x", "benchdesk")]
ROUTING = routing_toml(DESTS, [d.id for d in DESTS], {})
SENDERS = 8


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    events: int
    refused: int
    deliveries: int
    offered_per_s: float  # 202s per second while publishing
    events_per_s: float  # events fully delivered per second, first send to last post
    deliveries_per_s: float
    latency_ms: dict[str, float]
    cpu_ms_per_delivery: dict[str, float]  # by process group

    def line(self) -> str:
        lat = " ".join(f"{k}={v:.0f}" for k, v in self.latency_ms.items())
        cpu = " ".join(f"{k}={v:.2f}" for k, v in self.cpu_ms_per_delivery.items())
        return (
            f"{self.name}: {self.events} events ({self.refused} refused), "
            f"{self.deliveries} deliveries; accepted {self.offered_per_s:.1f}/s; "
            f"delivered {self.events_per_s:.1f} events/s, {self.deliveries_per_s:.1f} "
            f"deliveries/s\n  latency ms {lat}\n  CPU ms per delivery {cpu}"
        )


def run_phase(
    name: str, stack: Stack, record: SandboxRecord, count: int, rate: float | None
) -> Phase:
    """Publish ``count`` events at ``rate``/s (None: as fast as possible); wait for every post."""
    prefix = f"bn{uuid.uuid4().hex[:4]}"
    publisher = Publisher(stack.api_url)
    answered: dict[str, tuple[int, float]] = {}

    def send(n: int) -> None:
        art = article(f"{prefix}-{n:06d}", "Bench")
        answered[art["id"]] = publisher.publish({"type": "article.published", "article": art})

    cpu = CpuMeter(stack.services, stack.redis)
    start = time.time()
    with ThreadPoolExecutor(SENDERS) as pool:
        for n in range(count):
            if rate is not None:
                time.sleep(max(0.0, start + n / rate - time.time()))
            pool.submit(send, n)
    last_answer = max(t for _, t in answered.values())
    accepted = {a: t for a, (status, t) in answered.items() if status == 202}
    expected = len(accepted) * len(DESTS)
    posts: list[Post] = []
    deadline = time.time() + 120 + count / 20
    while len(posts) < expected and time.time() < deadline:
        posts += [p for p in record.fetch() if p.article_id in accepted]
        time.sleep(0.2)
    used = cpu.used()
    span = max(p.received_at for p in posts) - start if posts else float("nan")
    complete = {p.article_id for p in posts}
    per_delivery = {k: 1000 * v / max(1, len(posts)) for k, v in sorted(used.items())}
    per_delivery["total"] = sum(per_delivery.values())
    return Phase(
        name=name,
        events=count,
        refused=count - len(accepted),
        deliveries=len(posts),
        offered_per_s=len(accepted) / (last_answer - start),
        events_per_s=len(complete) / span,
        deliveries_per_s=len(posts) / span,
        latency_ms=percentiles([p.received_at - accepted[p.article_id] for p in posts]),
        cpu_ms_per_delivery=per_delivery,
    )


def bare_celery(
    stack: Stack, tasks: int, concurrency: int, pool: str, workers: int
) -> tuple[float, float]:
    """Tasks/s of no-op tasks drained from a pre-filled queue by the same worker setup, and the
    CPU milliseconds (workers and Redis) per task."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=stack.redis_url,
        namespace=stack.namespace,
        visibility_timeout_s=stack.options.visibility_timeout_s,
    )
    producer = create_celery(settings)
    for _ in range(tasks):
        producer.send_task(NOOP, queue=FAN_OUT_QUEUE)
    producer.close()
    keys = Keys(stack.namespace)
    redis = Redis.from_url(stack.redis_url)
    queue, unacked = keys.queue(FAN_OUT_QUEUE), f"{keys.celery_prefix()}unacked"
    args = [str(concurrency), pool]
    for n in range(workers):
        stack.start_module(f"bare-{n}", "bench.noop_worker", args, "ready.")
    bare = {name: s for name, s in stack.services.items() if name.startswith("bare-")}
    cpu = CpuMeter(bare, stack.redis)
    first = time.perf_counter()
    while (left := int(redis.llen(queue))) >= tasks:
        first = time.perf_counter()
        time.sleep(0.002)
    while redis.llen(queue) or redis.hlen(unacked):
        time.sleep(0.002)
    elapsed = time.perf_counter() - first
    cpu_ms = 1000 * sum(cpu.used().values()) / tasks
    redis.close()
    for n in range(workers):
        stack.stop(f"bare-{n}")
    return left / elapsed, cpu_ms


def compare_metrics(
    stack: Stack, record: SandboxRecord, rounds: int, burst: int, concurrency: int, pool: str
) -> dict[str, Any]:
    """Saturation with the worker's metrics off and on, ``rounds`` times (fresh workers), in
    ABBA order (off on, on off, ...) so a machine's load drifting over the run weighs on both."""
    rates: dict[str, list[float]] = {"off": [], "on": []}
    cpu: dict[str, list[float]] = {"off": [], "on": []}
    for n in range(rounds):
        for mode in ("off", "on") if n % 2 == 0 else ("on", "off"):
            env = {"DISTRIBUTOR_METRICS": "false"}
            if mode == "on":
                folder = stack.root / f"prometheus-{n}"
                folder.mkdir()
                env = {"DISTRIBUTOR_METRICS": "true", "PROMETHEUS_MULTIPROC_DIR": str(folder)}
            stack.start_worker("metrics-worker", concurrency, pool, **env)
            phase = run_phase(f"metrics {mode} (round {n + 1})", stack, record, burst, None)
            stack.stop("metrics-worker")
            print(phase.line(), f"\n  {machine()}")
            rates[mode].append(phase.deliveries_per_s)
            cpu[mode].append(phase.cpu_ms_per_delivery["metrics-worker"])
    off, on = (sum(rates[m]) / len(rates[m]) for m in ("off", "on"))
    cpu_off, cpu_on = (sum(cpu[m]) / len(cpu[m]) for m in ("off", "on"))
    print(
        f"metrics on / off: {on:.1f} / {off:.1f} deliveries/s = {on / off:.3f}; worker CPU "
        f"{cpu_on:.2f} / {cpu_off:.2f} ms per delivery = {cpu_on / cpu_off:.3f}"
    )
    return {
        "deliveries_per_s": rates,
        "ratio_on_over_off": on / off,
        "worker_cpu_ms_per_delivery": cpu,
        "cpu_ratio_on_over_off": cpu_on / cpu_off,
    }


def main(argv: list[str]) -> int:
    """Run every phase once (per fsync policy asked for) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="fixed offered load, events/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="fixed load length, 0: skip")
    parser.add_argument("--burst", type=int, default=3000, help="events at saturation (0: skip)")
    parser.add_argument("--bare", type=int, default=20000, help="bare no-op tasks, 0: skip")
    parser.add_argument("--concurrency", type=int, default=4, help="per worker process")
    parser.add_argument("--pool", default="prefork", help="prefork or threads")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--metrics-compare", type=int, default=0, help="rounds of metrics off/on")
    parser.add_argument(
        "--appendfsync",
        choices=["always", "everysec", "both"],
        default="always",
        help="Redis fsync policy; both: run twice and print what durability costs",
    )
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    policies = ["always", "everysec"] if args.appendfsync == "both" else [args.appendfsync]
    results: dict[str, Any] = {"args": vars(args), "machine": machine()}
    for policy in policies:
        print(f"-- Redis appendfsync {policy}")
        results[policy] = run_stack(args, policy)
    if len(policies) == 2:
        durable, lax = results["always"], results["everysec"]
        for phase, measure in (("saturation", "deliveries_per_s"), ("fixed", "events_per_s")):
            if phase in durable:
                ratio = durable[phase][measure] / lax[phase][measure]
                print(f"{phase}: {measure} always / everysec = {ratio:.2f}")
        if "fixed" in durable:
            p99 = durable["fixed"]["latency_ms"]["p99"], lax["fixed"]["latency_ms"]["p99"]
            print(f"fixed: latency p99 always {p99[0]:.0f} ms, everysec {p99[1]:.0f} ms")
    print(f"load after: {machine()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


def run_stack(args: argparse.Namespace, appendfsync: str) -> dict[str, Any]:
    """One private stack with Redis at ``appendfsync``: warm-up, the phases asked for."""
    results: dict[str, Any] = {}
    options = StackOptions(routing=ROUTING, appendfsync=appendfsync)
    with running_stack(options) as stack, PeakMemory() as memory:
        memory.watch("api", stack.services["api"])
        for n in range(args.workers):
            worker = stack.start_worker(f"worker-{n}", args.concurrency, args.pool)
            memory.watch(f"worker-{n}", worker)
        record = SandboxRecord(stack.sandbox_url, DESTS)
        run_phase("warm-up", stack, record, 40, 20.0)
        if args.seconds > 0:
            count = int(args.rate * args.seconds)
            fixed = run_phase(f"fixed {args.rate:g}/s", stack, record, count, args.rate)
            print(fixed.line())
            results["fixed"] = fixed.__dict__
        if args.burst > 0:
            burst = run_phase("saturation", stack, record, args.burst, None)
            print(burst.line())
            results["saturation"] = burst.__dict__
        for n in range(args.workers):
            stack.stop(f"worker-{n}")
        if args.metrics_compare > 0:
            results["metrics"] = compare_metrics(
                stack, record, args.metrics_compare, args.burst, args.concurrency, args.pool
            )
        if args.bare > 0:
            bare, cpu = bare_celery(stack, args.bare, args.concurrency, args.pool, args.workers)
            print(f"bare celery: {bare:.1f} no-op tasks/s, CPU {cpu:.2f} ms per task")
            results.update(bare_tasks_per_s=bare, bare_cpu_ms_per_task=cpu)
            if args.burst > 0:
                results["ratio"] = burst.deliveries_per_s / bare
                print(f"deliveries/s over bare tasks/s = {results['ratio']:.2f}")
        print("peak RSS:")
        print(memory.report())
        results.update(peak_rss_mib=memory.peaks, machine_after=machine())
    return results


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
