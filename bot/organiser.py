"""The organisers' terminal commands: `baraza dashboard`, `export` and `facilitators`.

Each says what it did. A command that only reads (dashboard, export, facilitators list
and remove) refuses a database file that does not exist, naming the path: a mistyped
`--db` or `DATABASE_URL` must not quietly create an empty database and show zeros.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from rich.console import Console

from bot.config import Settings
from bot.facilitator import dashboard, export, floip
from bot.facilitator.addresses import KINDS, InvalidAddress, normalise
from bot.facilitator.commands import parse_facilitators
from bot.runtime import load_content, open_runner
from storage import facilitators
from storage.db import Database, exists, shown


def _fail(message: str) -> int:
    print(f"baraza {message}", file=sys.stderr)
    return 2


async def organise(settings: Settings, args: argparse.Namespace) -> int:
    address, invalid = None, None
    if args.command == "facilitators" and args.action != "list":
        if not args.address:
            return _fail(f"facilitators {args.action}: give an address: {KINDS}")
        try:
            address = normalise(args.address, settings.default_region)
        except InvalidAddress as exc:
            if args.action == "add":
                return _fail(f"facilitators add: {exc}")
            address, invalid = args.address.strip(), exc  # a row stored as typed may go
    target: str = args.db or settings.database_url
    creates = args.command == "facilitators" and args.action == "add"
    if not creates and not await exists(target):
        return _fail(
            f"{args.command}: no database at {shown(target)}"
            f" (give --db or set {settings.database_setting})"
        )
    content = load_content(settings)
    code = getattr(args, "dialogue", None) or settings.default_dialogue
    known = {settings.default_dialogue, *content.dialogues}
    if code not in known:
        return _fail(f"{args.command}: no dialogue {code!r} (known: {', '.join(sorted(known))})")
    runner = await open_runner(settings, content, db_path=target)
    try:
        now = datetime.now(UTC)
        lang = getattr(args, "lang", None) or settings.default_language
        d = runner.dialogues[code]
        if args.command == "dashboard":
            board = await dashboard.build(
                runner.db, d, now, lang, tr=content.tr, flows=runner.flows, page=args.page
            )
            console = Console()
            for table in dashboard.rich_tables(board):
                console.print(table, highlight=False)
            if args.chart:
                console.print(f"chart: {dashboard.chart(board, args.chart)}")
            return 0
        if args.command == "export":
            questions = await export.codebook(runner.db, d, runner.flows, content.tr)
            if args.format == "floip":
                rows = await floip.write(runner.db, d, questions, args.out, lang=lang, now=now)
                print(f"{rows} responses written to {args.out} (Flow Results package)")
                return 0
            rows = await export.write(
                runner.db, code, args.format, args.out, questions=questions, lang=lang
            )
            print(f"{rows} rows written to {args.out}")
            return 0
        if address is None:
            return await _listing(runner.db, settings, args.dialogue)
        if args.action == "add":
            return await _add(runner.db, address, args.address, code, now)
        if invalid is not None and address not in await _stored(runner.db):
            return _fail(f"facilitators remove: {invalid}")
        return await _remove(runner.db, settings, address, args.address, args.dialogue)
    finally:
        await runner.db.close()


async def _stored(db: Database) -> set[str]:
    return {address for address, _, _ in await db.read(facilitators.listing)}


async def _listing(db: Database, settings: Settings, dialogue: str | None) -> int:
    stored = [r for r in await db.read(facilitators.listing) if dialogue in (None, r[1])]
    configured = [
        (address, ", ".join(sorted(codes)) if codes is not None else "every dialogue")
        for address, codes in parse_facilitators(settings.facilitators).items()
        if dialogue is None or codes is None or dialogue in codes
    ]
    for address, code, since in stored:
        print(f"{address}\t{code}\tadded {since[:16].replace('T', ' ')} UTC")
    for address, codes in configured:
        print(f"{address}\t{codes}\tfrom FACILITATORS")
    if not stored and not configured:
        where = f" of {dialogue}" if dialogue else ""
        print(f"no facilitators{where} yet: add one with `baraza facilitators add ADDRESS`")
    return 0


async def _add(db: Database, address: str, typed: str, code: str, now: datetime) -> int:
    added = await db.write(lambda c: facilitators.add(c, address, code, now.isoformat()))
    note = f" (written {typed.strip()!r})" if address != typed.strip() else ""
    print(f"{address}{note} {'added to' if added else 'already facilitates'} {code}")
    return 0


async def _remove(
    db: Database, settings: Settings, address: str, typed: str, dialogue: str | None
) -> int:
    before = await db.read(lambda c: facilitators.dialogues_of(c, address))
    gone = [d for d in before if dialogue in (None, d)]
    if not gone:
        where = f"of {dialogue}" if dialogue else "(in this database)"
        reason = f"{address} is not a facilitator {where}"
        if address in parse_facilitators(settings.facilitators):
            reason += ": it is named in FACILITATORS; remove it there"
        elif address != typed.strip():
            reason += f" (written {typed.strip()!r})"
        print(f"baraza facilitators remove: {reason}", file=sys.stderr)
        return 1
    await db.write(lambda c: facilitators.remove(c, address, dialogue))
    print(f"{address} removed from {', '.join(gone)}")
    return 0
