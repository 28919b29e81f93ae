"""A real WordPress for tests: Debian's `wordpress` package, PHP's built-in server, MariaDB.

Each site gets its own database on the machine's MariaDB (127.0.0.1:3306, root without a
password), its own Debian config file /etc/wordpress/config-<name>.php (picked by the router's
WORDPRESS_CONFIG), and its own wp-content folder with the plugin copied in, as a newsroom
would upload it. WP-Cron is not spawned by page views (DISABLE_WP_CRON): a ticker thread
requests /wp-cron.php twice a second, as a system cron job would, so scheduled posts go live
and the plugin's queued sends go out (a site can also run WordPress's default, cron spawned by
page views). Everything is removed afterwards.

Nothing is skipped when a piece is missing: the site fails to start with a message naming what
to install (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from distributor.sandbox.server import free_port

WP_ROOT = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
HERE = Path(__file__).with_name("wordpress")
PLUGIN_SOURCE = Path(__file__).resolve().parents[2] / "integrations" / "wordpress" / "distributor"
PLUGIN = "distributor/distributor.php"
DB = {"host": "127.0.0.1", "port": "3306", "user": "root"}
PASSWORD = "correct-horse-battery-staple-42"
CRON_TICK_S = 0.5

# the test site's own mu-plugin: no mail (no MTA here), and the plugin's retry delay in seconds
MU_PLUGIN = """<?php
add_filter( 'pre_wp_mail', '__return_false' );
add_filter( 'distributor_retry_delay', function () { return %d; } );
"""

CONFIG = """<?php
define( 'DB_NAME', '{db}' );
define( 'DB_USER', '{user}' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '{host}:{port}' );
define( 'WP_HOME', '{url}' );
define( 'WP_SITEURL', '{url}' );
define( 'WP_CONTENT_DIR', '{content}' );
define( 'WP_CONTENT_URL', '{url}/wp-content' );
define( 'DISABLE_WP_CRON', {system_cron} );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
{salts}
"""
SALTS = [
    "AUTH_KEY",
    "SECURE_AUTH_KEY",
    "LOGGED_IN_KEY",
    "NONCE_KEY",
    "AUTH_SALT",
    "SECURE_AUTH_SALT",
    "LOGGED_IN_SALT",
    "NONCE_SALT",
]


class WordPressMissing(RuntimeError):
    """A prerequisite of the real WordPress is not installed or not running."""


def check_prerequisites() -> None:
    """Fail loudly, naming what is missing (`.ci/run` installs all of it)."""
    missing = [
        what
        for what, ok in (
            ("php (apt-get install php8.2-cli)", shutil.which("php") is not None),
            ("Debian's wordpress package (apt-get install wordpress)", WP_ROOT.is_dir()),
            ("the mariadb client (apt-get install mariadb-client)", bool(shutil.which("mariadb"))),
            ("php-mysql (apt-get install php8.2-mysql)", _php_has("mysqli")),
        )
        if not ok
    ]
    if missing:
        raise WordPressMissing("cannot run a real WordPress; missing: " + "; ".join(missing))
    try:
        _sql("SELECT 1")
    except subprocess.CalledProcessError as exc:
        raise WordPressMissing(f"MariaDB does not answer on 127.0.0.1:3306: {exc.stderr}") from exc


def _php_has(extension: str) -> bool:
    if shutil.which("php") is None:
        return False
    out = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    return extension in out.split()


def _sql(statement: str) -> None:
    subprocess.run(
        ["mariadb", "-h", DB["host"], "-P", DB["port"], "-u", DB["user"], "-e", statement],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip


@dataclass
class WordPress:
    """A running site and what the tests need to drive it."""

    url: str
    name: str
    content: Path
    env: dict[str, str]
    credentials: dict[str, Any] = field(default_factory=dict)

    def rest(self, user: str = "admin") -> httpx.Client:
        """A REST client authenticated with the user's application password."""
        password = self.credentials[f"{user}_app_password"]
        return httpx.Client(base_url=f"{self.url}/wp-json/wp/v2", auth=(user, password), timeout=30)

    def create_post(self, **fields: Any) -> dict[str, Any]:
        """POST /wp/v2/posts as the admin; the created post."""
        with self.rest() as client:
            resp = client.post("/posts", json=fields)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    def update_post(self, post_id: int, **fields: Any) -> dict[str, Any]:
        """POST /wp/v2/posts/<id> as the admin."""
        with self.rest() as client:
            resp = client.post(f"/posts/{post_id}", json=fields)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def trash_post(self, post_id: int) -> None:
        """DELETE /wp/v2/posts/<id> (to the trash, as the editor's Trash link does)."""
        with self.rest() as client:
            resp = client.delete(f"/posts/{post_id}")
        assert resp.status_code == 200, resp.text

    def term(self, taxonomy: str, name: str) -> int:
        """Create a category or tag; its id."""
        with self.rest() as client:
            resp = client.post(f"/{taxonomy}", json={"name": name})
        assert resp.status_code == 201, resp.text
        return int(resp.json()["id"])

    def upload_image(self, filename: str, data: bytes) -> dict[str, Any]:
        """Upload an image to the media library; the attachment."""
        headers = {
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Type": "image/png",
        }
        with self.rest() as client:
            resp = client.post("/media", content=data, headers=headers)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    @contextmanager
    def login(self, user: str) -> Iterator[httpx.Client]:
        """A browser-like session logged in through wp-login.php."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            client.cookies.set("wordpress_test_cookie", "WP Cookie check")
            form = {"log": user, "pwd": PASSWORD, "testcookie": "1", "redirect_to": "/wp-admin/"}
            resp = client.post("/wp-login.php", data=form)
            assert resp.status_code == 302, f"login of {user} failed: {resp.status_code}"
            yield client

    def php(self, command: str, args: dict[str, Any] | None = None) -> Any:
        """Run a command of tests/support/wordpress/wp.php (the WP-CLI stand-in)."""
        argv = ["php", str(HERE / "wp.php"), command, json.dumps(args or {})]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"wp.php {command} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout)

    def configure_plugin(self, endpoint: str, secret: str, token: str) -> None:
        """Save the plugin's settings as the settings screen would."""
        value = {"endpoint": endpoint, "secret": secret, "token": token}
        self.php("option", {"name": "distributor_settings", "value": value})


@contextmanager
def running_wordpress(
    workdir: Path, *, plugin: bool = True, retry_delay_s: int = 1, system_cron: bool = True
) -> Iterator[WordPress]:
    """A fresh site, served until the block ends, with the plugin installed and, with
    ``plugin``, active (not yet configured); its retry delay shortened to ``retry_delay_s``.

    ``system_cron``: WP-Cron runs from the ticker (DISABLE_WP_CRON); without it, WordPress's
    default: page views spawn it."""
    check_prerequisites()
    tag = uuid.uuid4().hex[:10]
    name, database = f"distributor-test-{tag}", f"distributor_test_{tag}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    content = workdir / "wp-content"
    for sub in ("plugins", "uploads", "mu-plugins"):
        (content / sub).mkdir(parents=True)
    shutil.copytree(PLUGIN_SOURCE, content / "plugins" / "distributor")
    (content / "mu-plugins" / "distributor-tests.php").write_text(MU_PLUGIN % retry_delay_s)
    config = CONFIG_DIR / f"config-{name}.php"
    salts = "\n".join(f"define( '{k}', '{secrets.token_hex(32)}' );" for k in SALTS)
    env = {
        **os.environ,
        "WORDPRESS_CONFIG": name,
        "WP_TEST_HOST": f"127.0.0.1:{port}",
        "WP_TEST_CONTENT_DIR": str(content),
        "PHP_CLI_SERVER_WORKERS": "4",  # the editor's request, cron and the meta box at once
    }
    _sql(f"CREATE DATABASE `{database}`")
    server: subprocess.Popen[bytes] | None = None
    ticker: _CronTicker | None = None
    try:
        cron = "true" if system_cron else "false"
        config.write_text(
            CONFIG.format(
                db=database, url=url, content=content, salts=salts, system_cron=cron, **DB
            )
        )
        site = WordPress(url, name, content, env)
        site.credentials = site.php(
            "install",
            {"title": "Distributor Test", "admin_password": PASSWORD, "email": "a@example.org"},
        )
        if plugin:
            site.php("activate", {"plugin": PLUGIN})
        log = (workdir / "php-server.log").open("wb")
        server = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(WP_ROOT), str(HERE / "router.php")],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        _wait_until_up(url, server, workdir / "php-server.log")
        # run the events wp_install left due (update checks...), as a live site's cron long has
        httpx.get(f"{url}/wp-cron.php", timeout=60)
        if system_cron:
            ticker = _CronTicker(url)
            ticker.start()
        yield site
    finally:
        if ticker is not None:
            ticker.stop()
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
        config.unlink(missing_ok=True)
        _sql(f"DROP DATABASE IF EXISTS `{database}`")


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/wp-json/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise WordPressMissing(f"WordPress did not come up at {url}:\n{log.read_text()[-3000:]}")


class _CronTicker(threading.Thread):
    """Requests /wp-cron.php every CRON_TICK_S seconds, as a system cron job would."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self._url = f"{url}/wp-cron.php"
        self._stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=60) as client:
            while not self._stopping.wait(CRON_TICK_S):
                try:
                    client.get(self._url)
                except httpx.HTTPError:
                    continue

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=70)
