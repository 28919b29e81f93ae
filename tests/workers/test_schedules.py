"""The beat schedule: what runs periodically, and only where it is configured."""

from __future__ import annotations

from distributor.keys import Keys
from distributor.queue.names import WATCH_SITE
from tests.support.intake import make_settings
from workers.schedules import beat_schedule


def test_beat_runs_the_watcher_only_for_a_configured_site(redis_url: str, keys: Keys) -> None:
    assert "watch-site" not in beat_schedule(make_settings(redis_url, keys))
    watching = make_settings(redis_url, keys, watch_url="https://visualjambi.example")
    entry = beat_schedule(watching)["watch-site"]
    assert (entry["task"], entry["schedule"]) == (WATCH_SITE, watching.watch_interval_s)
