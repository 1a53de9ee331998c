"""`baraza db upgrade` and `baraza db copy --from ... --to ...` (see README: Running at scale)."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from storage import admin
from storage.db import shown


async def run_db_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        target = args.db or settings.database_url
        before, after = await admin.upgrade(target)
        new = sorted(after - before)
        if not new:
            print(f"{shown(target)}: all {len(after)} migrations applied, nothing to do")
        else:
            print(f"{shown(target)}: applied {len(new)} migrations: {', '.join(new)}")
        return 0
    source = args.source or settings.database_url
    try:
        counted = await admin.copy(
            source, args.target, progress=lambda line: print(line, file=sys.stderr)
        )
    except admin.CopyRefused as exc:
        print(f"baraza db copy: {exc}", file=sys.stderr)
        return 2
    for line in admin.report(counted):
        print(line)
    wrong = [c for c in counted if c.source != c.target]
    if wrong:
        print(f"baraza db copy: {len(wrong)} tables do not match (see above)", file=sys.stderr)
        return 1
    total = sum(c.target for c in counted)
    print(f"copied {total:,} rows from {shown(source)} to {shown(args.target)}; counts match")
    return 0
