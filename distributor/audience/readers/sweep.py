"""The reader sweep (beat): settle what crashed workers and lost answers left behind, without
ever sending a message twice (docs/architecture.md, "Readers").

For each open job: a claim whose lease ran out becomes in doubt; an in-doubt send older than
``min_age_s`` is looked for in the reader's chat (``find``: the Telegram publisher forwards the
chat's messages after the highest id known at the claim to its probe chat and looks for the
article's link). Telegram numbers private chats per bot account, so only ids below the first
one of a batch claimed after the send's lease ran out can be it: the search waits for such a
batch (up to ``stale_s``) and stops there. Found → sent, surely absent → no record, sent again
now; unknowable → held. Readers of the plan no chunk reached are sent again once the job made
no progress for ``stale_s``, and so are edits and deletes an update or an unpublish missed (a
send that finished after they were planned). A job with nothing left to do, or only held
doubts, is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from distributor.audience.readers import records
from distributor.audience.readers.fanout import editable
from distributor.audience.readers.records import Job, Record
from distributor.audience.readers.sends import ReaderSends
from distributor.audience.readers.subscriptions import Subscriptions
from distributor.errors import DeliveryError
from distributor.models import Destination
from distributor.publishers.base import Lookup, Publisher
from distributor.publishing.articles import ArticleStore

Find = Callable[[int, Lookup], tuple[str, ...] | None]
CLOCK_SLACK_S = 30.0  # Telegram's clock may run ahead of ours
WORKER_SKEW_S = 2.0  # our workers' clocks (NTP) differ by less: claims are timed by them


@dataclass
class SweepReport:
    """What one pass did; ``again`` lists the (job, chats) the caller must run again."""

    expired: int = 0
    found: int = 0
    not_sent: int = 0
    held: int = 0
    closed: list[str] = field(default_factory=list)
    again: list[tuple[Job, list[int]]] = field(default_factory=list)


@dataclass
class _Pass:
    sends: ReaderSends
    subscriptions: Subscriptions
    articles: ArticleStore
    find: Find
    min_age_s: float
    stale_s: float
    report: SweepReport
    throttled: bool = False

    def job(self, job: Job, progress: float) -> None:
        now = self.sends.now()
        raw = self.sends.raw_all(job)
        busy, resend = False, []
        for chat, value in raw.items():
            record = records.decode(value)
            if record.state == "c" and record.at < now:
                doubt = f"?|{record.after_id}|{record.at!r}|{now!r}"
                if self.sends.swap(job, chat, value, doubt):
                    self.report.expired += 1
                value, record = doubt, records.decode(doubt)
            if record.state == "c":
                busy = True
            elif record.state == "?" and job.kind == "send":
                verdict = self._doubt(job, chat, value, record, now)
                busy |= verdict == "wait"
                if verdict == "absent":
                    resend.append(chat)
            elif record.state == "?":
                self.report.held += 1  # a digest's text is the reader's own: not looked for
        stale = now - progress >= self.stale_s
        missing = self._missing(job, raw)
        again = set(resend) | (set(missing) if stale else set())
        if again:
            self.report.again.append((job, sorted(again)))
        follow = self._followups(job, raw, now)
        if follow and stale:
            self.report.again.append((self._target(job), follow))
        if not (busy or missing or follow or resend):
            self.sends.close(job)
            self.report.closed.append(job.id)

    def _doubt(self, job: Job, chat: int, value: str, record: Record, now: float) -> str:
        """``wait`` (too young), ``found``, ``absent`` (record dropped) or ``held``."""
        if now - record.since < self.min_age_s:
            return "wait"
        bound = self.sends.bound_after(record.at + WORKER_SKEW_S)
        if bound is None and now - record.since < self.stale_s:
            return "wait"  # no send claimed since its lease ran out: nothing bounds its id yet
        article = self.articles.get(job.scope)
        until = min(record.at, record.since) + CLOCK_SLACK_S  # no call outlives its lease
        ids = None
        if article is not None and not self.throttled:
            upto = self.subscriptions.high_water(chat) if bound is None else bound
            lookup = Lookup(article.url, record.after_id, upto, until, bounded=bound is not None)
            try:
                ids = self.find(chat, lookup)
            except DeliveryError:  # flood control on the probe chat, or Telegram unreachable
                self.throttled = True  # the rest waits for the next pass
        if self.throttled:
            return "wait"
        if ids is None:
            self.report.held += 1
            return "held"
        if ids:
            revision = article.revision if article is not None else 0
            if self.sends.swap(job, chat, value, records.sent(int(ids[0]), until, revision)):
                self.subscriptions.note_message(chat, int(ids[0]))
                self.report.found += 1
            return "found"
        if self.sends.forget_record(job, chat, value):
            self.report.not_sent += 1
        return "absent"

    def _missing(self, job: Job, raw: dict[int, str]) -> list[int]:
        """Readers of a send or digest plan without a record (never reached)."""
        if job.kind not in ("send", "digest") or self.sends.meta(job.scope).get("gone"):
            return []
        return [chat for chat in self.sends.plan(job) if chat not in raw]

    def _followups(self, job: Job, raw: dict[int, str], now: float) -> list[int]:
        """Messages of the article an edit or a delete still has to reach."""
        if job.kind == "digest":
            return []
        live = sorted(chat for chat, value in raw.items() if value.startswith("s|"))
        target = self._target(job)
        if target.kind == "delete" or not live:
            return live
        if job.kind == "edit" and job.revision < target.revision:
            return []  # a newer edit job owns them
        return editable(self.sends, target, now, live) if target.revision else []

    def _target(self, job: Job) -> Job:
        """The job that reaches what ``job`` still needs: itself, or its article's newest
        edit or delete."""
        if job.kind == "digest":
            return job
        meta = self.sends.meta(job.scope)
        if meta.get("gone"):
            return Job("delete", job.scope)
        if job.kind == "send" and int(meta.get("revision") or 0) <= 1:
            return job
        return Job("edit", job.scope, revision=int(meta.get("revision") or 0))


def reader_probe(telegram: Publisher) -> Find:
    """``Find`` through the Telegram publisher's probe chat, in a reader's chat."""

    def find(chat: int, lookup: Lookup) -> tuple[str, ...] | None:
        where = Destination(id="reader", platform="telegram", target=str(chat))
        return telegram.find_post(where, lookup)

    return find


def sweep(
    sends: ReaderSends,
    subscriptions: Subscriptions,
    articles: ArticleStore,
    find: Find,
    *,
    min_age_s: float,
    stale_s: float,
) -> SweepReport:
    """One pass over the open jobs; safe to run while chunks run."""
    report = SweepReport()
    state = _Pass(sends, subscriptions, articles, find, min_age_s, stale_s, report)
    for job, progress in sends.open_jobs():
        state.job(job, progress)
    return report
