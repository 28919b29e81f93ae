"""Logging for every process: a console that tells the story, or JSON lines for production.

- ``console`` (default): one short line per record, ``HH:MM:SS component message``; the
  story lines (an event accepted, a delivery's outcome, logger ``distributor.story``) read
  on their own. Celery's per-task lines (received, succeeded, retry), beat's "Sending due
  task" every few seconds and httpx's request lines are demoted to DEBUG, shown only with
  ``verbose`` (`distributor run --verbose`, ``DISTRIBUTOR_LOG_VERBOSE=true``), as are
  uvicorn's access lines.
- ``json`` (``DISTRIBUTOR_LOG_FORMAT=json``): one JSON object per record with ``timestamp``,
  ``level``, ``logger``, ``component``, ``message``, any ``extra`` fields, and the ids bound
  for the work in hand (``event_id``, ``article_id``, ``destination``: ``bind`` below, which
  the workers call around each task), on every line, the libraries' own lines included.

structlog formats the standard library's records (``ProcessorFormatter``); the code logs with
``logging.getLogger`` as before. Bot tokens stay redacted (``distributor.redact``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, WrappedLogger

from distributor.redact import RedactBotTokens

LogFormat = Literal["console", "json"]
STORY = "distributor.story"
# (logger, message prefix or "" for any INFO line): routine lines shown only when verbose
ROUTINE: tuple[tuple[str, str], ...] = (
    ("celery.app.trace", ""),
    ("celery.worker.strategy", ""),
    ("celery.beat", "Scheduler: Sending due task"),
    ("httpx", "HTTP Request:"),
    ("uvicorn.access", ""),
)


class DemoteRoutine(logging.Filter):
    """Turns a routine INFO record into DEBUG, so handlers at INFO drop it."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith(self._prefix):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def bind(**ids: str | None) -> None:
    """Put ids on every line this context logs from now on (None values are skipped)."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v})


def unbind() -> None:
    """Forget every id bound in this context."""
    structlog.contextvars.clear_contextvars()


def configure_logging(component: str, fmt: LogFormat = "console", verbose: bool = False) -> None:
    """Set the root logger of this process up (idempotent: replaces its handlers)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _component(component),
    ]
    if fmt == "json":
        renderer: list[Any] = [
            structlog.processors.dict_tracebacks,
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    else:
        renderer = [structlog.processors.format_exc_info, _console]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(RedactBotTokens())
    level = logging.DEBUG if verbose else logging.INFO
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name, prefix in ROUTINE:
        routine = logging.getLogger(name)
        routine.filters = [f for f in routine.filters if not isinstance(f, DemoteRoutine)]
        routine.addFilter(DemoteRoutine(prefix))
        routine.handlers, routine.propagate = [], True  # uvicorn installs its own
    for noisy in ("httpcore", "urllib3", "requests_oauthlib", "oauthlib", "kombu", "tweepy"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def _component(name: str) -> Any:
    def add(logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("component", name)
        return event_dict

    return add


def _console(logger: WrappedLogger, method: str, event_dict: EventDict) -> str:
    """``HH:MM:SS component [LEVEL] message`` and the traceback, if any."""
    stamp = str(event_dict.get("timestamp", ""))[11:19]
    level = str(event_dict.get("level", "info"))
    mark = "" if level == "info" else f"{level.upper()} "
    line = f"{stamp} {event_dict.get('component', ''):<7}{mark}{event_dict.get('event', '')}"
    trace = event_dict.get("exception")
    return f"{line}\n{trace}" if trace else line
