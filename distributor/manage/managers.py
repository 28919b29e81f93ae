"""Every action a manager takes, in one place for the API, the CLI and a page handler alike:
reshare, cancel, retry a failed delivery, resolve an in-doubt one, create or revoke a token.
Each is appended to the audit log with who did it and the outcome, refusals included; reads
are not. Refusals raise ``Refused`` (404 / 409 / 422 / 503) with the reason."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from distributor.errors import Refused
from distributor.manage.audit import AuditLog
from distributor.manage.tokens import TokenInfo, TokenStore
from distributor.models import Article, Delivery, DeliveryState, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.ledger.records import FailedItem
from distributor.publishing.reshares.records import Reshare
from distributor.publishing.reshares.service import Answer, Reshares, SendReshare
from distributor.publishing.routing import RoutingTable

SendDelivery = Callable[[Article, Destination], None]
"""Queue one (article revision, destination) delivery."""
EndSessions = Callable[[str], int]
"""End every desk session signed in with the token of that name; how many ended."""


class Managers:
    """Managers' actions with their audit trail."""

    def __init__(
        self,
        reshares: Reshares,
        ledger: Ledger,
        articles: ArticleStore,
        routing: RoutingTable,
        tokens: TokenStore,
        audit: AuditLog,
        send_delivery: SendDelivery,
        send_reshare: SendReshare,
        end_sessions: EndSessions,
    ) -> None:
        self.reshares, self.tokens, self.audit = reshares, tokens, audit
        self._ledger, self._articles, self._routing = ledger, articles, routing
        self._send_delivery, self._send_reshare = send_delivery, send_reshare
        self._end_sessions = end_sessions

    def reshare(
        self,
        actor: str,
        article_id: str,
        *,
        destinations: Sequence[str] | None = None,
        at: float | None = None,
        text: str | None = None,
        force: bool = False,
    ) -> Answer:
        """Reshare an article now or later (``Reshares.request``)."""
        try:
            answer = self.reshares.request(
                article_id, actor=actor, destinations=destinations, at=at, text=text, force=force
            )
        except Refused as exc:
            self.audit.append(actor, "reshare.create", article_id, "refused", str(exc))
            raise
        summary = ", ".join(f"{t.destination}: {t.status}" for t in answer.targets)
        forced = " (forced)" if force else ""
        self.audit.append(actor, "reshare.create", article_id, "ok",
                          f"{answer.reshare_id}{forced}: {summary}")  # fmt: skip
        return answer

    def cancel_reshare(self, actor: str, reshare_id: str) -> Reshare:
        """Cancel what has not fired of a reshare."""
        try:
            found = self.reshares.cancel(reshare_id, f"cancelled by {actor}")
        except Refused as exc:
            self.audit.append(actor, "reshare.cancel", reshare_id, "refused", str(exc))
            raise
        self.audit.append(actor, "reshare.cancel", reshare_id, "ok", found.article_id)
        return found

    def failed(self) -> list[FailedItem]:
        """Failed deliveries (revisions' and reshares'), oldest first, with the reason."""
        return self._ledger.failed_items()

    def retry(
        self, actor: str, article_id: str, destination: str, *,
        revision: int | None = None, reshare_id: str | None = None,
    ) -> Delivery:  # fmt: skip
        """Send a failed delivery again through the same exactly-once path."""
        target = "/".join([article_id, destination, reshare_id or f"r{revision}"])
        try:
            delivery = self._retry(actor, article_id, destination, revision, reshare_id)
        except Refused as exc:
            self.audit.append(actor, "delivery.retry", target, "refused", str(exc))
            raise
        self.audit.append(actor, "delivery.retry", target, "ok", delivery.error or "")
        return delivery

    def resolve(
        self, actor: str, article_id: str, destination: str, revision: int | None,
        outcome: Literal["posted", "not_posted"], message_id: str | None = None, note: str = "",
        reshare_id: str | None = None,
    ) -> Delivery:  # fmt: skip
        """Settle an in-doubt delivery (of a revision, or of a reshare): ``posted`` records it
        sent (with its message id); ``not_posted`` sends it again."""
        target = "/".join([article_id, destination, reshare_id or f"r{revision}"])
        try:
            current, article = self._find(article_id, destination, revision, reshare_id)
            resolved = self._resolve(actor, current, article, outcome, message_id, note)
        except Refused as exc:
            self.audit.append(actor, "delivery.resolve", target, "refused", str(exc))
            raise
        self.audit.append(actor, "delivery.resolve", target, "ok", f"{outcome} {note}".strip())
        return resolved

    def create_token(
        self, actor: str, name: str, scopes: Sequence[str], expires_in_s: float | None
    ) -> tuple[str, TokenInfo]:
        """A new token: the plain token (show it once) and what is stored."""
        try:
            plain, info = self.tokens.create(name, scopes, created_by=actor,
                                             expires_in_s=expires_in_s)  # fmt: skip
        except Refused as exc:
            self.audit.append(actor, "token.create", name, "refused", str(exc))
            raise
        expiry = info.expires_at.isoformat() if info.expires_at else "never"
        detail = f"id {info.id}, scopes {' '.join(info.scopes)}, expires {expiry}"
        self.audit.append(actor, "token.create", name, "ok", detail)
        return plain, info

    def revoke_token(self, actor: str, name_or_id: str) -> TokenInfo:
        """Revoke a stored token (by name or id) and end the desk sessions it signed in."""
        try:
            info = self.tokens.revoke(name_or_id)
        except Refused as exc:
            self.audit.append(actor, "token.revoke", name_or_id, "refused", str(exc))
            raise
        ended = self._end_sessions(info.name)
        detail = f"id {info.id}, {ended} desk session{'s' * (ended != 1)} ended"
        self.audit.append(actor, "token.revoke", info.name, "ok", detail)
        return info

    def _find(
        self, article_id: str, destination: str, revision: int | None, reshare_id: str | None
    ) -> tuple[Delivery, Article | None]:
        """The delivery a manager names (a reshare's when ``reshare_id``) and its article."""
        if reshare_id is not None:
            request = self.reshares.store.request(reshare_id)
            if request is None or destination not in request.destinations:
                raise Refused(f"no reshare {reshare_id} to {destination}", 404)
            article_id, revision = request.article_id, request.revision
        if revision is None:
            raise Refused("a revision or a reshare id is needed", 422)
        current = self._ledger.get(article_id, destination, revision, reshare_id or "")
        if current is None:
            raise Refused(f"no delivery {article_id}/{destination}/{reshare_id or revision}", 404)
        return current, self._articles.get(article_id)

    def _retry(
        self, actor: str, article_id: str, destination: str, revision: int | None,
        reshare_id: str | None,
    ) -> Delivery:  # fmt: skip
        current, article = self._find(article_id, destination, revision, reshare_id)
        if current.state is not DeliveryState.FAILED:
            raise Refused(f"delivery is {current.state}, not failed")
        if current.reshare is None and article is None:
            raise Refused(f"article {current.article_id!r} is not in the article store")
        if not self._ledger.retry(current, f"retried by {actor}"):
            raise Refused("delivery changed meanwhile")
        try:
            self._send(current, article)
        except Exception as exc:
            self._ledger.retry(current, f"retry not queued: {exc}", undo=True)
            raise Refused(f"could not queue the retry: {exc}", 503) from exc
        return self._reread(current)

    def _resolve(
        self, actor: str, current: Delivery, article: Article | None,
        outcome: Literal["posted", "not_posted"], message_id: str | None, note: str,
    ) -> Delivery:  # fmt: skip
        if current.state is not DeliveryState.IN_DOUBT:
            raise Refused(f"delivery is {current.state}, not in_doubt")
        if outcome == "not_posted" and current.reshare is None and article is None:
            raise Refused(f"article {current.article_id!r} is not in the article store")
        reason = f"resolved by {actor}: {outcome}" + (f" ({note})" if note else "")
        ids = (message_id,) if message_id else ()
        state = DeliveryState.SENT if outcome == "posted" else DeliveryState.PENDING
        if not self._ledger.resolve(current, state, reason, ids):
            raise Refused("delivery was settled by someone else meanwhile")
        if state is DeliveryState.PENDING:
            self._send(current, article)
        return self._reread(current)

    def _send(self, delivery: Delivery, article: Article | None) -> None:
        """Queue a delivery again: a reshare's, or the article's at the record's revision."""
        destination = self._routing.get(delivery.destination)
        if delivery.reshare is not None:
            self._send_reshare(delivery.reshare, destination)
        elif article is not None:
            revised = article.model_copy(update={"revision": delivery.revision})
            self._send_delivery(revised, destination)

    def _reread(self, delivery: Delivery) -> Delivery:
        where = (delivery.article_id, delivery.destination, delivery.revision)
        found = self._ledger.get(*where, delivery.reshare or "")
        assert found is not None
        return found
