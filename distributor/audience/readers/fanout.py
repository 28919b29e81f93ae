"""The reader fan-out: an article event becomes reader jobs, and each job runs in chunks
(docs/architecture.md, "Readers").

Publishing plans a send job once per article (the union of its topics' readers); an update
plans an edit of every message sent with an older revision, still inside Telegram's 48-hour
window; unpublishing stops every send not yet claimed and plans the deletes. A chunk is one
task's worth of readers; the task layer chains chunks (``lanes`` chains side by side).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from distributor.audience.readers.broadcast import Action, Broadcaster, Report
from distributor.audience.readers.catalogue import Catalogue
from distributor.audience.readers.digest import DigestWriter
from distributor.audience.readers.pacing import Outgoing
from distributor.audience.readers.records import EDIT_WINDOW_S, NOTHING, Job, decode
from distributor.audience.readers.sends import ReaderSends, Settle
from distributor.audience.readers.topics import article_topics
from distributor.models import Article, ArticleEvent, Destination, RenderedPost
from distributor.publishing.articles import ArticleStore

Render = Callable[[Article, Destination], RenderedPost]
READERS = Destination(id="readers", platform="telegram", target="readers")
ACTIONS: dict[str, Action] = {"send": "send", "edit": "edit", "delete": "delete", "digest": "send"}


@dataclass(frozen=True, slots=True)
class Planned:
    """A job planned now and how many readers it covers."""

    job: Job
    size: int


def reader_post(article: Article, render: Render) -> RenderedPost:
    """The message readers get: the channel format as text with a link preview (the preview
    shows the image, and edits stay ``editMessageText``)."""
    return render(article.model_copy(update={"image_url": None}), READERS)


def plan_event(event: ArticleEvent, sends: ReaderSends, catalogue: Catalogue) -> list[Planned]:
    """The reader jobs an article event calls for; safe to repeat (each job is planned once)."""
    article = event.article
    meta = sends.meta(article.id)
    if event.type == "article.unpublished":
        sends.mark_gone(article.id)
        catalogue.withdraw(article.id)
        job = Job("delete", article.id)
        live = [chat for chat, r in sends.records(job).items() if r.state == "s"]
        return _planned(job, sends.plan_list(job, live))
    if meta.get("gone"):
        return []
    if not meta.get("planned"):
        if event.type != "article.published":
            return []  # an update of an article readers never got is not news to them
        catalogue.learn(article)
        job = Job("send", article.id)
        return _planned(job, sends.plan_send(article.id, article.revision, article_topics(article)))
    if article.revision <= int(meta.get("revision") or 0):
        return []
    sends.set_revision(article.id, article.revision)
    job = Job("edit", article.id, revision=article.revision)
    return _planned(job, sends.plan_list(job, editable(sends, job, sends.now())))


def editable(sends: ReaderSends, job: Job, now: float, chats: Sequence[int] = ()) -> list[int]:
    """Chats (among ``chats``, or all) holding a message older than ``job.revision`` that can
    still be edited."""
    wanted = set(chats)
    return [
        chat for chat, r in sends.records(job).items()
        if r.state == "s" and r.revision < job.revision and r.at > now - EDIT_WINDOW_S
        and (not wanted or chat in wanted)
    ]  # fmt: skip


def _planned(job: Job, size: int | None) -> list[Planned]:
    return [Planned(job, size)] if size else []


@dataclass
class ChunkRunner:
    """Runs one chunk (or an explicit list of chats) of a reader job."""

    sends: ReaderSends
    broadcaster: Broadcaster
    articles: ArticleStore
    render: Render
    digests: DigestWriter
    chunk_size: int
    budget_s: float

    def run(self, job: Job, chunk: int = 0, chats: Sequence[int] | None = None) -> Report:
        """Send, edit or delete for the chunk's chats; the report lists what to try again."""
        targets = (
            list(chats) if chats is not None else self.sends.chunk(job, chunk, self.chunk_size)
        )
        items = self._items(job, targets)
        if not items:
            return Report()
        return self.broadcaster.run(job, ACTIONS[job.kind], items, self.budget_s)

    def _items(self, job: Job, chats: list[int]) -> list[Outgoing]:
        if job.kind == "digest":
            return self._digests(job, chats)
        article = self.articles.get(job.scope)
        if article is None:
            return []
        if job.kind == "send":
            if not self.articles.is_published(article.id):
                return []
            post = reader_post(article, self.render)
            return [Outgoing(chat, post, revision=article.revision) for chat in chats]
        edit = reader_post(article, self.render) if job.kind == "edit" else None
        out = []
        for chat, raw in zip(chats, self.sends.raw_records(job, chats), strict=True):
            record = decode(raw) if raw else None
            if record is None or record.state != "s":
                continue
            if job.kind == "edit" and (
                record.revision >= job.revision or record.at <= self.sends.now() - EDIT_WINDOW_S
            ):
                continue
            out.append(Outgoing(chat, edit, record.message_id, raw or "", job.revision))
        return out

    def _digests(self, job: Job, chats: list[int]) -> list[Outgoing]:
        """Each reader's digest; a reader with nothing to read gets a ``n|`` record."""
        out, empty = [], []
        for chat in chats:
            post = self.digests.post_for(chat, self.sends.now())
            if post is None:
                empty.append(chat)
            else:
                out.append(Outgoing(chat, post))
        if empty:
            token, answers = self.sends.claim(job, empty, job.records)
            nothing = [Settle(chat, NOTHING) for chat in empty if answers[chat] == "ok"]
            self.sends.settle(job, token, nothing)
        return out
