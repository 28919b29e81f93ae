"""Thin Celery tasks: decode the payload, call one plain function, map the outcome.

Each task is a module-level function of its bound task (``workers.app.ContainerTask``), so it
can be imported and read on its own; ``TASKS`` is what ``workers.app`` registers.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from distributor.audience.digest import WIB, daily_digest, send_digest
from distributor.audience.readers.digest import due_hour
from distributor.audience.readers.fanout import Planned, plan_event
from distributor.audience.readers.records import Job
from distributor.audience.readers.sweep import reader_probe
from distributor.audience.readers.sweep import sweep as sweep_readers
from distributor.audience.x_metrics import poll_metrics
from distributor.intake.watcher import poll_site
from distributor.models import ArticleEvent, Destination
from distributor.observe.report import report_delivery, report_fan_out
from distributor.publishing.delivery import OutcomeKind, deliver
from distributor.publishing.fanout import fan_out
from distributor.publishing.reconcile import reconcile
from distributor.publishing.reshares.delivery import deliver_reshare
from distributor.publishing.routing import Action
from distributor.queue import names
from distributor.queue.outbox import sweep
from distributor.wiring import Container

if TYPE_CHECKING:
    from workers.app import ContainerTask

log = logging.getLogger(__name__)
MAX_COUNTDOWN_S = 60.0  # longer waits go to the scheduler, not a Celery countdown
log = logging.getLogger(__name__)


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
        c.reshares.cancel_article(decoded.article.id, "article unpublished")
        c.trending.remove(decoded.article.id)  # it leaves every board
        if event_id:
            c.outbox.forget(event_id)  # no pending record to watch
    elif decoded.type == "article.published":
        c.trending.restore(decoded.article.id)
    send_reader_jobs(c, plan_event(decoded, c.reader_sends, c.catalogue))  # readers, after


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
        publisher=c.publisher_for(dest), render=c.render,
        max_attempts=c.settings.max_attempts,
        standing=c.routing.priority.standing(event.article), max_delay_s=c.max_delay_s(dest),
        first_post_max_age_s=c.settings.first_post_max_age,
    )  # fmt: skip
    if outcome.notice is not None:  # X posts are now held: say so on the console
        log.warning("%s → %s: %s", event.article.id, destination, outcome.notice)
    report_delivery(
        dest, action, outcome, event.article.id,
        accepted_at=accepted_at, now=time.time(), count=c.settings.metrics,
    )  # fmt: skip
    if outcome.kind is OutcomeKind.DONE and dest.platform == "x" and action == "publish":
        for tweet_id in outcome.message_ids:
            c.tweet_watch.watch(event.article.id, tweet_id, time.time())
    if outcome.kind is OutcomeKind.DONE and dest.platform == "telegram" and action == "publish":
        c.reactions.remember(dest.target, outcome.message_ids, event.article.id)  # readers
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
        c.ledger, c.publisher_for, c.routing, c.articles,
        probe=c.probe, min_age_s=c.settings.reconcile_min_age_s,
        slack_s=c.settings.reconcile_slack_s,
    )  # fmt: skip
    for found in report.found:
        destination = c.routing.get(found.destination)
        if destination.platform == "x":
            for tweet_id in found.message_ids:
                c.tweet_watch.watch(found.article_id, tweet_id, time.time())
        else:  # readers: reactions on it count
            c.reactions.remember(destination.target, found.message_ids, found.article_id)
    for article, destination in report.requeue:
        send_delivery(
            c, ArticleEvent(type="article.published", article=article), destination, "publish"
        )
    for reshare_id, destination in report.requeue_reshares:
        c.send_reshare(reshare_id, destination)


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


def watch_site_task(task: ContainerTask) -> None:
    """One pass of the feed watcher over DISTRIBUTOR_WATCH_URL; its backoff and lock live in
    Redis, so a beat tick while the site is failing returns at once."""
    poll_site(task.container)


# managers (docs/managers.md)
def deliver_reshare_task(task: ContainerTask, reshare_id: str, destination: str) -> None:
    """One destination of a reshare, exactly once; a wait past a minute goes to the scheduler."""
    c = task.container
    request = c.reshare_store.request(reshare_id)
    if request is None or destination not in c.routing.destination_ids():
        c.reshare_store.settled(reshare_id, destination)
        return
    dest = c.routing.get(destination)
    published = c.articles.is_published(request.article_id)
    outcome = deliver_reshare(
        request, dest, c.articles.get(request.article_id) if published else None,
        ledger=c.ledger, store=c.reshare_store, governor=c.governor,
        publisher=c.publisher_for(dest), options=c.format_options,
        rules=c.routing.reshare_rules(destination), max_attempts=c.settings.max_attempts,
    )  # fmt: skip
    if outcome.kind is OutcomeKind.DONE and dest.platform == "x":
        for tweet_id in outcome.message_ids:
            c.tweet_watch.watch(request.article_id, tweet_id, time.time())
    if outcome.retry_in is None:
        return
    if outcome.retry_in <= MAX_COUNTDOWN_S:
        raise task.retry(countdown=outcome.retry_in)
    kwargs = {"reshare_id": reshare_id, "destination": destination}
    queue = names.deliver_queue(dest.platform)
    c.scheduler.schedule(outcome.retry_in, names.DELIVER_RESHARE, kwargs, queue)


def fire_reshares_task(task: ContainerTask) -> None:
    """Send the reshares that are due (once, however many beats run)."""
    task.container.reshares.fire_due()


def evergreen_task(task: ContainerTask) -> None:
    """Take the evergreen slots that are due."""
    task.container.evergreen.tick()


# readers (distributor/audience/readers)
def send_reader_jobs(c: Container, planned: list[Planned]) -> None:
    """Start each planned reader job: its first chunk in each lane (each chunk sends the next
    of its lane, so a big fan-out never floods the queue ahead of channel posts)."""
    size, lanes = c.settings.readers_chunk, c.settings.readers_lanes
    for plan in planned:
        for lane in range(min(lanes, math.ceil(plan.size / size))):
            kwargs = {"job": plan.job.id, "chunk": lane}
            c.enqueue(names.READERS_RUN, kwargs, names.READERS_QUEUE)


def readers_run_task(
    task: ContainerTask, job: str, chunk: int = 0, chats: list[int] | None = None
) -> None:
    """One chunk of a reader job (or the ``chats`` the sweep names); what flood control or the
    time budget left unsent runs again in a moment."""
    c = task.container
    parsed = Job.parse(job)
    report = c.reader_chunks.run(parsed, chunk, chats)
    size, lanes = c.settings.readers_chunk, c.settings.readers_lanes
    if chats is None and (chunk + lanes) * size < c.reader_sends.plan_size(parsed):
        c.enqueue(names.READERS_RUN, {"job": job, "chunk": chunk + lanes}, names.READERS_QUEUE)
    if report.leftover:
        left = sorted({item.chat for item in report.leftover})
        raise task.retry(kwargs={"job": job, "chats": left}, countdown=1.0)


def readers_sweep_task(task: ContainerTask) -> None:
    """Settle reader sends left claimed or in doubt; run again what never went out; note
    today's reader count of each topic (the desk's chart)."""
    c = task.container
    c.reader_counts.record_day(c.catalogue.names(), time.time())
    report = sweep_readers(
        c.reader_sends, c.subscriptions, c.articles, reader_probe(c.publisher("telegram")),
        min_age_s=c.settings.reconcile_min_age_s, stale_s=c.settings.outbox_stale_s,
    )  # fmt: skip
    if report.expired or report.found or report.not_sent or report.again:
        log.info(
            "readers sweep: %d leases expired, %d doubts found sent, %d not sent, %d held; "
            "again %s", report.expired, report.found, report.not_sent, report.held,
            [(job.id, len(chats)) for job, chats in report.again],
        )  # fmt: skip
    size = c.settings.readers_chunk
    for job, chats in report.again:
        for start in range(0, len(chats), size):
            kwargs = {"job": job.id, "chats": chats[start : start + size]}
            c.enqueue(names.READERS_RUN, kwargs, names.READERS_QUEUE)


def readers_digest_task(task: ContainerTask) -> None:
    """Plan the digests due this hour (once per day and hour, however often beat asks)."""
    c = task.container
    day, hour = due_hour(time.time(), ZoneInfo(c.settings.timezone))
    job = Job("digest", day, hour=hour)
    readers = c.reader_sends.plan_list(job, c.subscriptions.digest_readers(hour))
    send_reader_jobs(c, [Planned(job, readers)] if readers else [])


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
    (names.WATCH_SITE, watch_site_task, 3),
    (names.DELIVER_RESHARE, deliver_reshare_task, None),
    (names.FIRE_RESHARES, fire_reshares_task, 3),
    (names.EVERGREEN, evergreen_task, 3),
    # readers
    (names.READERS_RUN, readers_run_task, None),
    (names.READERS_SWEEP, readers_sweep_task, 3),
    (names.READERS_DIGEST, readers_digest_task, 3),
)
