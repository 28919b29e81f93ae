"""Commands about readers: run the bot, export and import subscriptions (JSON lines)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from distributor.cli.app import AsJson, cli, container, fail
from distributor.config import get_settings

readers = typer.Typer(no_args_is_help=True, help="Export, import and count the bot's readers.")
cli.add_typer(readers, name="readers")


@cli.command()
def bot() -> None:
    """Run the readers' Telegram bot (long polling, or the API's webhook with a public URL)."""
    from distributor.bot.app import run_bot
    from distributor.redact import redact_bot_tokens
    from distributor.wiring import build_container

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per long poll otherwise
    redact_bot_tokens("httpx")
    settings = get_settings()
    settings.check_secrets()
    if not settings.has_telegram and not settings.sandbox:
        fail("the bot needs DISTRIBUTOR_TELEGRAM_TOKEN (or sandbox mode)")
    c = build_container(settings)
    try:
        run_bot(c)
    finally:
        c.close()


@readers.command("export")
def export(
    output: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Every reader with their topics, language and digest setting, one JSON object a line."""
    with container() as c:
        lines = [reader.model_dump_json() + "\n" for reader in c.subscriptions.export()]
    if output is None:
        sys.stdout.writelines(lines)
    else:
        output.write_text("".join(lines), encoding="utf-8")
        typer.echo(f"{len(lines)} readers written to {output}", err=True)


@readers.command("import")
def import_(file: Path) -> None:
    """Restore readers from an export; every line is checked before anything is written."""
    from distributor.audience.readers.subscriptions import Reader

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: {exc}")
    parsed: list[Reader] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed.append(Reader.model_validate_json(line))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            fail(f"{file} line {number}: {problems} (nothing was imported)")
    with container() as c:
        count = c.subscriptions.restore(parsed)
    typer.echo(f"{count} readers imported")


@readers.command("stats")
def stats(as_json: AsJson = False) -> None:
    """How many readers there are, and how many were removed and why."""
    with container() as c:
        count, removed = c.subscriptions.count(), c.subscriptions.removed()
    if as_json:
        typer.echo(json.dumps({"readers": count, "removed": removed}))
        return
    why = ", ".join(f"{k} {v}" for k, v in sorted(removed.items())) or "none"
    typer.echo(f"{count} readers; removed: {why}")
