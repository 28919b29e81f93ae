"""The pages and controls built for issues 10 and 11, against their ``ports`` Protocols.

Those issues are not merged, so these tests plug in a recorder that implements the Protocols:
they check the desk's side (controls shown by scope, CSRF and scope checks, what is passed on
and shown back), not reshares themselves, which issue 10 tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from distributor.desk.ports import AuditEntry, AuditFilter, DeskPorts, ReshareAnswer, ReshareEntry
from distributor.models import Delivery, DeliveryState
from distributor.wiring import Container
from tests.support.desk import RESHARER, article_now, csrf_in, record, sign_in

Desk = Callable[..., tuple[TestClient, Container]]


@dataclass
class Recorder:
    """Implements the Reshares, Retries and AuditLog Protocols by recording each call."""

    calls: list[tuple[object, ...]] = field(default_factory=list)
    due: datetime = field(default_factory=lambda: datetime.now(UTC) + timedelta(hours=1))

    def list_reshares(self, start: datetime, end: datetime) -> Sequence[ReshareEntry]:
        return [ReshareEntry("r-1", "story-1", "A story", "tg-main", self.due, "scheduled")]

    def reshare(self, article_id: str, destinations: Sequence[str], at: datetime | None,
                text: str, force: bool, actor: str) -> ReshareAnswer:  # fmt: skip
        self.calls.append(("reshare", article_id, tuple(destinations), at, text, force, actor))
        return ReshareAnswer("r-2", {d: "posts now" for d in destinations})

    def cancel_reshare(self, reshare_id: str, actor: str) -> bool:
        self.calls.append(("cancel", reshare_id, actor))
        return True

    def retry_delivery(self, article_id: str, destination: str, revision: int, actor: str
                       ) -> Delivery:  # fmt: skip
        self.calls.append(("retry", article_id, destination, revision, actor))
        return Delivery(article_id=article_id, destination=destination, revision=revision,
                        state=DeliveryState.PENDING)  # fmt: skip

    def audit(self, query: AuditFilter) -> Sequence[AuditEntry]:
        self.calls.append(("audit", query.actor, query.action))
        return [AuditEntry(datetime.now(UTC), "demo", "reshare", "story-1", "ok")]


def test_with_the_ports_wired_the_controls_appear_and_pass_the_managers_word_on(
    make_desk: Desk,
) -> None:
    client, container = make_desk(sandbox=True)
    recorder = Recorder()
    client.app.state.desk_ports = DeskPorts(  # type: ignore[attr-defined]
        reshares=recorder, retries=recorder, audit=recorder
    )
    record(container, article_now("story-1"), {"tg-main": "failed:400 chat not found"})
    form = client.get("/manage/sign-in")
    client.post("/manage/demo-sign-in", data={"csrf_token": csrf_in(form.text)})

    page = client.get("/manage/articles/story-1").text
    assert ">Reshare</button>" in page and "Ignore cooldown" in page
    data = {"csrf_token": csrf_in(page), "destinations": ["tg-main"], "at": "2030-01-02T18:30",
            "text": "Still true", "force": "true"}  # fmt: skip
    assert (
        "Reshare r-2: tg-main: posts now"
        in client.post("/manage/articles/story-1/reshare", data=data).text
    )
    (_, article_id, dests, at, text, force, actor) = recorder.calls[-1]
    assert (article_id, dests, text, force, actor) == ("story-1", ("tg-main",), "Still true",
                                                       True, "demo")  # fmt: skip
    assert at is not None and at.isoformat() == "2030-01-02T18:30:00+07:00"  # newsroom time

    calendar = client.get("/manage/calendar").text
    assert ">Cancel</button>" in calendar and "A story" in calendar
    done = client.post("/manage/reshares/r-1/cancel", data={"csrf_token": csrf_in(calendar)})
    assert "Reshare r-1 cancelled." in done.text and recorder.calls[-1] == ("cancel", "r-1", "demo")

    attention = client.get("/manage/attention").text
    assert ">Retry</button>" in attention and "400 chat not found" in attention
    retry = {"csrf_token": csrf_in(attention), "article_id": "story-1", "destination": "tg-main",
             "revision": "1"}  # fmt: skip
    assert "retry queued (pending)" in client.post("/manage/attention/retry", data=retry).text

    audit = client.get("/manage/audit", params={"actor": "demo", "action": "reshare"})
    assert recorder.calls[-1] == ("audit", "demo", "reshare") and "story-1" in audit.text


def test_ignoring_the_cooldown_needs_its_own_scope_whatever_the_form_says(
    make_desk: Desk,
) -> None:
    client, container = make_desk()
    recorder = Recorder()
    client.app.state.desk_ports = DeskPorts(reshares=recorder)  # type: ignore[attr-defined]
    record(container, article_now("story-1"), {"tg-main": "sent:3"})
    sign_in(client, RESHARER)  # may reshare, may not force, may not read deliveries
    calendar = client.get("/manage/calendar").text
    assert ">Cancel</button>" in calendar
    data = {"csrf_token": csrf_in(calendar), "destinations": ["tg-main"], "force": "true"}
    refused = client.post("/manage/articles/story-1/reshare", data=data)
    assert refused.status_code == 403 and "reshare:force" in refused.text
    assert recorder.calls == []
    del data["force"]
    done = client.post("/manage/articles/story-1/reshare", data=data)
    assert done.status_code == 200 and "Reshare r-2: tg-main: posts now" in done.text
    assert recorder.calls[-1][5] is False
