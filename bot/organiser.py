"""The organisers' terminal commands: `baraza dashboard`, `export` and `facilitators`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from rich.console import Console

from bot.config import Settings
from bot.facilitator import dashboard, export
from bot.runtime import load_content, open_runner
from storage import facilitators
from storage.db import Database


async def organise(settings: Settings, args: argparse.Namespace) -> int:
    content = load_content(settings)
    runner = await open_runner(settings, content)
    try:
        code = getattr(args, "dialogue", None) or settings.default_dialogue
        if code not in runner.dialogues:
            print(f"no dialogue {code!r} (known: {', '.join(runner.dialogues)})", file=sys.stderr)
            return 2
        now = datetime.now(UTC)
        if args.command == "dashboard":
            board = await dashboard.build(runner.db, runner.dialogues[code], now)
            console = Console()
            for table in dashboard.rich_tables(board):
                console.print(table)
            console.print(dashboard.text(board), highlight=False)
            if args.chart:
                console.print(f"chart: {dashboard.chart(board, args.chart)}")
            return 0
        if args.command == "export":
            rows = await export.write(runner.db, code, args.format, args.out)
            print(f"{rows} rows written to {args.out}")
            return 0
        return await _facilitators(runner.db, args, code, now)
    finally:
        await runner.db.close()


async def _facilitators(db: Database, args: argparse.Namespace, code: str, now: datetime) -> int:
    if args.action == "list":
        for address, dialogue, since in await db.write(facilitators.listing):
            print(f"{address}\t{dialogue}\t{since}")
        return 0
    if not args.address or ":" not in args.address:
        print("give an address: telegram:<id>, tel:<E.164> or console:<name>", file=sys.stderr)
        return 2
    if args.action == "add":
        added = await db.write(lambda c: facilitators.add(c, args.address, code, now.isoformat()))
        print(f"{args.address} {'added to' if added else 'already facilitates'} {code}")
        return 0
    removed = await db.write(lambda c: facilitators.remove(c, args.address, args.dialogue))
    print(f"{args.address} removed ({removed})")
    return 0 if removed else 1
