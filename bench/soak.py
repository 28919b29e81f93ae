"""Kill soak: publish continuously while SIGKILLing worker processes and restarting Redis once,
then compare every accepted event with the sandbox's own record: lost, duplicated, delivered.

A private stack on loopback (Redis with AOF on a spare port, `distributor sandbox`, `api`,
`beat` and WORKERS `distributor worker` processes). Every few seconds a random worker process
(a pool child, or a whole worker whose group is then restarted) gets SIGKILL; half-way through
Redis is restarted (SIGTERM, which flushes the AOF, then started again on its data). Events that
the API refuses meanwhile are sent again, as a CMS would. At the end it waits for the backlog to
settle and reads every post from the sandbox.

Two modes:
- ``--mode flood-off``: sandbox flood control off, unlimited X tier, DISTRIBUTOR_RATE_LIMITS=off;
  every event to one Telegram channel and one X account.
- ``--mode governed``: sandbox flood control on (Telegram's limits), X pro tier, the rate governor
  on; events go round-robin to 60 category channels (5 events/s = 5 per minute per channel,
  under 20) and every 60th also to X (0.08/s, under pro's 100 per 15 minutes).

    PYTHONPATH=. .venv/bin/python bench/soak.py [--mode flood-off|governed] [--seconds 300]
        [--rate R] [--kill-every 3] [--workers 2] [--concurrency 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import psutil
from redis import Redis

from bench._support import (
    Dest,
    PeakMemory,
    Publisher,
    SandboxRecord,
    Stack,
    StackOptions,
    article,
    machine,
    routing_toml,
    running_stack,
)
from distributor.keys import Keys
from distributor.models import Article, DeliveryState
from distributor.publishing.ledger import Ledger
from distributor.publishing.routing import route
from distributor.publishing.routing.loader import parse_routing
from distributor.queue.names import ALL_QUEUES

CATEGORIES = 60
SETTLED = (DeliveryState.FAILED, DeliveryState.SENT)  # in doubt moves on: the reconciler


@dataclass(frozen=True)
class Mode:
    """Routing and limits of one soak mode."""

    dests: list[Dest]
    routing: str
    options: StackOptions
    rate: float

    def category(self, n: int) -> str:
        """The category of the n-th event."""
        return f"Cat{n % CATEGORIES:02d}"


def flood_off() -> Mode:
    dests = [Dest("tg-main", "telegram", "@soakmain"), Dest("x-main", "x", "soakdesk")]
    routing = routing_toml(dests, [d.id for d in dests], {})
    return Mode(dests, routing, StackOptions(routing=routing), 20.0)


def governed() -> Mode:
    dests = [Dest(f"tg-{n:02d}", "telegram", f"@soakcat{n:02d}") for n in range(CATEGORIES)]
    dests.append(Dest("x-main", "x", "soakdesk"))
    rules = {f"Cat{n:02d}": [f"tg-{n:02d}"] for n in range(CATEGORIES)}
    rules["Cat00"].append("x-main")
    routing = routing_toml(dests, [], rules)
    options = StackOptions(
        routing=routing, rate_limits="on", flood_control=True, x_tier="pro", settings_x_tier="pro"
    )
    return Mode(dests, routing, options, 5.0)


MODES = {"flood-off": flood_off, "governed": governed}


@dataclass
class Chaos:
    """What was done to the stack."""

    child_kills: int = 0
    worker_kills: int = 0
    redis_restarts: int = 0
    exited: int = 0  # processes that exited on their own (restarted, as a supervisor would)
    log: list[str] = field(default_factory=list)


@dataclass
class Published:
    """Accepted events (article id → category) and how many sends it took."""

    accepted: dict[str, str] = field(default_factory=dict)
    refusals: int = 0


def publish_loop(stack: Stack, mode: Mode, rate: float, stop: threading.Event) -> Published:
    """Publish at ``rate``/s until ``stop``; a refused event is sent again until accepted."""
    out = Published()
    publisher = Publisher(stack.api_url)
    prefix = f"bn{uuid.uuid4().hex[:4]}"
    start, n = time.time(), 0
    while not stop.is_set():
        time.sleep(max(0.0, start + n / rate - time.time()))
        category = mode.category(n)
        body = article(f"{prefix}-{n:06d}", category)
        while True:
            status, _ = publisher.publish({"type": "article.published", "article": body})
            if status == 202:
                out.accepted[body["id"]] = category
                break
            out.refusals += 1
            time.sleep(0.2)
        n += 1
    return out


def chaos_loop(
    stack: Stack,
    workers: list[str],
    args: argparse.Namespace,
    memory: PeakMemory,
    stop: threading.Event,
) -> Chaos:
    """SIGKILL a random worker process every few seconds; restart Redis once, half-way."""
    chaos, rng = Chaos(), random.Random(args.seed)
    restart_at = time.monotonic() + args.seconds / 2
    while not stop.wait(rng.uniform(0.5, 1.5) * args.kill_every):
        for name in [*workers, "beat"]:  # a supervisor restarts what exited on its own
            proc = stack.services[name].proc
            if proc is not None and proc.poll() is not None:
                chaos.exited += 1
                chaos.log.append(f"{time.strftime('%X')} {name} exited ({proc.returncode})")
                if name == "beat":
                    stack.start_beat()
                else:
                    memory.watch(name, stack.start_worker(name, args.concurrency, "prefork"))
        if chaos.redis_restarts == 0 and time.monotonic() >= restart_at:
            assert stack.redis is not None
            stack.redis.stop()
            stack.redis.start()
            chaos.redis_restarts += 1
            chaos.log.append(f"{time.strftime('%X')} redis restarted")
            continue
        victims: list[tuple[str, psutil.Process | None]] = [(name, None) for name in workers]
        victims += [(name, child) for name in workers for child in stack.services[name].children()]
        name, child = rng.choice(victims)
        if child is not None:
            try:
                child.send_signal(signal.SIGKILL)
            except psutil.Error:
                continue
            chaos.child_kills += 1
            chaos.log.append(f"{time.strftime('%X')} SIGKILL {name} pool child {child.pid}")
        else:
            stack.services[name].kill()
            chaos.worker_kills += 1
            chaos.log.append(f"{time.strftime('%X')} SIGKILL {name} (whole group), restarted")
            memory.watch(name, stack.start_worker(name, args.concurrency, "prefork"))
    return chaos


def expected_pairs(mode: Mode, accepted: dict[str, str]) -> set[tuple[str, str]]:
    """Every (article, destination) the routing asks for."""
    table = parse_routing(mode.routing)
    pairs = set()
    for article_id, category in accepted.items():
        art = Article.model_validate(article(article_id, category))
        pairs |= {(article_id, d.id) for d in route(art, table)}
    return pairs


def settle(
    stack: Stack, record: SandboxRecord, pairs: set[tuple[str, str]], timeout: float
) -> dict[tuple[str, str], DeliveryState]:
    """Wait until every expected pair is posted or settled in the ledger (in doubt, failed);
    returns the ledger state of the pairs still unposted."""
    redis = Redis.from_url(stack.redis_url, decode_responses=True)
    ledger = Ledger(redis, Keys(stack.namespace))
    deadline = time.monotonic() + timeout
    try:
        while True:
            record.fetch()
            posted = {(p.article_id, p.destination) for p in record.posts}
            missing = pairs - posted
            states: dict[tuple[str, str], DeliveryState] = {}
            for article_id in {a for a, _ in missing}:
                for d in ledger.list_deliveries(article_id):
                    states[(article_id, d.destination)] = d.state
            waiting = [
                p for p in missing
                if states.get(p) not in SETTLED
            ]  # fmt: skip
            if not waiting or time.monotonic() > deadline:
                return {p: states.get(p, DeliveryState.PENDING) for p in missing}
            time.sleep(2)
    finally:
        redis.close()


def backlog(stack: Stack, lost: list[tuple[str, str]]) -> dict[str, Any]:
    """What the broker still holds, and the ledger history of the first lost deliveries."""
    redis = Redis.from_url(stack.redis_url, decode_responses=True)
    keys = Keys(stack.namespace)
    try:
        out: dict[str, Any] = {name: redis.llen(keys.queue(name)) for name in ALL_QUEUES} | {
            "unacked": redis.hlen(f"{keys.celery_prefix()}unacked"),
            "scheduled": redis.zcard(keys.scheduled()),
        }
        ledger = Ledger(redis, keys)
        out["history"] = {
            f"{a}/{d}": [h for h in ledger.history(a) if h.get("destination") == d]
            for a, d in lost[:3]
        }
        return out
    finally:
        redis.close()


def doubts_settled(stack: Stack, articles: set[str]) -> Counter[str]:
    """How the reconciler settled in-doubt deliveries: by the reason of each move out of doubt."""
    redis = Redis.from_url(stack.redis_url, decode_responses=True)
    keys = Keys(stack.namespace)
    try:
        pipe = redis.pipeline(transaction=False)
        for article_id in articles:
            pipe.lrange(keys.history(article_id), 0, -1)
        entries = (json.loads(line) for lines in pipe.execute() for line in lines)
        return Counter(
            f"{e['to']}: {e.get('reason', '')}" for e in entries if e.get("from") == "in_doubt"
        )
    finally:
        redis.close()


def platform_refusals(stack: Stack) -> Counter[int]:
    """Answers of the sandbox in 429 / 5xx, from its access log (flood control at work)."""
    lines = (stack.root / "sandbox.log").read_text(encoding="utf-8", errors="replace")
    return Counter(int(m[1]) for m in re.finditer(r'HTTP/1\.1" (429|5\d\d) ', lines))


def in_doubt_pairs(stack: Stack, articles: set[str]) -> set[tuple[str, str]]:
    """Every (article, destination) the ledger holds in doubt."""
    redis = Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        ledger = Ledger(redis, Keys(stack.namespace))
        return {
            (i.delivery.article_id, i.delivery.destination)
            for i in ledger.in_doubt_items()
            if i.delivery.article_id in articles
        }
    finally:
        redis.close()


def main(argv: list[str]) -> int:
    """Run the soak; exit 1 unless nothing was lost or duplicated."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=list(MODES), default="flood-off")
    parser.add_argument("--seconds", type=float, default=300.0, help="publishing time")
    parser.add_argument("--rate", type=float, help="events/s (default: 20 flood-off, 5 governed)")
    parser.add_argument("--kill-every", type=float, default=3.0, help="mean seconds between kills")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=2, help="pool size of each")
    parser.add_argument("--settle", type=float, default=240.0, help="max wait for the backlog")
    parser.add_argument("--seed", type=int, default=None, help="victim choice seed")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep logs and Redis data")
    args = parser.parse_args(argv)
    mode = MODES[args.mode]()
    mode.options.keep = args.keep
    mode.options.visibility_timeout_s = 60  # a dead worker's messages come back within the soak
    mode.options.outbox_stale_s = 90  # and the outbox sweep resends what a dead worker popped
    rate = args.rate or mode.rate

    print(f"machine: {machine()}")
    print(f"mode {args.mode}: {rate:g} events/s for {args.seconds:g} s, {args.workers} workers "
          f"x {args.concurrency}, a kill every ~{args.kill_every:g} s")  # fmt: skip
    with running_stack(mode.options) as stack, PeakMemory() as memory:
        memory.watch("api", stack.services["api"])
        workers = [f"worker-{n}" for n in range(args.workers)]
        for name in workers:
            memory.watch(name, stack.start_worker(name, args.concurrency, "prefork"))
        stack.start_beat()
        record = SandboxRecord(stack.sandbox_url, mode.dests)
        stop = threading.Event()
        results: dict[str, Any] = {}
        chaos = threading.Thread(
            target=lambda: results.setdefault(
                "chaos", chaos_loop(stack, workers, args, memory, stop)
            )
        )
        chaos.start()
        stopper = threading.Timer(args.seconds, stop.set)
        stopper.start()
        try:
            published = publish_loop(stack, mode, rate, stop)
        finally:
            stop.set()
            stopper.cancel()
            chaos.join()
        pairs = expected_pairs(mode, published.accepted)
        unposted = settle(stack, record, pairs, args.settle)
        posts = record.fetch(everything=True)
        counts = Counter((p.article_id, p.destination) for p in posts)
        doubts = in_doubt_pairs(stack, set(published.accepted))
        report = summarize(pairs, counts, doubts, unposted)
        report["sandbox_refusals"] = dict(platform_refusals(stack))
        report["doubts_settled"] = dict(doubts_settled(stack, set(published.accepted)))
        report["backlog"] = backlog(stack, [p for p in sorted(pairs) if counts[p] == 0])
        report.update(
            mode=args.mode, rate=rate, seconds=args.seconds, events=len(published.accepted),
            refusals_resent=published.refusals, chaos=results["chaos"].__dict__,
            peak_rss_mib=memory.peaks, machine=machine(),
        )  # fmt: skip
        print_report(report, memory)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=2, default=str)
    return 0 if report["lost"] == 0 and report["duplicated"] == 0 else 1


def summarize(
    pairs: set[tuple[str, str]],
    counts: Counter[tuple[str, str]],
    doubts: set[tuple[str, str]],
    unposted: dict[tuple[str, str], DeliveryState],
) -> dict[str, Any]:
    """Lost / duplicated / delivered from the sandbox's record; in-doubt ones apart."""
    lost = sorted(p for p in pairs if counts[p] == 0)
    duplicated = sorted(p for p in pairs if counts[p] > 1)
    return {
        "expected_deliveries": len(pairs),
        "delivered": sum(1 for p in pairs if counts[p] == 1),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "unexpected_posts": sum(n for p, n in counts.items() if p not in pairs),
        "in_doubt_posted_once": sum(1 for p in doubts if counts[p] == 1),
        "in_doubt_not_posted": sum(1 for p in doubts if counts[p] == 0),
        "lost_detail": [f"{a}/{d}: ledger {unposted.get((a, d), '?')}" for a, d in lost][:20],
        "duplicated_detail": [f"{a}/{d}: {counts[(a, d)]} posts" for a, d in duplicated][:20],
    }


def print_report(report: dict[str, Any], memory: PeakMemory) -> None:
    """The verdict, from the sandbox's own record, then chaos and memory."""
    chaos = report["chaos"]
    print(f"events accepted: {report['events']} ({report['refusals_resent']} refusals resent)")
    print(f"chaos: {chaos['child_kills']} pool children and {chaos['worker_kills']} whole "
          f"workers SIGKILLed, Redis restarted {chaos['redis_restarts']}x; "
          f"{chaos['exited']} processes exited on their own and were restarted")  # fmt: skip
    print(f"sandbox record: expected {report['expected_deliveries']}, delivered once "
          f"{report['delivered']}, lost {report['lost']}, duplicated {report['duplicated']}, "
          f"unexpected {report['unexpected_posts']}")  # fmt: skip
    print(f"in doubt in the ledger: {report['in_doubt_posted_once']} posted exactly once "
          f"(neither lost nor duplicated), {report['in_doubt_not_posted']} not posted")  # fmt: skip
    print(f"sandbox answers 429 / 5xx: {report['sandbox_refusals'] or 'none'}")
    print(f"in doubt and settled by the reconciler: {report['doubts_settled'] or 'none'}")
    for line in report["lost_detail"] + report["duplicated_detail"]:
        print(f"  {line}")
    print(f"left in the broker: {report['backlog']}")
    verdict = "PASS" if report["lost"] == 0 and report["duplicated"] == 0 else "FAIL"
    print(f"{verdict}: {report['lost']} lost ({report['in_doubt_not_posted']} of them held in "
          f"doubt for the managers: the Bot API cannot tell whether a post was made), "
          f"{report['duplicated']} duplicated (from the sandbox's own record)")  # fmt: skip
    print(f"load after: {report['machine']}")
    print("peak RSS:")
    print(memory.report())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
