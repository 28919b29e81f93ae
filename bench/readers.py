"""Readers: the fan-out of one article to N subscribed readers through the real stack, the
sandbox's Telegram flood control on, against bare Celery in the same run.

Starts a private stack (bench/_support.py: Redis with AOF, `distributor sandbox` with flood
control, `distributor api`) with N private chats in the sandbox and N readers of the topic
"bench" in Redis, then for each phase starts `distributor worker` and publishes one article of
that topic through the API:

1. free messages: the rate governor's readers budget (DISTRIBUTOR_READERS_PER_S, 29/s, under
   Telegram's 30/s per bot);
2. paid broadcast (``allow_paid_broadcast``) at each rate of ``--paid-rates`` (Telegram allows
   1,000/s; on two cores shared with the sandbox the machine is the limit);
3. bare Celery: no-op tasks on the same app settings and worker flags (bench/noop_worker.py).

For each phase it prints the achieved send rate (the sandbox's receive times of the reader
messages, first to last, and over the middle 80%) against the configured rate, the worker's CPU
per reader message against bare Celery's CPU per no-op task, the 429s the sandbox answered, and
the peak RSS of the workers.

    PYTHONPATH=. .venv/bin/python bench/readers.py [--readers 10000] [--paid-rates 200,400]
        [--skip-free] [--bare 20000] [--lanes 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from redis import Redis

from bench._support import (
    CpuMeter,
    Dest,
    PeakMemory,
    Publisher,
    Stack,
    StackOptions,
    article,
    machine,
    routing_toml,
    running_stack,
)
from bench.noop_worker import NOOP
from distributor.config import Settings
from distributor.keys import Keys
from distributor.queue.broker import create_celery
from distributor.queue.names import FAN_OUT_QUEUE

DESTS = [Dest("tg-main", "telegram", "@benchmain")]
ROUTING = routing_toml(DESTS, ["tg-main"], {})
FIRST_CHAT = 500_000_001
TOPIC = "bench"
IDLE_S = 10.0  # how long each worker's idle CPU is measured before its article


@dataclass
class Phase:
    """What one fan-out measured."""

    name: str
    configured_per_s: float
    messages: int
    rate_per_s: float  # first to last reader message
    steady_per_s: float  # the middle 80% of the messages
    worker_cpu_ms_per_message: float
    worker_idle_ms_per_message: float  # what the idle worker burns in that time, per message
    redis_cpu_ms_per_message: float
    sandbox_cpu_ms_per_message: float  # the emulated Telegram's share of the two cores
    flood_refusals: int

    def line(self) -> str:
        share = self.steady_per_s / self.configured_per_s
        return (
            f"{self.name}: {self.messages} reader messages; {self.rate_per_s:.1f}/s first to "
            f"last, {self.steady_per_s:.1f}/s steady = {share:.1%} of the configured "
            f"{self.configured_per_s:g}/s; worker CPU {self.worker_cpu_ms_per_message:.3f} ms "
            f"per message, of which {self.worker_idle_ms_per_message:.3f} the idle worker's "
            f"(Redis {self.redis_cpu_ms_per_message:.3f}, sandbox "
            f"{self.sandbox_cpu_ms_per_message:.3f}); "
            f"{self.flood_refusals} flood refusals (429)"
        )


def add_readers(stack: Stack, count: int) -> list[int]:
    """N private chats in the sandbox and N readers of the topic in Redis."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    specs = [{"id": chat, "type": "private"} for chat in chats]
    httpx.post(f"{stack.sandbox_url}/sandbox/telegram/chats/bulk", json=specs, timeout=120)
    keys, redis = Keys(stack.namespace), Redis.from_url(stack.redis_url)
    pipe = redis.pipeline(transaction=False)
    for chat in chats:
        pipe.hset(keys.reader(chat), mapping={"lang": "id", "since": time.time(), "hour": 7})
        pipe.sadd(keys.readers_all(), chat)
        pipe.sadd(keys.reader_topics(chat), TOPIC)
        pipe.sadd(keys.readers_of_topic(TOPIC), chat)
    pipe.execute()
    redis.close()
    return chats


def reader_times(stack: Stack, since: float) -> list[float]:
    """Receive times of the bot's messages to private chats since ``since``."""
    listed = httpx.get(
        f"{stack.sandbox_url}/sandbox/telegram/messages", params={"since": since}, timeout=120
    ).json()
    return sorted(m["received_at"] for m in listed if m["chat_id"] > 0 and m["from_bot"])


def flood_refusals(stack: Stack) -> int:
    """429 answers in the sandbox's access log so far."""
    return stack.services["sandbox"].read_log().count(" 429 ")


def fan_out(stack: Stack, name: str, readers: int, configured: float, env: dict[str, str],
            memory: PeakMemory) -> Phase:  # fmt: skip
    """One worker, one article to every reader; the rate and the CPU it took."""
    worker = stack.start_worker(name, 2, "prefork", **env)
    memory.watch(name, worker)
    idle = CpuMeter({name: worker})
    time.sleep(IDLE_S)
    idle_ms_per_s = 1000 * idle.used().get(name, 0.0) / IDLE_S
    refused_before = flood_refusals(stack)
    start = time.time()
    art = article(f"bn{uuid.uuid4().hex[:4]}-000001", "bench")
    cpu = CpuMeter({name: worker, "sandbox": stack.services["sandbox"]}, stack.redis)
    status, _ = Publisher(stack.api_url).publish({"type": "article.published", "article": art})
    assert status == 202, status
    times: list[float] = []
    deadline = time.time() + 120 + readers / max(1.0, configured) * 3
    while len(times) < readers and time.time() < deadline:
        time.sleep(5.0)  # the listing costs the sandbox CPU: not too often
        times = reader_times(stack, start)
    used = cpu.used()
    elapsed = time.time() - start
    stack.stop(name)
    n = len(times)
    lo, hi = times[n // 10], times[max(n // 10, n - 1 - n // 10)]
    steady = (n - 1 - 2 * (n // 10)) / (hi - lo) if hi > lo else float("nan")
    return Phase(
        name=name, configured_per_s=configured, messages=n,
        rate_per_s=(n - 1) / (times[-1] - times[0]) if n > 1 else float("nan"),
        steady_per_s=steady,
        worker_cpu_ms_per_message=1000 * used.get(name, 0.0) / max(1, n),
        worker_idle_ms_per_message=idle_ms_per_s * elapsed / max(1, n),
        redis_cpu_ms_per_message=1000 * used.get("redis", 0.0) / max(1, n),
        sandbox_cpu_ms_per_message=1000 * used.get("sandbox", 0.0) / max(1, n),
        flood_refusals=flood_refusals(stack) - refused_before,
    )  # fmt: skip


def bare_celery(stack: Stack, tasks: int) -> tuple[float, float]:
    """Bare Celery's CPU per no-op task (worker, and Redis) on the same settings and flags."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=stack.redis_url, namespace=stack.namespace,
    )  # fmt: skip
    producer = create_celery(settings)
    for _ in range(tasks):
        producer.send_task(NOOP, queue=FAN_OUT_QUEUE)
    producer.close()
    keys, redis = Keys(stack.namespace), Redis.from_url(stack.redis_url)
    bare = stack.start_module("bare", "bench.noop_worker", ["2", "prefork"], "ready.")
    cpu = CpuMeter({"bare": bare}, stack.redis)
    queue, unacked = keys.queue(FAN_OUT_QUEUE), f"{keys.celery_prefix()}unacked"
    while redis.llen(queue) or redis.hlen(unacked):
        time.sleep(0.01)
    used = cpu.used()
    redis.close()
    stack.stop("bare")
    return 1000 * used.get("bare", 0.0) / tasks, 1000 * used.get("redis", 0.0) / tasks


def main(argv: list[str]) -> int:
    """Run the phases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--paid-rates", default="200,400", help="paid broadcast rates to try")
    parser.add_argument("--skip-free", action="store_true", help="no free-message phase")
    parser.add_argument("--bare", type=int, default=20_000, help="bare no-op tasks")
    parser.add_argument("--lanes", type=int, default=2, help="reader chunks of a job at once")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    results: dict[str, Any] = {"args": vars(args), "machine": machine(), "phases": []}
    options = StackOptions(routing=ROUTING, rate_limits="on", flood_control=True)
    with running_stack(options) as stack, PeakMemory() as memory:
        add_readers(stack, args.readers)
        print(f"{args.readers} readers subscribed; load {machine()}")
        base = {"DISTRIBUTOR_READERS_LANES": str(args.lanes)}
        phases = []
        if not args.skip_free:
            phases.append(fan_out(stack, "free", args.readers, 29.0, base, memory))
            print(phases[-1].line())
        for rate in (float(r) for r in args.paid_rates.split(",") if r):
            env = {**base, "DISTRIBUTOR_READERS_PAID_BROADCAST": "true",
                   "DISTRIBUTOR_READERS_PAID_PER_S": f"{rate:g}"}  # fmt: skip
            phases.append(fan_out(stack, f"paid-{rate:g}", args.readers, rate, env, memory))
            print(phases[-1].line())
        bare_worker, bare_redis = bare_celery(stack, args.bare)
        print(
            f"bare celery: worker CPU {bare_worker:.3f} ms per no-op task (Redis {bare_redis:.3f})"
        )
        for phase in phases:
            ratio = phase.worker_cpu_ms_per_message / bare_worker
            net = (phase.worker_cpu_ms_per_message - phase.worker_idle_ms_per_message) / bare_worker
            both = (phase.worker_cpu_ms_per_message + phase.redis_cpu_ms_per_message) / (
                bare_worker + bare_redis
            )
            print(f"  {phase.name}: worker CPU per reader message / per bare task = {ratio:.2f} "
                  f"(above the idle worker {net:.2f}; with Redis {both:.2f})")  # fmt: skip
        print(f"load after: {machine()}")
        print("peak RSS:")
        print(memory.report())
        results["phases"] = [asdict(p) for p in phases]
        results.update(bare_worker_cpu_ms=bare_worker, bare_redis_cpu_ms=bare_redis,
                       peak_rss_mib=memory.peaks, machine_after=machine())  # fmt: skip
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
