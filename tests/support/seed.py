"""Build the seed Article from the saved WordPress page (../shared/seeds), not by hand."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SEED_PAGE = Path(__file__).parent.parent / "fixtures" / "seed_page.txt"
SITE = "https://visualjambi.com"
WIB = timezone(timedelta(hours=7))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def seed_article_dict(article_id: str = "20240201-rakor", revision: int = 1) -> dict[str, Any]:
    """The seed article as an ``article`` object (docs/architecture.md, "Event")."""
    lines = [line.strip() for line in SEED_PAGE.read_text(encoding="utf-8").splitlines()]
    by = next(i for i, line in enumerate(lines) if line.startswith("by "))
    title = next(line for line in reversed(lines[:by]) if line)
    author = lines[by][3:].strip()
    day, month, year = (int(p) for p in lines[by + 1].split("/"))
    category = lines[by + 2].removeprefix("in ").strip()
    body_start = next(i for i in range(by, len(lines)) if lines[i].startswith("VisualJambi"))
    paragraphs = [line for line in lines[body_start : body_start + 6] if line][:2]
    tags_line = next(line for line in lines if line.startswith("Tags:"))
    # the page runs tag links together ("al harisgubernurrakor"); the CMS knows them apart
    tags = _split_tags(tags_line.removeprefix("Tags:").strip())
    return {
        "id": article_id,
        "url": f"{SITE}/{year}/{month:02d}/{day:02d}/{_slug(title)}/",
        "title": title,
        "excerpt": "".join(f"<p>{p}</p>" for p in paragraphs),
        "author": author,
        "category": category,
        "tags": tags,
        "image_url": f"{SITE}/wp-content/uploads/{year}/{month:02d}/{_slug(title)[:40]}.jpg",
        "published_at": datetime(year, month, day, 9, 30, tzinfo=WIB).isoformat(),
        "revision": revision,
    }


def _split_tags(run: str) -> list[str]:
    known = ["al haris", "gubernur", "rakor"]
    out: list[str] = []
    rest = run
    while rest:
        tag = next((k for k in known if rest.startswith(k)), None)
        if tag is None:
            out.append(rest)
            break
        out.append(tag)
        rest = rest[len(tag) :]
    return out


def seed_event(kind: str = "article.published", **kw: Any) -> dict[str, Any]:
    """An event envelope around the seed article."""
    return {"type": kind, "article": seed_article_dict(**kw)}
