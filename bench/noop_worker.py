"""Bare Celery for the pipeline bench: a no-op task on the distributor's own Celery settings and
`distributor worker` flags (acks_late, prefetch 1, same queues, pool and concurrency).

    python -m bench.noop_worker CONCURRENCY POOL      (environment as for `distributor worker`)
"""

from __future__ import annotations

import sys

from distributor.config import Settings
from workers.app import create_celery, worker_argv

NOOP = "bench.noop"


def main(concurrency: int, pool: str) -> None:
    """Run the bare worker until stopped."""
    app = create_celery(Settings())

    @app.task(name=NOOP)
    def noop() -> None:
        return None

    app.worker_main(worker_argv(None, concurrency, pool))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
