"""The feed watcher: poll a WordPress site's REST API for the posts its webhook missed.

A webhook that never arrives (the site was down, the plugin was off, a timeout) is a story that
never reaches readers, and nobody notices. The watcher reads
``/wp-json/wp/v2/posts?modified_after=<cursor>&orderby=modified&order=asc&_embed`` page by page
and hands every post to the webhook's own intake path (``decode_event`` then ``accept_event``),
so it can never cause a second post: an event the webhook already brought is a duplicate, and
the ledger posts each revision once whatever arrives.

- Cursor: the newest ``modified_gmt`` handed over, kept in Redis. Each pass reads again from
  ``lookback_s`` before it, so a post saved in the cursor's second or committed late is not
  lost, and skips the ``(id, modified_gmt)`` pairs it has already handed over.
- Statuses: anonymous readers see published posts only, so without credentials the watcher
  catches missed publications and edits. With an application password of a user who can edit
  posts it also reads ``future, draft, pending, private, trash`` posts, which intake maps to
  ``article.unpublished``; it sends those only for articles the ledger has deliveries of (a
  draft that was never out has nothing to take down). A post deleted for good (not trashed) is
  gone from the API: only the plugin can report that.
- First pass: from ``since`` when given, else from ``lookback_s`` ago; starting a watcher never
  sends the site's archive.
- Politeness: one pass at a time per site (a Redis lock); after a timeout, a refused
  connection, a 429 or a 5xx the next pass waits an exponential backoff from the interval,
  never shorter than the site's ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, cast

import httpx
from redis.exceptions import LockError

from distributor.config import Settings
from distributor.errors import ConfigError, DistributorError, InvalidInput
from distributor.intake.adapters import decode_event
from distributor.intake.service import EnqueueFailed, accept_event
from distributor.publishing.delivery import backoff
from distributor.wiring import Container

log = logging.getLogger(__name__)

POSTS_PATH = "/wp-json/wp/v2/posts"
PUBLIC_STATUSES = ("publish",)
ALL_STATUSES = ("publish", "future", "draft", "pending", "private", "trash")
# what intake reads (and the links _embed follows); the rest of a post, its content above all,
# is not fetched
FIELDS = "id,link,status,title,excerpt,date_gmt,modified_gmt,_links,_embedded"
MAX_PER_PAGE = 100
MAX_BACKOFF_S = 3600.0
LOCK_S = 300


class WatchFailed(DistributorError):
    """The site did not answer with a page of posts; ``retry_after`` is what it asked for."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class PassReport:
    """What one pass did with the posts it read."""

    fetched: int = 0
    sent: int = 0  # accepted by intake as new events
    duplicates: int = 0  # intake had them already: the webhook got there first
    skipped: int = 0  # handed over before at this modified time, or nothing to take down
    refused: list[str] = field(default_factory=list)  # "<post id>: <why intake refused it>"
    cursor: str | None = None  # newest modified_gmt handed over


@dataclass(frozen=True)
class PollResult:
    """A pass's report, or why none ran (``error``), and when the next pass is due."""

    report: PassReport | None
    error: str | None
    next_in_s: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (what `distributor watch` prints)."""
        return asdict(self)


class Watcher:
    """Polls one site; its cursor, backoff and lock live in Redis under the service's keys."""

    def __init__(
        self,
        container: Container,
        client: httpx.Client,
        site_url: str,
        *,
        auth: httpx.Auth | None = None,
        interval_s: float = 60.0,
        per_page: int = MAX_PER_PAGE,
        lookback_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._container = container
        self._client = client
        self._site = site_url.rstrip("/")
        self._auth = auth
        self._statuses = ALL_STATUSES if auth is not None else PUBLIC_STATUSES
        self._interval = interval_s
        self._per_page = max(1, min(per_page, MAX_PER_PAGE))
        self._lookback = timedelta(seconds=lookback_s)
        self._clock = clock
        site_id = hashlib.sha256(self._site.encode()).hexdigest()[:16]
        self._key = container.keys.watch(site_id)
        self._lock_key = container.keys.watch_lock(site_id)

    def poll(self, since: datetime | None = None) -> PollResult:
        """One pass, unless the site asked to be left alone or another pass runs; a failed
        pass sets the backoff the next ones honour."""
        redis = self._container.redis
        retry_at = float(redis.hget(self._key, "retry_at") or 0)
        if self._clock() < retry_at:
            return PollResult(None, "backing off", retry_at - self._clock())
        lock = redis.lock(self._lock_key, timeout=LOCK_S, blocking=False)
        if not lock.acquire():
            return PollResult(None, "another pass is running", self._interval)
        try:
            report = self.run_pass(since, heartbeat=lock.reacquire)
        except (WatchFailed, EnqueueFailed) as exc:
            failures = int(redis.hincrby(self._key, "failures", 1))
            retry_after = exc.retry_after if isinstance(exc, WatchFailed) else None
            wait = backoff(failures - 1, retry_after, base_s=self._interval, cap_s=MAX_BACKOFF_S)
            redis.hset(self._key, "retry_at", self._clock() + wait)
            log.warning("watch %s: %s; next pass in %.0f s", self._site, exc, wait)
            return PollResult(None, str(exc), wait)
        finally:
            with suppress(LockError):  # expired meanwhile: the next pass takes it anyway
                lock.release()
        redis.hdel(self._key, "failures", "retry_at")
        log.info("watch %s: %s", self._site, report)
        return PollResult(report, None, self._interval)

    def run_pass(
        self, since: datetime | None = None, heartbeat: Callable[[], object] = lambda: None
    ) -> PassReport:
        """Read every post modified after the cursor (or ``since`` on a first pass) and hand
        each over once; the cursor is saved after every page."""
        redis = self._container.redis
        state = cast(dict[str, str], redis.hgetall(self._key))  # clients decode responses
        seen: dict[str, str] = json.loads(state.get("seen", "{}"))
        newest = _gmt(state["cursor"]) if state.get("cursor") else None
        if newest is not None:
            after = newest - self._lookback
        elif since is not None:
            after = since if since.tzinfo else since.replace(tzinfo=UTC)
        else:
            after = datetime.fromtimestamp(self._clock(), UTC) - self._lookback
        report = PassReport(cursor=state.get("cursor"))
        page, pages = 1, 1
        while page <= pages:
            posts, pages = self._fetch(after, page)
            for post in posts:
                self._hand_over(post, seen, report)
                modified = _gmt(str(post.get("modified_gmt", "")))
                if newest is None or (modified is not None and modified > newest):
                    newest = modified
            if newest is not None:
                report.cursor = self._save(newest, seen)
            heartbeat()
            page += 1
        if newest is None:  # nothing yet: hold the window's start until a post shows up
            report.cursor = self._save(after + self._lookback, seen)
        return report

    def _hand_over(self, post: dict[str, Any], seen: dict[str, str], report: PassReport) -> None:
        report.fetched += 1
        post_id, stamp = str(post.get("id")), str(post.get("modified_gmt"))
        if seen.get(post_id) == stamp:
            report.skipped += 1
            return
        try:
            event = decode_event(json.dumps(post).encode())
        except InvalidInput as exc:
            report.refused.append(f"{post_id}: {exc}")
            seen[post_id] = stamp
            return
        ledger = self._container.ledger
        if event.type == "article.unpublished" and not ledger.list_deliveries(event.article.id):
            report.skipped += 1
        elif accept_event(event, self._container)[1]:
            report.duplicates += 1
        else:
            report.sent += 1
        seen[post_id] = stamp

    def _save(self, newest: datetime, seen: dict[str, str]) -> str:
        """Store the cursor; forget pairs older than the next pass's window."""
        horizon = newest - self._lookback
        for post_id, stamp in list(seen.items()):
            modified = _gmt(stamp)
            if modified is None or modified <= horizon:
                del seen[post_id]
        cursor = newest.strftime("%Y-%m-%dT%H:%M:%S")
        self._container.redis.hset(self._key, mapping={"cursor": cursor, "seen": json.dumps(seen)})
        return cursor

    def _fetch(self, after: datetime, page: int) -> tuple[list[dict[str, Any]], int]:
        """One page of posts and the page count WordPress reports."""
        params: dict[str, str | int] = {
            "modified_after": after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "orderby": "modified",
            "order": "asc",
            "status": ",".join(self._statuses),
            "per_page": self._per_page,
            "page": page,
            "_embed": "1",
            "_fields": FIELDS,
        }
        url = self._site + POSTS_PATH
        try:
            resp = self._client.get(url, params=params, auth=self._auth or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise WatchFailed(f"{url} did not answer: {exc!r}") from exc
        if resp.status_code == 400 and _error_code(resp) == "rest_post_invalid_page_number":
            return [], page  # posts left the window during the pass: fewer pages than before
        if resp.status_code == 429 or resp.status_code >= 500:
            raise WatchFailed(f"{url} answered {resp.status_code}", _retry_after(resp))
        if resp.status_code != 200:
            raise WatchFailed(f"{url} answered {resp.status_code}: {resp.text[:300]}")
        try:
            posts = resp.json()
        except ValueError as exc:
            raise WatchFailed(f"{url} did not answer JSON: {exc}") from exc
        if not isinstance(posts, list) or not all(isinstance(p, dict) for p in posts):
            raise WatchFailed(f"{url} did not answer a list of posts")
        total = resp.headers.get("X-WP-TotalPages", "1")
        return posts, int(total) if total.isdigit() else 1


def site_watcher(container: Container, client: httpx.Client) -> Watcher:
    """A Watcher on ``DISTRIBUTOR_WATCH_URL``, with the application password when one is set."""
    settings = container.settings
    if not settings.watch_url:
        raise ConfigError("DISTRIBUTOR_WATCH_URL is not set: which site should be watched?")
    auth = None
    if settings.watch_user and settings.watch_app_password is not None:
        auth = httpx.BasicAuth(settings.watch_user, settings.watch_app_password.get_secret_value())
    interval = settings.watch_interval_s
    return Watcher(container, client, settings.watch_url, auth=auth, interval_s=interval)


def watch_client(settings: Settings) -> httpx.Client:
    """The HTTP client the watcher reads the site with."""
    return httpx.Client(
        timeout=settings.http_timeout_s,
        follow_redirects=True,  # httpx drops the credentials on a redirect to another origin
        headers={"User-Agent": "distributor-watch", "Accept": "application/json"},
    )


def poll_site(container: Container) -> PollResult:
    """One poll of the configured site (the beat task's body)."""
    with watch_client(container.settings) as client:
        return site_watcher(container, client).poll()


def watch(
    container: Container,
    *,
    once: bool,
    since: datetime | None,
    echo: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """`distributor watch`: a pass every interval (a single one with ``once``), each result
    printed as a JSON line; with ``once`` the exit status says whether the pass ran."""
    with watch_client(container.settings) as client:
        watcher = site_watcher(container, client)
        while True:
            result = watcher.poll(since)
            echo(json.dumps(result.as_dict()))
            if once:
                return 0 if result.report is not None else 1
            sleep(result.next_in_s)


def _gmt(value: str) -> datetime | None:
    """WordPress's ``*_gmt`` fields carry no zone; they are UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _retry_after(resp: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), if the site sent one."""
    value = resp.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_code(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""
