"""The Celery configuration that the no-loss promise rests on (docs/architecture.md, "Queue")."""

from __future__ import annotations

from distributor.config import Settings
from distributor.queue.broker import brief, create_celery


def test_reliability_settings() -> None:
    conf = create_celery(Settings(namespace="cfgtest", visibility_timeout_s=600)).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_ignore_result is True
    opts = conf.broker_transport_options
    assert opts["visibility_timeout"] == 600 == conf.visibility_timeout
    assert conf.task_time_limit < opts["visibility_timeout"]
    assert opts["global_keyprefix"] == "cfgtest:celery:"
    assert {q.name for q in conf.task_queues} >= {"fan_out", "deliver.telegram", "deliver.x"}


def test_brief_names_objects_by_id_or_type_and_stays_short() -> None:
    article = {"id": "a-1", "title": "x" * 5000, "excerpt": "<p>long</p>" * 500}
    assert brief({"article": article, "destination": "tg-main", "action": "publish"}) == (
        "article=a-1, destination=tg-main, action=publish"
    )
    event = {"type": "article.published", "article": article}
    assert brief({"event": event, "event_id": "e" * 100}) == (
        f"event=article.published, event_id={'e' * 64}"
    )
    assert brief({"payload": {"n": 1}}) == "payload={...}"
