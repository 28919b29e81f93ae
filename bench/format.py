"""Formatting throughput: articles per second, every destination rendered, one process.

Each article is rendered for every destination of the example routing table (two Telegram
chats, one X account) through ``distributor.formatting.render``, as the delivery tasks call it
(one call per destination, each cleaning the article itself); a second figure adds the nine
share links per article. Corpus ``mixed`` (default): the seed article and variants, every
article a distinct object with its own id and URL; one in three has an 8 KB excerpt to cut,
one in four no image (a message of up to 4,096 characters instead of a 1,024 caption), titles
with character references, an em dash, emoji and CJK, zero to seven tags. Corpus ``seed``: the
seed article only (distinct ids and URLs).

    PYTHONPATH=. .venv/bin/python bench/format.py [--corpus mixed|seed] [--articles 2000]
        [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from distributor.formatting import FormatOptions, render
from distributor.formatting.sharelinks import share_links
from distributor.formatting.templates import sample_article
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.models import Article
from distributor.publishing.routing.loader import load_routing

TITLES = [
    "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi",
    "Harga Cabai &amp; Bawang Naik Jelang Ramadan, Pedagang: &#8220;Pasokan Berkurang&#8221;",
    "Banjir Rendam 3 Desa di Muaro Jambi; BPBD Siagakan Perahu Karet dan Dapur Umum untuk "
    "Warga yang Mengungsi ke Balai Desa Sejak Selasa Malam",
    "KPU Tetapkan Jadwal Debat Kandidat — Simak Daftar Lengkapnya di Sini",
    "Festival Kuliner 🍜🔥 Jambi 2024: 日本料理 Hadir untuk Pertama Kali",
]
TAGS = [
    ["al haris", "gubernur", "rakor"],
    ["ekonomi", "harga pangan", "ramadan", "pasar", "inflasi", "cabai", "bawang"],
    ["banjir", "muaro jambi", "bpbd", "bencana"],
    [],
    ["kuliner", "festival", "日本"],
]


def corpus(size: int, kind: str = "mixed") -> list[Article]:
    """``size`` distinct articles cycling through the variants (or all seed-like)."""
    seed = sample_article()
    long_excerpt = "".join(f"<p>{seed.excerpt} Paragraf {n}.</p>" for n in range(12))
    out = []
    for n in range(size):
        variant = n % len(TITLES)
        changes: dict[str, object] = {
            "id": f"bench-{n}",
            "url": f"https://visualjambi.com/2024/02/{n % 28 + 1:02d}/berita-{n}/",
        }
        if kind == "mixed":
            changes |= {
                "title": TITLES[variant],
                "excerpt": long_excerpt if n % 3 == 0 else seed.excerpt,
                "tags": tuple(TAGS[variant]),
                "image_url": None if n % 4 == 0 else seed.image_url,
            }
        out.append(seed.model_copy(update=changes))
    return out


def run(articles: list[Article], options: FormatOptions, *, shares: bool) -> tuple[float, float]:
    """Render every article for every destination (and its share links): articles per
    second of wall-clock time, and per second of this process's CPU time (what other
    processes on the machine take from us does not count there)."""
    destinations = load_routing(EXAMPLE_ROUTING).destinations
    wall, cpu = time.perf_counter(), time.process_time()
    for article in articles:
        for destination in destinations:
            render(article, destination, options)
        if shares:
            share_links(article, options.utm_campaign, None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(articles) / wall, len(articles) / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", choices=["mixed", "seed"], default="mixed")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile one round instead")
    args = parser.parse_args()
    options = FormatOptions()  # shipped templates, loaded and checked here, not timed
    articles = corpus(args.articles, args.corpus)
    destinations = len(load_routing(EXAMPLE_ROUTING).destinations)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run, articles, options, shares=False)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return
    run(articles[:200], options, shares=True)  # warm up
    for shares in (False, True):
        rounds = [run(articles, options, shares=shares) for _ in range(args.rounds)]
        wall = [w for w, _ in rounds]
        cpu = [c for _, c in rounds]
        what = f"{destinations} destinations" + (" + 9 share links" if shares else "")
        print(
            f"{args.corpus}, {args.articles} articles × {what}: median "
            f"{statistics.median(wall):,.0f} articles/s, best {max(wall):,.0f} "
            f"(per CPU second: median {statistics.median(cpu):,.0f})"
        )


if __name__ == "__main__":
    main()
