"""What operators see, from real processes: the API's and a worker's /metrics after a publish
(multiprocess mode: the prefork pool's counts survive its children), the console's story lines,
and JSON lines that carry the event and article ids."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

from distributor.intake.signature import SIGNATURE_HEADER, sign
from distributor.models import DeliveryState
from distributor.sandbox.server import free_port
from tests.support.processes import Service
from tests.support.seed import seed_event
from tests.support.spine import SECRET, Spine, wait_until

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(url: str) -> Samples:
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def delivered(found: Samples, platform: str, destination: str) -> float:
    labels = (("action", "publish"), ("destination", destination), ("outcome", "done"),
              ("platform", platform))  # fmt: skip
    return found.get(("distributor_deliveries_total", labels), 0)


def all_sent(spine: Spine, article_id: str, count: int) -> bool:
    found = spine.deliveries(article_id)
    return len(found) == count and all(d.state is DeliveryState.SENT for d in found.values())


def publish_over_http(api_url: str, event: dict[str, Any]) -> None:
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json",
               SIGNATURE_HEADER: sign(body, SECRET.encode(), int(time.time()))}  # fmt: skip
    assert httpx.post(f"{api_url}/v1/events", content=body, headers=headers).status_code == 202


def test_metrics_count_the_delivery_with_its_latency_across_the_pool(
    make_spine: Any, tmp_path: Path
) -> None:
    spine: Spine = make_spine()
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    worker_port, api_port = free_port(), free_port()
    spine.env.update(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    worker = Service(
        ["worker", "--concurrency=2"], {**spine.env, "DISTRIBUTOR_METRICS_PORT": str(worker_port)},
        tmp_path / "worker.log",
    ).start("ready.")  # fmt: skip
    api = Service(["api"], {**spine.env, "DISTRIBUTOR_API_PORT": str(api_port)},
                  tmp_path / "api.log").start("Application startup complete")  # fmt: skip
    spine.services += [worker, api]
    api_url = f"http://127.0.0.1:{api_port}"

    publish_over_http(api_url, seed_event())
    wait_until(lambda: all_sent(spine, "20240201-rakor", 3), what="three sent deliveries")
    for url in (f"{api_url}/metrics", f"http://127.0.0.1:{worker_port}/metrics"):
        found = scrape(url)
        assert delivered(found, "telegram", "tg-main") == 1
        assert delivered(found, "telegram", "tg-politik") == 1
        assert delivered(found, "x", "x-main") == 1
        count = found[("distributor_publish_to_post_seconds_count", (("platform", "telegram"),))]
        total = found[("distributor_publish_to_post_seconds_sum", (("platform", "telegram"),))]
        assert count == 2 and 0 < total < 60  # two posts, each seconds after the 202
    assert "article.published 20240201-rakor accepted" in api.read_log()  # the API's story
    accepted = (("duplicate", "false"), ("type", "article.published"))
    assert scrape(f"{api_url}/metrics")[("distributor_events_accepted_total", accepted)] == 1

    children = worker.children()
    for child in children:  # the pool's processes die; Celery forks new ones
        os.kill(child.pid, signal.SIGKILL)
    old = {c.pid for c in children}

    def new_pool() -> bool:
        now = {c.pid for c in worker.children()}
        return len(now) == 2 and not now & old

    wait_until(new_pool, what="a new pool")
    second = seed_event(article_id="second-1")
    second["article"]["title"] = "Rakor Kedua"  # X refuses a duplicate text
    publish_over_http(api_url, second)
    wait_until(lambda: all_sent(spine, "second-1", 3), what="the second article sent")
    found = scrape(f"http://127.0.0.1:{worker_port}/metrics")
    assert delivered(found, "telegram", "tg-main") == 2  # the dead children's count stays
    assert delivered(found, "x", "x-main") == 2
    assert found[("distributor_tasks_in_progress", (("task", "distributor.deliver"),))] == 0
    assert psutil.Process(worker.pid).is_running()


def test_the_console_tells_the_story_and_json_lines_carry_the_ids(
    make_spine: Any, tmp_path: Path
) -> None:
    spine: Spine = make_spine()
    quiet = {**spine.env, "DISTRIBUTOR_LOG_VERBOSE": "false"}  # as `distributor run` by default
    console = Service(["worker", "--concurrency=2"], quiet, tmp_path / "console.log")
    spine.services.append(console.start("ready."))
    assert spine.publish(seed_event()).status_code == 202
    wait_until(lambda: all_sent(spine, "20240201-rakor", 3), what="three sent deliveries")
    wait_until(lambda: "x-main sent" in console.read_log(), what="the story line of x-main")
    log = console.read_log()
    assert "article 20240201-rakor published → tg-main, x-main, tg-politik" in log
    [tg_line] = [line for line in log.splitlines() if "→ tg-main sent in " in line]
    assert tg_line.endswith("https://t.me/visualjambi/1")
    assert " ms " in tg_line or " s " in tg_line
    assert "Task distributor." not in log  # Celery's per-task lines are routine: not shown
    assert "HTTP Request" not in log
    console.stop()

    json_env = {**spine.env, "DISTRIBUTOR_LOG_FORMAT": "json", "DISTRIBUTOR_LOG_VERBOSE": "true"}
    structured = Service(["worker", "--concurrency=2"], json_env, tmp_path / "json.log")
    spine.services.append(structured.start("ready."))
    again = seed_event(article_id="json-1")
    again["article"]["title"] = "Rakor Kedua"  # X refuses a duplicate text
    assert spine.publish(again).status_code == 202
    wait_until(lambda: all_sent(spine, "json-1", 3), what="three sent deliveries")
    wait_until(lambda: '"x-main"' in structured.read_log(), what="the x-main line")
    lines = [
        json.loads(line) for line in structured.read_log().splitlines() if line.startswith("{")
    ]
    in_tasks = [line for line in lines if line.get("task") == "distributor.deliver"]
    assert {line["logger"] for line in in_tasks} >= {"distributor.story", "httpx"}
    assert all(line["article_id"] == "json-1" and line["event_id"] for line in in_tasks)
    [story] = [line for line in in_tasks if line.get("destination") == "tg-main"
               and line["logger"] == "distributor.story"]  # fmt: skip
    assert story["state"] == "sent" and story["link"] == "https://t.me/visualjambi/2"
    assert story["latency_ms"] >= 0 and story["component"] == "worker"
