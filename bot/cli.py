"""`baraza`: run, chat, check, dashboard, export, facilitators (see README)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings, redact, secrets

log = logging.getLogger("baraza")
DB_HELP = "an SQLite file or a database URL (default: DATABASE_URL)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baraza", description="Dialogue flows over Telegram, SMS and the console."
    )
    parser.add_argument(
        "--debug", action="store_true", help="on an error, show the traceback; log DEBUG lines"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="serve every channel configured in .env (else the console)")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (or pipe lines in)")
    chat.add_argument("--flow", help="start this flow instead of the dialogue's first one")
    chat.add_argument("--lang", help="language hint, as a phone would give (e.g. fr)")
    chat.add_argument("--db", help=DB_HELP)
    chat.add_argument(
        "--as", dest="as_", metavar="NAME", help="who you are (default: your user name)"
    )

    check = sub.add_parser("check", help="validate flows and locales")
    check.add_argument(
        "paths", nargs="*", type=Path, help="flow files or folders (default: flows/)"
    )
    check.add_argument("--locales", type=Path, help="locales folder (default: LOCALES_DIR)")
    check.add_argument("--sms", action="store_true", help="also show SMS segments per step")
    _organiser_commands(sub)
    _database_commands(sub)
    return parser


def _database_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="upgrade a database, or copy one to another (e.g. to PostgreSQL)")
    actions = db.add_subparsers(dest="action", required=True)
    up = actions.add_parser("upgrade", help="apply the migrations this version brings")
    up.add_argument("--db", help=DB_HELP)
    cp = actions.add_parser(
        "copy", help="copy every row to an empty database (both upgraded first); counts checked"
    )
    cp.add_argument("--from", dest="source", help="copy from (default: DATABASE_URL)")
    cp.add_argument("--to", dest="target", required=True, help="copy to, e.g. postgresql://...")


def _organiser_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dash = sub.add_parser("dashboard", help="the dashboard of a dialogue, in the terminal")
    dash.add_argument("--dialogue", help="dialogue code (default: DEFAULT_DIALOGUE)")
    dash.add_argument("--chart", type=Path, help="also write the PNG chart here")
    dash.add_argument("--lang", help="language, e.g. fr (default: DEFAULT_LANGUAGE)")
    dash.add_argument("--page", type=int, default=1, help="page of prompts and polls")
    dash.add_argument("--db", help=DB_HELP)

    exp = sub.add_parser(
        "export", help="answers of a dialogue, pseudonymous: CSV, JSON, JSONL or FLOIP"
    )
    exp.add_argument("--dialogue", help="dialogue code (default: DEFAULT_DIALOGUE)")
    exp.add_argument(
        "--format",
        choices=("csv", "json", "jsonl", "floip"),
        default="csv",
        help="csv, json (one list of objects), jsonl (JSON Lines: one object a line) or floip"
        " (a Flow Results package: a folder, or a .zip)",
    )
    exp.add_argument("--out", type=Path, required=True, help="file (floip: folder or .zip)")
    exp.add_argument(
        "--lang", help="language of questions and labels, e.g. fr (default: DEFAULT_LANGUAGE)"
    )
    exp.add_argument("--db", help=DB_HELP)

    fac = sub.add_parser("facilitators", help="add, remove or list facilitators")
    fac.add_argument("action", choices=("add", "remove", "list"))
    fac.add_argument(
        "address",
        nargs="?",
        help="telegram:<user id>, tel:<phone number> (DEFAULT_REGION applies) or console:<name>",
    )
    fac.add_argument("--dialogue", help="dialogue code (default: DEFAULT_DIALOGUE)")
    fac.add_argument("--db", help=DB_HELP)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.check import check_paths

    paths = args.paths or [settings.flows_dir]
    problems = check_paths(paths, args.locales or settings.locales_dir)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"ok: {', '.join(str(p) for p in paths)}")
    if args.sms:
        from bot.sms_report import report

        return report(paths, args.locales or settings.locales_dir, settings)
    return 0


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.console.chat import Console
    from bot.runtime import load_content, open_runner

    content = load_content(settings)
    runner = await open_runner(settings, content, db_path=args.db, start_flow=args.flow)
    try:
        name = args.as_ or getpass.getuser() or "me"
        await Console(runner, name, lang_hint=args.lang).run()
    finally:
        await runner.db.close()
    return 0


async def _run(settings: Settings) -> int:
    from bot.runtime import load_content
    from bot.serve import serve, serve_console

    content = load_content(settings)
    if not (settings.telegram_enabled or settings.twilio_enabled or settings.whatsapp_enabled):
        return await serve_console(settings, content, getpass.getuser() or "me")
    return await serve(settings, content)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A bad setting, an unusable file, a taken port, a refused token or
    an unreachable provider ends in one `baraza: ...` line and exit code 2 (`--debug`
    also shows the traceback and DEBUG logs). Secrets never reach the output."""
    given = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in given
    if debug:  # accepted anywhere on the line
        given = ["--debug", *(a for a in given if a != "--debug")]
    args = _parser().parse_args(given)
    hidden: dict[str, str] = {}
    _logging(args.command, debug, hidden)
    from bot.runtime import InvalidContent
    from storage.db import Unusable

    setting = "DATABASE_URL"
    try:
        settings = load_settings()
        setting = settings.database_setting
        hidden.update(secrets(settings))
        return _dispatch(settings, args)
    except InvalidContent as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print("baraza will not start on invalid flows or texts (see above).", file=sys.stderr)
        return 2
    except ConfigError as exc:
        return _fail(str(exc).splitlines(), debug, hidden)
    except Unusable as exc:
        source = f"{setting}="
        if getattr(args, "db", None):
            source = "--db "
        elif getattr(args, "source", None) or getattr(args, "target", None):
            source = ""  # `db copy` names both ends itself
        return _fail([f"{source}{exc}"], debug, hidden)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `baraza chat | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file or folder this user cannot write (export --out...)
        return _fail([_os_problem(exc, args)], debug, hidden)


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(settings, args)
    if args.command == "chat":
        return asyncio.run(_chat(settings, args))
    if args.command == "run":
        from bot.serve import loop_factory

        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            return runner.run(_run(settings))
    if args.command in ("dashboard", "export", "facilitators"):
        from bot.organiser import organise

        return asyncio.run(organise(settings, args))
    if args.command == "db":
        from bot.db_commands import run_db_command

        return asyncio.run(run_db_command(settings, args))
    return 2


OUTPUT_OPTIONS = {"export": "out", "dashboard": "chart"}
"""Commands that write a file the user names, and the option naming it."""


def _os_problem(exc: OSError, args: argparse.Namespace) -> str:
    what = exc.strerror or type(exc).__name__
    option = OUTPUT_OPTIONS.get(args.command)
    target = getattr(args, option, None) if option else None
    if option and target is not None:
        return (
            f"--{option} {target}: cannot write it ({what}); choose a place this user can write to"
        )
    if exc.filename is not None:
        return f"{exc.filename}: {what}; check that this user may use it"
    return f"{exc}; run with --debug for details"


def _fail(lines: list[str], debug: bool, hidden: dict[str, str]) -> int:
    """Print `baraza: <line>` for each problem (the traceback first with --debug)."""
    if debug:
        print(redact(traceback.format_exc(), hidden), file=sys.stderr, end="")
    for line in lines:
        print(f"baraza: {redact(line, hidden)}", file=sys.stderr)
    return 2


class _Redacting(logging.Formatter):
    """Log lines (tracebacks included) with every secret masked."""

    def __init__(self, fmt: str, hidden: dict[str, str]) -> None:
        super().__init__(fmt)
        self.hidden = hidden

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.hidden)


def _logging(command: str, debug: bool, hidden: dict[str, str]) -> None:
    """Log lines to stderr, secrets masked (unless a host, e.g. pytest, set up logging)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s", hidden))
        root.addHandler(handler)
        root.setLevel(
            logging.DEBUG if debug else logging.INFO if command == "run" else logging.WARNING
        )
        if not debug:
            # Its one message is a traceback with a whole web page in it, for an answer
            # that was not Bot API JSON; the TelegramError raised next says it in one line.
            logging.getLogger("telegram.request").setLevel(logging.CRITICAL)
    if not debug:
        logging.getLogger("httpx").setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
