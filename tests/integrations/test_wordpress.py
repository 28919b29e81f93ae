"""End to end with a real WordPress: the plugin, the service, the sandbox's Telegram and X.

WordPress is Debian's package on PHP 8.2 and the machine's MariaDB (tests/support/wordpress.py);
the service is real `distributor api` and `distributor worker` processes (tests/support/stack.py).
Posts are made through WordPress's REST API with an application password, as an editor's
browser or a newsroom's tool would.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from distributor.keys import Keys
from distributor.models import DeliveryState
from distributor.publishing.articles import ArticleStore
from tests.support.spine import wait_until
from tests.support.stack import MANAGER_TOKEN, WEBHOOK_SECRET, Stack, running_stack
from tests.support.wordpress import PLUGIN, PLUGIN_SOURCE, WordPress, running_wordpress

REDIS_URL = os.environ.get("DISTRIBUTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# a 1x1 PNG: WordPress makes it an attachment and the post's featured image
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f0a0000000049454e44ae426082"
)


def with_title(items: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    """Telegram messages or tweets that carry ``title``."""
    return [i for i in items if title in (i.get("text") or i.get("caption") or "")]


def next_second(stamp: str) -> None:
    """Wait until the clock is past a WordPress ``*_gmt`` second, so the next save of the
    post gets a new modified time (the service's revision has one-second resolution)."""
    edge = datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp() + 1
    wait_until(lambda: time.time() >= edge, "the next second", timeout=5)


@pytest.mark.parametrize(
    "source", sorted(PLUGIN_SOURCE.rglob("*.php")), ids=lambda p: str(p.relative_to(PLUGIN_SOURCE))
)
def test_every_plugin_file_passes_php_lint(source: Path) -> None:
    done = subprocess.run(["php", "-l", str(source)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WordPress, Stack]]:
    """A WordPress with the plugin pointed at a running service."""
    workdir = tmp_path_factory.mktemp("wordpress")
    with running_stack(REDIS_URL, workdir) as stack, running_wordpress(workdir) as wp:
        stack.start_api()
        stack.start_worker()
        wp.configure_plugin(stack.api_url, WEBHOOK_SECRET, MANAGER_TOKEN)
        yield wp, stack


def test_publish_edit_trash_reach_telegram_and_x_exactly_once(
    site: tuple[WordPress, Stack],
) -> None:
    wp, stack = site
    category = wp.term("categories", "Politik")  # routing adds the tg-politik channel
    tags = [wp.term("tags", "Banjir"), wp.term("tags", "Jambi")]
    image = wp.upload_image("banjir.png", PNG)
    title = f"Banjir rendam Kota Jambi {uuid.uuid4().hex[:6]}"
    post = wp.create_post(
        title=title,
        content="<p>Air setinggi lutut merendam tiga kecamatan.</p>",
        excerpt="Tiga kecamatan terendam sejak subuh.",
        status="publish",
        categories=[category],
        tags=tags,
        featured_media=image["id"],
    )
    article_id = str(post["id"])

    wait_until(lambda: with_title(stack.messages(), title), "the Telegram post")
    wait_until(lambda: with_title(stack.messages("@visualjambi_politik"), title), "tg-politik")
    wait_until(lambda: with_title(stack.tweets(), title), "the tweet")
    wait_until(lambda: _all_settled(stack, article_id), "every delivery recorded")
    article = ArticleStore(stack.redis, Keys(stack.namespace)).get(article_id)
    assert article is not None
    assert (article.category, article.tags) == ("Politik", ("Banjir", "Jambi"))
    assert article.image_url == image["source_url"]
    assert "Tiga kecamatan terendam" in article.excerpt
    [first] = with_title(stack.messages(), title)
    assert first["photo"] is not None  # the featured image went as the photo
    assert len(with_title(stack.messages("@visualjambi_politik"), title)) == 1
    assert len(with_title(stack.tweets(), title)) == 1
    watched = _watch_once(stack, wp, since=datetime.now(UTC) - timedelta(hours=1))
    assert (watched["sent"], watched["duplicates"]) == (0, 1)  # the webhook got there first

    next_second(post["modified_gmt"])
    edited_title = f"{title} (diperbarui)"
    wp.update_post(post["id"], title=edited_title)
    wait_until(lambda: with_title(stack.messages(), edited_title), "the Telegram post to be edited")
    wait_until(lambda: _all_settled(stack, article_id), "the edit recorded")
    [message] = with_title(stack.messages(), title)  # edited in place, not posted again
    assert message["edited"] and message["message_id"] == first["message_id"]
    assert len(with_title(stack.tweets(), title)) == 1  # X cannot edit: the tweet stays

    wp.trash_post(post["id"])
    wait_until(lambda: all(m["deleted"] for m in with_title(stack.messages(), title)), "delete")
    wait_until(lambda: all(t["deleted"] for t in with_title(stack.tweets(), title)), "tweet gone")
    wait_until(
        lambda: all(
            m["deleted"] for m in with_title(stack.messages("@visualjambi_politik"), title)
        ),
        "tg-politik post deleted",
    )


@pytest.mark.parametrize("status", ["draft", "private"])
def test_unpublishing_a_post_takes_its_posts_down(
    site: tuple[WordPress, Stack], status: str
) -> None:
    wp, stack = site
    title = f"Ditarik ke {status} {uuid.uuid4().hex[:6]}"
    post = wp.create_post(title=title, excerpt="Sempat tayang.", status="publish")
    wait_until(lambda: _all_settled(stack, str(post["id"])), "every delivery recorded")
    assert len(with_title(stack.messages(), title)) == len(with_title(stack.tweets(), title)) == 1

    wp.update_post(post["id"], status=status)
    wait_until(lambda: all(m["deleted"] for m in with_title(stack.messages(), title)), "delete")
    wait_until(lambda: all(t["deleted"] for t in with_title(stack.tweets(), title)), "tweet gone")


def test_a_scheduled_post_goes_out_when_wordpress_publishes_it(
    site: tuple[WordPress, Stack],
) -> None:
    wp, stack = site
    title = f"Jadwal tayang {uuid.uuid4().hex[:6]}"
    # wp_insert_post publishes at once a "future" post due within a minute; so: 62 s ahead
    at = (datetime.now(UTC) + timedelta(seconds=62)).strftime("%Y-%m-%dT%H:%M:%S")
    post = wp.create_post(title=title, excerpt="Terbit otomatis.", status="future", date_gmt=at)
    assert post["status"] == "future"

    wait_until(lambda: with_title(stack.messages(), title), "the post on Telegram", timeout=150)
    wait_until(lambda: with_title(stack.tweets(), title), "the scheduled post on X")
    wait_until(lambda: _all_settled(stack, str(post["id"])), "every delivery recorded")
    with wp.rest() as client:
        assert client.get(f"/posts/{post['id']}").json()["status"] == "publish"
    assert len(with_title(stack.messages(), title)) == 1
    assert len(with_title(stack.tweets(), title)) == 1


def test_a_publish_while_the_service_is_down_is_retried_until_it_is_back(
    site: tuple[WordPress, Stack],
) -> None:
    wp, stack = site
    stack.stop_api()
    title = f"Terbit saat layanan mati {uuid.uuid4().hex[:6]}"
    post = wp.create_post(title=title, excerpt="Dikirim ulang.", status="publish")

    with wp.login("admin") as admin:
        notice = wait_until(
            lambda: _failure_notice(admin.get("/wp-admin/").text), "the failure notice"
        )
    assert title in notice
    assert not with_title(stack.messages(), title)

    stack.start_api()
    wait_until(lambda: with_title(stack.messages(), title), "the retried post on Telegram")
    wait_until(lambda: with_title(stack.tweets(), title), "the retried post on X")
    wait_until(lambda: _all_settled(stack, str(post["id"])), "every delivery recorded")
    assert len(with_title(stack.messages(), title)) == 1
    assert len(with_title(stack.tweets(), title)) == 1
    with wp.login("admin") as admin:
        assert _failure_notice(admin.get("/wp-admin/").text) is None


def test_the_meta_box_shows_deliveries_and_offers_reshare_only_to_managers(
    site: tuple[WordPress, Stack],
) -> None:
    wp, stack = site
    title = f"Kotak distribusi {uuid.uuid4().hex[:6]}"
    author = wp.credentials["author_id"]
    post = wp.create_post(title=title, excerpt="Untuk kotak.", status="publish", author=author)
    wait_until(lambda: _all_settled(stack, str(post["id"])), "every delivery recorded")
    [message] = with_title(stack.messages(), title)
    edit = f"/wp-admin/post.php?post={post['id']}&action=edit"

    with wp.login("admin") as admin:
        page = admin.get(edit).text
        box = _meta_box(page)
        assert f"https://t.me/visualjambi/{message['message_id']}" in box
        assert "tg-main" in box and "x-main" in box and ">sent<" in box
        assert 'id="distributor-reshare"' in box
        without_nonce = admin.get(
            f"/wp-admin/admin-post.php?action=distributor_reshare&post={post['id']}"
        )
        assert without_nonce.status_code == 403
        reshare = html.unescape(re.search(r'id="distributor-reshare" href="([^"]+)"', box)[1])
        answered = admin.get(reshare, follow_redirects=True)
        assert answered.url.path == "/wp-admin/post.php"  # back on the post screen
        assert "distributor-reshare-answer" in _meta_box(answered.text)  # the service's answer
        settings = admin.get("/wp-admin/options-general.php?page=distributor").text
        assert stack.api_url in settings
        assert WEBHOOK_SECRET not in settings and MANAGER_TOKEN not in settings
    with wp.login("reporter") as reporter:
        box = _meta_box(reporter.get(edit).text)
        assert "tg-main" in box
        assert "distributor-reshare" not in box


def test_the_watcher_alone_delivers_every_post_of_a_50_post_site_once(
    tmp_path: Path,
) -> None:
    with (
        running_stack(REDIS_URL, tmp_path, fast=True) as stack,
        running_wordpress(tmp_path, plugin=False) as wp,
    ):
        stack.start_worker(concurrency=4)
        since = datetime.now(UTC) - timedelta(hours=1)
        titles = [f"Arsip {n:02d} {uuid.uuid4().hex[:6]}" for n in range(50)]
        for title in titles:
            wp.create_post(title=title, excerpt="Dari watcher.", status="publish")
        with wp.rest() as client:
            total = int(client.get("/posts", params={"per_page": 1}).headers["X-WP-Total"])
        assert total == 50

        first = _watch_once(stack, wp, since)
        assert (first["sent"], first["duplicates"], first["refused"]) == (total, 0, [])
        for title in titles:
            wait_until(lambda t=title: with_title(stack.messages(), t), f"{title} on Telegram")
        wait_until(lambda: len(stack.tweets()) == total, f"{total} tweets")

        second = _watch_once(stack, wp, since)
        assert (second["sent"], second["duplicates"]) == (0, 0)
        assert second["skipped"] == second["fetched"]
        for title in titles:
            assert len(with_title(stack.messages(), title)) == 1
            assert len(with_title(stack.tweets(), title)) == 1


def test_without_a_system_cron_the_editors_own_request_starts_the_send(tmp_path: Path) -> None:
    with (
        running_stack(REDIS_URL, tmp_path) as stack,
        running_wordpress(tmp_path, system_cron=False) as wp,
    ):
        stack.start_api()
        wp.configure_plugin(stack.api_url, WEBHOOK_SECRET, MANAGER_TOKEN)
        post = wp.create_post(title="Tanpa cron sistem", excerpt="Dipicu.", status="publish")
        # no other request reaches the site: the plugin's spawn_cron() at shutdown sends it
        events = f"{stack.namespace}:event:*"
        wait_until(lambda: list(stack.redis.scan_iter(events)), "the event accepted")
        assert wp.php("traces")["meta"] == ["_distributor_last_event"]
        assert not stack.deliveries(str(post["id"]))  # no worker here: accepted, not posted


def test_uninstalling_the_plugin_removes_everything_it_stored(tmp_path: Path) -> None:
    with running_stack(REDIS_URL, tmp_path) as stack, running_wordpress(tmp_path) as wp:
        stack.start_api()
        wp.configure_plugin(stack.api_url, WEBHOOK_SECRET, MANAGER_TOKEN)
        wp.create_post(title="Terkirim", excerpt="Diterima layanan.", status="publish")
        wait_until(lambda: wp.php("traces")["meta"], "a send recorded on the post")
        stack.stop_api()
        deleted = wp.create_post(title="Dihapus", excerpt="Tanpa tempat sampah.", status="publish")
        with wp.rest() as client:  # deleted for good: the plugin keeps its body to send
            assert client.delete(f"/posts/{deleted['id']}", params={"force": "true"}).is_success
        tombstone = f"distributor_tombstone_{deleted['id']}"
        wait_until(lambda: "distributor_failures" in wp.php("traces")["options"], "a failure")
        traces = wp.php("traces")
        assert {"distributor_settings", tombstone} <= set(traces["options"])
        assert traces["meta"] == ["_distributor_last_event"]
        assert traces["cron"] == ["distributor_send_post"]
        assert sorted(traces["caps"]) == ["administrator", "editor"]

        wp.php("uninstall", {"plugin": PLUGIN})
        assert wp.php("traces") == {"options": [], "meta": [], "cron": [], "caps": []}


def _watch_once(stack: Stack, wp: WordPress, since: datetime) -> dict[str, Any]:
    """`distributor watch --once` against the site, as admin; its pass report."""
    env = {
        **stack.env,
        "DISTRIBUTOR_WATCH_URL": wp.url,
        "DISTRIBUTOR_WATCH_USER": "admin",
        "DISTRIBUTOR_WATCH_APP_PASSWORD": wp.credentials["admin_app_password"],
    }
    argv = [
        sys.executable,
        "-m",
        "distributor",
        "watch",
        "--once",
        "--since",
        since.strftime("%Y-%m-%dT%H:%M:%S"),
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["error"] is None
    report: dict[str, Any] = result["report"]
    return report


def _all_settled(stack: Stack, article_id: str) -> bool:
    deliveries = stack.deliveries(article_id)
    busy = (DeliveryState.PENDING, DeliveryState.SENDING)
    return bool(deliveries) and all(d.state not in busy for d in deliveries)


def _failure_notice(page: str) -> str | None:
    found = re.search(
        r'<div class="notice notice-error distributor-failures">.*?</div>', page, re.S
    )
    return found.group(0) if found else None


def _meta_box(page: str) -> str:
    found = re.search(r'<div id="distributor-deliveries".*?</table>.*?</div>', page, re.S)
    assert found, "no Distributor box on the post screen"
    return found.group(0)
