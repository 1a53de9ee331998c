"""`baraza`: run, chat, check, dashboard, export, facilitators (see README)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import LANGUAGES, ConfigError, Settings

log = logging.getLogger("baraza")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baraza", description="Dialogue flows over Telegram, SMS and the console."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="serve every channel configured in .env (else the console)")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (or pipe lines in)")
    chat.add_argument("--flow", help="start this flow instead of the dialogue's first one")
    chat.add_argument("--lang", choices=LANGUAGES, help="language hint, as a phone would give")
    chat.add_argument("--db", type=Path, help="SQLite file (default: DATABASE_PATH)")
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
    return parser


def _organiser_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dash = sub.add_parser("dashboard", help="the dashboard of a dialogue, in the terminal")
    dash.add_argument("--dialogue", help="dialogue code (default: DEFAULT_DIALOGUE)")
    dash.add_argument("--chart", type=Path, help="also write the PNG chart here")

    exp = sub.add_parser("export", help="answers of a dialogue, pseudonymous, as CSV or JSON")
    exp.add_argument("--dialogue", help="dialogue code (default: DEFAULT_DIALOGUE)")
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("--out", type=Path, required=True, help="file to write")

    fac = sub.add_parser("facilitators", help="add, remove or list facilitators")
    fac.add_argument("action", choices=("add", "remove", "list"))
    fac.add_argument("address", nargs="?", help="telegram:<id>, tel:<E.164> or console:<name>")
    fac.add_argument("--dialogue", help="dialogue code (default: DEFAULT_DIALOGUE)")


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
    from bot.channels.console import Console
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
    if not (settings.telegram_enabled or settings.twilio_enabled):
        print(
            "No Telegram or Twilio settings in .env: running the console channel.", file=sys.stderr
        )
        return await serve_console(settings, content, getpass.getuser() or "me")
    return await serve(settings, content)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.INFO if args.command == "run" else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = Settings()
    from bot.runtime import InvalidContent

    try:
        if args.command == "check":
            return _check(settings, args)
        if args.command == "chat":
            return asyncio.run(_chat(settings, args))
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command in ("dashboard", "export", "facilitators"):
            from bot.organiser import organise

            return asyncio.run(organise(settings, args))
    except InvalidContent as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print("baraza will not start on invalid flows or texts (see above).", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"baraza: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `baraza chat | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
