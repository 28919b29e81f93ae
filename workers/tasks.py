"""Thin Celery tasks: decode the payload, call one plain function, map the outcome."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from celery import Celery, Task

from distributor.api.deps import Services
from distributor.delivery import OutcomeKind
from distributor.delivery import deliver as deliver_one
from distributor.digest import WIB, daily_digest
from distributor.digest_delivery import send_digest as deliver_digest
from distributor.fanout import fan_out as fan_out_event
from distributor.intake.watcher import poll_site
from distributor.metrics_poll import XReadBudget
from distributor.metrics_poll import poll_metrics as poll
from distributor.models import ArticleEvent, Destination
from distributor.outbox import Outbox, sweep
from distributor.reconcile import reconcile as reconcile_ledger
from distributor.routing import Action
from workers.app import FAN_OUT_QUEUE, brief, deliver_queue
from workers.runtime import RuntimeHolder

FAN_OUT = "distributor.fan_out"
DELIVER = "distributor.deliver"
RECONCILE = "distributor.reconcile"
PROMOTE = "distributor.promote_scheduled"
SWEEP_OUTBOX = "distributor.sweep_outbox"
REFRESH_TRENDING = "distributor.refresh_trending"
POLL_METRICS = "distributor.poll_metrics"
SEND_DIGEST = "distributor.send_digest"
WATCH_SITE = "distributor.watch_site"
MAX_COUNTDOWN_S = 60.0


def register(app: Celery, holder: RuntimeHolder) -> None:
    """Register the tasks on ``app``; every task gets its clients from ``holder``."""

    def send(task: str, kwargs: dict[str, Any], queue: str) -> None:
        app.send_task(task, kwargs=kwargs, queue=queue, kwargsrepr=brief(kwargs))

    def send_delivery(event: ArticleEvent, destination: Destination, action: Action) -> None:
        article = event.article.model_dump(mode="json")
        kwargs = {"article": article, "destination": destination.id, "action": action}
        send(DELIVER, kwargs, deliver_queue(destination.platform))

    @app.task(name=FAN_OUT)
    def fan_out(event: dict[str, Any], event_id: str = "") -> None:
        rt = holder.get()
        decoded = ArticleEvent.model_validate(event)
        fan_out_event(decoded, rt.routing, rt.ledger, rt.articles, rt.trending, send_delivery)
        if decoded.type == "article.unpublished" and event_id:
            Outbox(rt.redis, rt.keys).forget(event_id)  # no pending record to watch

    @app.task(name=DELIVER, bind=True, max_retries=None)
    def deliver(
        self: Task[Any, Any], article: dict[str, Any], destination: str, action: Action
    ) -> None:
        rt = holder.get()
        event = ArticleEvent.model_validate({"type": "article.published", "article": article})
        dest = rt.routing.get(destination)
        outcome = deliver_one(
            event.article, dest, action,
            ledger=rt.ledger, governor=rt.governor,
            publisher=rt.publisher(dest.platform), render=rt.render,
            max_attempts=rt.settings.max_attempts,
        )  # fmt: skip
        if outcome.kind is OutcomeKind.DONE and dest.platform == "x" and action == "publish":
            for tweet_id in outcome.message_ids:
                rt.tweet_watch.watch(event.article.id, tweet_id, time.time())
        if outcome.retry_in is None:
            return
        kwargs = {"article": article, "destination": destination, "action": action}
        if outcome.retry_in <= MAX_COUNTDOWN_S:
            raise self.retry(countdown=outcome.retry_in)
        rt.scheduler.schedule(outcome.retry_in, DELIVER, kwargs, deliver_queue(dest.platform))

    @app.task(name=RECONCILE)
    def reconcile() -> None:
        rt = holder.get()
        report = reconcile_ledger(
            rt.ledger, rt.publisher, rt.routing, rt.articles,
            min_age_s=rt.settings.reconcile_min_age_s,
        )  # fmt: skip
        for found in report.found:
            if rt.routing.get(found.destination).platform == "x":
                for tweet_id in found.message_ids:
                    rt.tweet_watch.watch(found.article_id, tweet_id, time.time())
        for article, destination in report.requeue:
            event = ArticleEvent(type="article.published", article=article)
            send_delivery(event, destination, "publish")

    @app.task(name=SWEEP_OUTBOX)
    def sweep_outbox() -> None:
        rt = holder.get()
        sweep(
            Outbox(rt.redis, rt.keys), rt.ledger, rt.routing,
            lambda kwargs: send(FAN_OUT, kwargs, FAN_OUT_QUEUE),
            now=time.time(), stale_s=rt.settings.outbox_stale_s,
        )  # fmt: skip

    @app.task(name=PROMOTE)
    def promote_scheduled() -> None:
        holder.get().scheduler.promote(send)

    @app.task(name=REFRESH_TRENDING)
    def refresh_trending() -> None:
        trending = holder.get().trending
        trending.renormalise()
        trending.prune()

    @app.task(name=POLL_METRICS)
    def poll_metrics() -> None:
        rt = holder.get()
        client, user_auth = rt.x_client()
        poll(
            client, rt.tweet_watch, XReadBudget(rt.redis, rt.keys), rt.shares, rt.articles,
            time.time(), user_auth=user_auth,
        )  # fmt: skip

    @app.task(name=SEND_DIGEST, bind=True, max_retries=None)
    def send_digest(self: Task[Any, Any]) -> None:
        rt = holder.get()
        chat = rt.settings.digest_chat
        text = daily_digest(rt.trending, rt.articles, rt.shares, time.time())
        if chat is None or text is None:
            return
        day = datetime.now(WIB).date().isoformat()
        link = f"{rt.settings.public_base_url or 'https://localhost'}/widgets/trending.html"
        outcome = deliver_digest(
            text, chat, day, ledger=rt.ledger, governor=rt.governor,
            publisher=rt.publisher("telegram"), link=link,
        )  # fmt: skip
        if outcome.retry_in is not None:
            raise self.retry(countdown=min(outcome.retry_in, MAX_COUNTDOWN_S))

    # the feed watcher (distributor/intake/watcher.py): a pass over DISTRIBUTOR_WATCH_URL; its
    # backoff and lock are in Redis, so a beat tick while the site is failing returns at once
    @app.task(name=WATCH_SITE)
    def watch_site() -> None:
        rt = holder.get()
        enqueue = lambda task, kwargs: send(task, kwargs, FAN_OUT_QUEUE)  # noqa: E731
        poll_site(Services(rt.settings, rt.redis, rt.keys, rt.routing, enqueue))
