"""Thin Celery tasks: decode the payload, call one plain function, map the outcome."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task

from distributor.delivery import deliver as deliver_one
from distributor.fanout import fan_out as fan_out_event
from distributor.models import ArticleEvent, Destination
from distributor.reconcile import reconcile as reconcile_ledger
from distributor.routing import Action
from workers.app import deliver_queue
from workers.runtime import RuntimeHolder

FAN_OUT = "distributor.fan_out"
DELIVER = "distributor.deliver"
RECONCILE = "distributor.reconcile"
PROMOTE = "distributor.promote_scheduled"
MAX_COUNTDOWN_S = 60.0


def register(app: Celery, holder: RuntimeHolder) -> None:
    """Register the tasks on ``app``; every task gets its clients from ``holder``."""

    def send_delivery(event: ArticleEvent, destination: Destination, action: Action) -> None:
        app.send_task(
            DELIVER,
            kwargs={"article": event.article.model_dump(mode="json"),
                    "destination": destination.id, "action": action},
            queue=deliver_queue(destination.platform),
        )  # fmt: skip

    def send(task: str, kwargs: dict[str, Any], queue: str) -> None:
        app.send_task(task, kwargs=kwargs, queue=queue)

    @app.task(name=FAN_OUT)
    def fan_out(event: dict[str, Any], event_id: str = "") -> None:
        rt = holder.get()
        fan_out_event(
            ArticleEvent.model_validate(event), rt.routing, rt.ledger, rt.articles, send_delivery
        )

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
        for article, destination in report.requeue:
            event = ArticleEvent(type="article.published", article=article)
            send_delivery(event, destination, "publish")

    @app.task(name=PROMOTE)
    def promote_scheduled() -> None:
        holder.get().scheduler.promote(send)
