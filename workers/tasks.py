"""Thin Celery tasks: decode the payload, call one plain function, map the outcome.

Each task is a module-level function of its bound task (``workers.app.ContainerTask``), so it
can be imported and read on its own; ``TASKS`` is what ``workers.app`` registers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from distributor.audience.digest import WIB, daily_digest, send_digest
from distributor.audience.x_metrics import poll_metrics
from distributor.models import ArticleEvent, Destination
from distributor.observe.report import report_delivery, report_fan_out
from distributor.publishing.delivery import OutcomeKind, deliver
from distributor.publishing.fanout import fan_out
from distributor.publishing.reconcile import reconcile
from distributor.publishing.routing import Action
from distributor.queue import names
from distributor.queue.outbox import sweep
from distributor.wiring import Container

if TYPE_CHECKING:
    from workers.app import ContainerTask

MAX_COUNTDOWN_S = 60.0  # longer waits go to the scheduler, not a Celery countdown


def send_delivery(
    container: Container,
    event: ArticleEvent,
    destination: Destination,
    action: Action,
    trace: dict[str, Any] | None = None,
) -> None:
    """Queue one delivery on its platform's queue; ``trace`` (event id, acceptance time) rides
    along for the logs and the publish → post latency."""
    kwargs = {
        "article": event.article.model_dump(mode="json"),
        "destination": destination.id,
        "action": action,
        **(trace or {}),
    }
    container.enqueue(names.DELIVER, kwargs, names.deliver_queue(destination.platform))


def fan_out_task(
    task: ContainerTask, event: dict[str, Any], event_id: str = "", accepted_at: float | None = None
) -> None:
    """Plan an event's deliveries; the audience follows an article's publish state."""
    c = task.container
    decoded = ArticleEvent.model_validate(event)
    trace = {"event_id": event_id, "accepted_at": accepted_at} if event_id else None
    send = lambda e, d, a: send_delivery(c, e, d, a, trace)  # noqa: E731
    planned = fan_out(decoded, c.routing, c.ledger, c.articles, send)
    report_fan_out(decoded.type, decoded.article.id, planned)
    if decoded.type == "article.unpublished":
        c.trending.remove(decoded.article.id)  # it leaves every board
        if event_id:
            c.outbox.forget(event_id)  # no pending record to watch
    elif decoded.type == "article.published":
        c.trending.restore(decoded.article.id)


def deliver_task(
    task: ContainerTask,
    article: dict[str, Any],
    destination: str,
    action: Action,
    event_id: str = "",
    accepted_at: float | None = None,
) -> None:
    """One delivery, exactly once; a wait past a minute goes to the scheduler."""
    c = task.container
    event = ArticleEvent.model_validate({"type": "article.published", "article": article})
    dest = c.routing.get(destination)
    outcome = deliver(
        event.article, dest, action,
        ledger=c.ledger, governor=c.governor,
        publisher=c.publisher(dest.platform), render=c.render,
        max_attempts=c.settings.max_attempts,
    )  # fmt: skip
    report_delivery(
        dest, action, outcome, event.article.id,
        accepted_at=accepted_at, now=time.time(), count=c.settings.metrics,
    )  # fmt: skip
    if outcome.kind is OutcomeKind.DONE and dest.platform == "x" and action == "publish":
        for tweet_id in outcome.message_ids:
            c.tweet_watch.watch(event.article.id, tweet_id, time.time())
    if outcome.retry_in is None:
        return
    if outcome.retry_in <= MAX_COUNTDOWN_S:
        raise task.retry(countdown=outcome.retry_in)
    kwargs = {"article": article, "destination": destination, "action": action,
              "event_id": event_id, "accepted_at": accepted_at}  # fmt: skip
    c.scheduler.schedule(
        outcome.retry_in, names.DELIVER, kwargs, names.deliver_queue(dest.platform)
    )


def reconcile_task(task: ContainerTask) -> None:
    """Settle expired leases and in-doubt posts; send again what was not posted."""
    c = task.container
    report = reconcile(
        c.ledger, c.publisher, c.routing, c.articles, min_age_s=c.settings.reconcile_min_age_s
    )
    for found in report.found:
        if c.routing.get(found.destination).platform == "x":
            for tweet_id in found.message_ids:
                c.tweet_watch.watch(found.article_id, tweet_id, time.time())
    for article, destination in report.requeue:
        send_delivery(
            c, ArticleEvent(type="article.published", article=article), destination, "publish"
        )


def sweep_outbox_task(task: ContainerTask) -> None:
    """Send again the fan-out of accepted events whose deliveries never left ``pending``."""
    c = task.container
    sweep(
        c.outbox, c.ledger, c.routing,
        lambda kwargs: c.enqueue(names.FAN_OUT, kwargs, names.FAN_OUT_QUEUE),
        now=time.time(), stale_s=c.settings.outbox_stale_s,
    )  # fmt: skip


def promote_scheduled_task(task: ContainerTask) -> None:
    """Send the scheduled task messages that are due."""
    task.container.scheduler.promote(task.container.enqueue)


def refresh_trending_task(task: ContainerTask) -> None:
    """Keep the boards' numbers small and drop what decayed to nothing."""
    trending = task.container.trending
    trending.renormalise()
    trending.prune()


def poll_metrics_task(task: ContainerTask) -> None:
    """Read our tweets' public metrics within the X read budget."""
    c = task.container
    client, user_auth = c.x_client()
    poll_metrics(
        client, c.tweet_watch, c.x_read_budget, c.shares, c.articles, time.time(),
        user_auth=user_auth,
    )  # fmt: skip


def send_digest_task(task: ContainerTask) -> None:
    """Post the daily digest once per day, when a digest chat is set."""
    c = task.container
    chat = c.settings.digest_chat
    text = daily_digest(c.trending, c.articles, c.shares, time.time())
    if chat is None or text is None:
        return
    day = datetime.now(WIB).date().isoformat()
    link = f"{c.settings.public_base_url or 'https://localhost'}/widgets/trending.html"
    outcome = send_digest(
        text, chat, day, ledger=c.ledger, governor=c.governor,
        publisher=c.publisher("telegram"), link=link,
    )  # fmt: skip
    if outcome.retry_in is not None:
        raise task.retry(countdown=min(outcome.retry_in, MAX_COUNTDOWN_S))


# (name, function, max_retries: None retries for as long as the outcome asks)
TASKS: tuple[tuple[str, Callable[..., None], int | None], ...] = (
    (names.FAN_OUT, fan_out_task, 3),
    (names.DELIVER, deliver_task, None),
    (names.RECONCILE, reconcile_task, 3),
    (names.SWEEP_OUTBOX, sweep_outbox_task, 3),
    (names.PROMOTE, promote_scheduled_task, 3),
    (names.REFRESH_TRENDING, refresh_trending_task, 3),
    (names.POLL_METRICS, poll_metrics_task, 3),
    (names.SEND_DIGEST, send_digest_task, None),
)
