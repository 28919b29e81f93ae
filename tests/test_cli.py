"""`distributor preview --json FILE` prints what the default destinations would get."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.processes import child_env
from tests.support.redis import REDIS_URL

SAMPLE = Path(__file__).parent / "fixtures" / "sample_article.json"


def test_preview_json_has_the_issue_shape() -> None:
    env = child_env()
    out = subprocess.run(
        [sys.executable, "-m", "distributor", "preview", "--json", str(SAMPLE)],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert set(result) == {"telegram", "x", "share_links"}
    assert result["telegram"]["method"] == "sendPhoto" and "caption" in result["telegram"]
    assert "#AlHaris" in result["x"]["text"]
    assert result["share_links"]["whatsapp"].startswith("https://")


def test_preview_of_an_invalid_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "url": "javascript:alert(1)", "title": "t"}))
    out = subprocess.run(
        [sys.executable, "-m", "distributor", "preview", "--json", str(bad)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2
    assert "url" in out.stderr and "javascript" in out.stderr


def test_trending_on_an_empty_board_says_how_articles_get_there(tmp_path: Path) -> None:

    env = child_env()
    env.update(DISTRIBUTOR_REDIS_URL=REDIS_URL, DISTRIBUTOR_NAMESPACE=f"cli-{tmp_path.name}")
    out = subprocess.run(
        [sys.executable, "-m", "distributor", "trending", "--window", "today"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert "Nothing is trending on the 'today' board yet" in out.stdout
    assert "share links" in out.stdout
