"""`dialogs-bot` — the command line of the contract (DESIGN §3)."""

from __future__ import annotations

import argparse
import asyncio
import codecs
import logging
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from datetime import time as dt_time
from pathlib import Path

from pydantic import ValidationError

from bot.logs import LOG_FORMAT, configure_logging
from bot.settings import Settings
from connectors.chatwoot import ChatwootError
from connectors.sync import NEEDS, ChatwootSync, SyncReport
from db.chatwoot_queue import FAILING_AFTER, queue_state
from db.counters import dialog_total
from db.demo import generate_dialogs
from db.dialogs import list_employees
from db.engine import Database, DatabaseUrlError, shown_url
from db.errors import ArchiveReplaced
from db.importer import FileUnreadable, ImportReport, ImportStopped, Progress, import_file, store_records
from db.integrity import ZONE, find_disagreements, repair
from db.migrate import upgrade
from db.stats import ensure_stats
from db.tokens import NAME, TokenNameTaken, add_token, list_tokens, revoke_token
from db.users import EmployeeNotFound, Role, add_user, find_employee, linked_employee, list_users, remove_user

SHOWN_REJECTIONS = 50  # the rest are counted; a broken export should not flood the terminal
# Exit codes besides 0 (README, "Importing data"); 2, a bad usage or setting, is `main`'s.
REJECTED = 1  # import: some lines were rejected (the rest are stored); check: something disagrees
UNREADABLE = 3  # import: the file cannot be read (at all, or after the line it names)
UNWRITABLE = 4  # import: the database could not be written (a full disk…): the message says what is stored
ENCODING_NAMES = {"cp1251": "cp1251 (Windows Cyrillic)", "utf-16": "UTF-16", "utf-32": "UTF-32"}


class CommandError(Exception):
    """A problem to report in one line, without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _load_settings()
        return int(args.handler(settings, args))
    except CommandError as error:
        print(f"dialogs-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dialogs-bot: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dialogs-bot", description="The dialog list of a CRM in Telegram.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate = commands.add_parser(
        "migrate",
        help="bring the database schema up to date, and repair the totals and statistics where they"
        " disagree with the dialogs",
    )
    migrate.set_defaults(handler=_migrate)
    check = commands.add_parser(
        "check", help="report whether the totals and statistics agree with the dialogs (repairs nothing)"
    )
    check.set_defaults(handler=_check)

    load = commands.add_parser(
        "import", help="load dialogs from JSON Lines (.jsonl) or CSV; idempotent by id"
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument(
        "--encoding",
        type=_encoding,
        default=None,
        metavar="NAME",
        help="the file's encoding, e.g. cp1251 (default: UTF-8, or what the file shows beyond doubt)",
    )
    load.add_argument(
        "--delimiter",
        type=_delimiter,
        default=None,
        metavar="CHAR",
        help="a CSV file's delimiter: ',', ';' or tab (default: told by its first line)",
    )
    load.set_defaults(handler=_import)

    demo = commands.add_parser("demo-data", help="fill the database with realistic synthetic dialogs")
    demo.add_argument("--dialogs", type=_positive, default=5000, metavar="N", help="how many (default 5000)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="same seed, same data (default 1)")
    demo.add_argument(
        "--until",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the last day of the two years of dialogs (default: now)",
    )
    demo.add_argument("--no-transcripts", action="store_true", help="skip the conversations themselves")
    demo.set_defaults(handler=_demo_data)

    run = commands.add_parser("run", help="start the bot (long polling); applies pending migrations first")
    run.set_defaults(handler=_run)
    trial = commands.add_parser(
        "try",
        help="the bot on demo data against a built-in local Telegram, shown in the browser (no token)",
    )
    trial.add_argument(
        "--port", type=_port, default=8080, metavar="PORT", help="the page's port on 127.0.0.1 (default 8080)"
    )
    trial.add_argument(
        "--dialogs",
        type=_positive,
        default=20000,
        metavar="N",
        help="demo dialogs to make when the demo's archive is empty (default 20000)",
    )
    trial.add_argument(
        "--archive",
        type=Path,
        default=None,
        metavar="FILE",
        help="the demo's own archive (default dialogs-try.db; never the real DATABASE_URL)",
    )
    trial.set_defaults(handler=_try)

    users = commands.add_parser("users", help="who may use the bot").add_subparsers(
        dest="users_command", required=True, metavar="ACTION"
    )
    add = users.add_parser("add", help="allow a Telegram user, or change their role")
    add.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--name", default=None, help="a note for the list, e.g. the person's name")
    add.add_argument(
        "--employee",
        default=None,
        metavar="NAME",
        help="a manager's own name as the archive's «Кто завершил» has it: with MANAGER_SCOPE=own they see"
        " that employee's dialogs only (without it a manager is not linked)",
    )
    add.set_defaults(handler=_users_add)
    listing = users.add_parser("list", help="everyone allowed, with their roles")
    listing.set_defaults(handler=_users_list)
    remove = users.add_parser("remove", help="take access away")
    remove.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    remove.set_defaults(handler=_users_remove)

    tokens = commands.add_parser("tokens", help="tokens of the ingestion API").add_subparsers(
        dest="tokens_command", required=True, metavar="ACTION"
    )
    make = tokens.add_parser("add", help="make a token; it is printed once, alone on the last line")
    make.add_argument("name", type=_token_name, metavar="NAME", help="who or what uses it, e.g. crm")
    make.set_defaults(handler=_tokens_add)
    tokens.add_parser("list", help="the tokens: names and dates, never the secret").set_defaults(
        handler=_tokens_list
    )
    revoke = tokens.add_parser("revoke", help="stop accepting a token")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=_tokens_revoke)

    sync = commands.add_parser("sync", help="the Chatwoot connector's queue").add_subparsers(
        dest="sync_command", required=True, metavar="ACTION"
    )
    chatwoot = sync.add_parser(
        "chatwoot", help="fetch the conversations resolved in Chatwoot (again, if they are in the archive)"
    )
    chatwoot.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="only those last active on or after that day"
    )
    chatwoot.set_defaults(handler=_sync_chatwoot)
    sync.add_parser("status", help="what waits in the queue, and what keeps failing").set_defaults(
        handler=_sync_status
    )
    return parser


def _token_name(value: str) -> str:
    if not NAME.fullmatch(value):
        raise argparse.ArgumentTypeError("up to 100 letters, digits and . _ @ -, e.g. crm or chatwoot")
    return value


def _port(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError("must be a port number, 1–65535")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return number


def _date(value: str) -> datetime:
    """The day's 23:59 UTC."""
    return datetime.combine(_day(value), dt_time(23, 59), UTC)


def _day(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date like 2026-11-25") from None


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            (f"{'.'.join(str(part) for part in issue['loc']).upper()}: " if issue["loc"] else "")
            + issue["msg"].removeprefix("Value error, ")
            for issue in error.errors()
        )
        raise CommandError(f"bad setting: {problems}") from None


def _open_database(
    settings: Settings, *, bulk: bool = False, background_checkpoints: bool = False
) -> Database:
    try:
        database = Database(settings.database_url, bulk=bulk, background_checkpoints=background_checkpoints)
    except DatabaseUrlError as error:
        raise CommandError(str(error)) from None
    try:
        upgrade(database)
    except Exception as error:  # a file that is not a database, a folder that does not exist, ...
        raise CommandError(f"cannot open the database {shown_url(settings.database_url)}: {error}") from None
    return database


def _encoding(value: str) -> str:
    try:
        "id".encode(value)  # LookupError for unknown names, and for codecs that are not text (base64)
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {value!r} (cp1251, utf-8, koi8-r…)") from None
    return codecs.lookup(value).name


def _delimiter(value: str) -> str:
    delimiter = "\t" if value.lower() in ("tab", "\\t") else value
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise argparse.ArgumentTypeError("must be one character, such as ',' or ';', or tab")
    return delimiter


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    # the bulk connection's settings: the check reads every dialog once, sorting in temporary files
    database = _open_database(settings, bulk=True)
    started = time.monotonic()
    repaired = database.run(repair, settings.zone)
    database.sync_engine.dispose()
    print("The database schema is up to date.")
    seconds = time.monotonic() - started
    for disagreement in repaired:
        if disagreement.what == ZONE:
            print(f"Counted the statistics in {settings.timezone} in {seconds:.1f} s.")
        else:
            print(f"Repaired {disagreement.what} ({disagreement.detail}).")
    return 0


def _check(settings: Settings, _args: argparse.Namespace) -> int:
    database = _open_database(settings, bulk=True)
    found = database.run(find_disagreements, settings.zone)
    database.sync_engine.dispose()
    if not found:
        print("The totals and statistics agree with the dialogs.")
        return 0
    for disagreement in found:
        print(f"Disagrees with the dialogs: {disagreement.what} ({disagreement.detail}).")
    print("dialogs-bot migrate repairs it.")
    return REJECTED


def _import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"dialogs-bot: cannot read {path}: no such file", file=sys.stderr)
        return UNREADABLE
    database = _open_database(settings, bulk=True)
    size = path.stat().st_size
    started = time.monotonic()
    try:
        report = import_file(
            database.sync_engine,
            path,
            region=settings.phone_region,
            local_tz=settings.zone,
            encoding=args.encoding,
            delimiter=args.delimiter,
            progress=_progress_printer(size) if sys.stderr.isatty() else None,
        )
    except ImportStopped as stopped:
        if stopped.report.lines or stopped.report.complete_through:  # it got as far as some lines
            _print_report(stopped.report, time.monotonic() - started)
        print(f"dialogs-bot: {stopped}", file=sys.stderr)
        if stopped.report.lines or not isinstance(stopped, FileUnreadable):
            print(_what_is_stored(stopped.report), file=sys.stderr)
        return UNREADABLE if isinstance(stopped, FileUnreadable) else UNWRITABLE
    finally:
        database.sync_engine.dispose()
    _print_report(report, time.monotonic() - started)
    return REJECTED if report.rejected else 0


def _what_is_stored(report: ImportReport) -> str:
    again = "import the file again: what is stored already is updated, not added twice"
    if not report.complete_through:
        return f"Nothing of the file is stored; when the cause is mended, {again}."
    return (
        f"Every line up to line {report.complete_through:,} is stored or rejected above; nothing after it"
        f" is stored. When the cause is mended, {again}."
    )


def _progress_printer(size: int) -> Progress:
    def show(lines: int, position: int) -> None:
        share = f" ({position * 100 // size}%)" if size else ""
        print(f"\rImporting… {lines:,} lines{share}", end="", file=sys.stderr, flush=True)

    return show


def _print_report(report: ImportReport, seconds: float) -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if report.encoding:
        name = ENCODING_NAMES.get(report.encoding, report.encoding)
        print(f"The file is not UTF-8: read as {name}, which it shows beyond doubt.", file=sys.stderr)
    for rejection in report.rejected[:SHOWN_REJECTIONS]:
        lines = f"lines {rejection.line}–{rejection.last}" if rejection.last else f"line {rejection.line}"
        print(f"{lines}: {rejection.reason}", file=sys.stderr)
    if len(report.rejected) > SHOWN_REJECTIONS:
        print(f"… and {len(report.rejected) - SHOWN_REJECTIONS:,} more rejected lines", file=sys.stderr)
    print(
        f"Added {report.added:,}, updated {report.updated:,}, rejected {len(report.rejected):,}"
        f" in {seconds:.1f} s."
    )


def _demo_data(settings: Settings, args: argparse.Namespace) -> int:
    database = _open_database(settings, bulk=True)
    _store_demo(database, settings, args.dialogs, args.seed, args.until, transcripts=not args.no_transcripts)
    database.sync_engine.dispose()
    return 0


def _store_demo(
    database: Database,
    settings: Settings,
    dialogs: int,
    seed: int,
    until: datetime | None,
    *,
    transcripts: bool,
) -> None:
    anchor = until or datetime.now(UTC).replace(microsecond=0)
    started = time.monotonic()
    records = generate_dialogs(dialogs, seed, anchor=anchor, transcripts=transcripts)
    stored = store_records(database.sync_engine, records, zone=settings.zone, expected=dialogs)
    print(f"Stored {stored:,} demo dialogs in {time.monotonic() - started:.1f} s.")


def _run(settings: Settings, _args: argparse.Namespace) -> int:
    # aiogram is imported here, not at the top: it costs the other commands ~3 s and ~70 MB for nothing
    from aiogram.exceptions import TelegramNotFound, TelegramUnauthorizedError
    from aiogram.utils.token import TokenValidationError, validate_token
    from yarl import URL

    from bot.app import run_service
    from bot.logs import redact
    from bot.runtime import UnusableApiUrl
    from bot.server import ListenError
    from bot.webhook import WebhookRefused

    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise CommandError(
            "BOT_TOKEN is not set; get a token from @BotFather and put it in the environment or .env"
        )
    token = settings.bot_token.get_secret_value().strip()
    try:
        validate_token(token)
    except TokenValidationError:
        raise CommandError("BOT_TOKEN is not a bot token (it looks like 123456:ABC-DEF…)") from None
    url = settings.telegram_api_url
    try:  # aiohttp would name the whole request URL, token and all, in its error
        URL(url)
    except ValueError as error:
        raise CommandError(f"TELEGRAM_API_URL is not a valid URL: {url}: {error}") from None
    configure_logging(token)
    database = _open_database(settings, background_checkpoints=True)  # run_service runs them
    # a new archive, the first start after an upgrade, another TIMEZONE: seconds at a million dialogs
    if database.run(ensure_stats, settings.zone):
        logging.getLogger(__name__).info("counted the statistics in %s", settings.timezone)
    # Telegram or the network being down is no reason to exit: run_service waits for them (a service);
    # what waiting cannot mend ends the command with one line, and nothing said carries the token
    try:
        asyncio.run(run_service(settings, database, token))
    except TelegramUnauthorizedError:
        raise CommandError("Telegram does not accept BOT_TOKEN: check it with @BotFather") from None
    except TelegramNotFound as error:
        said = redact(error.message, token)
        raise CommandError(f"{url} is not a Bot API server (getMe: {said}); check TELEGRAM_API_URL") from None
    except UnusableApiUrl as error:
        raise CommandError(f"TELEGRAM_API_URL cannot be requested: {url}: {error.message}") from None
    except ListenError as error:
        raise CommandError(f"{error}; set HTTP_HOST and HTTP_PORT") from None
    except WebhookRefused as error:
        raise CommandError(f"Telegram refused WEBHOOK_URL {settings.webhook_url}: {error}") from None
    except ArchiveReplaced:  # logged with what was done about it; the next start opens the file now there
        print("dialogs-bot: stopped: the database file was replaced or removed", file=sys.stderr)
        return 1
    except Exception:  # a bug: the traceback goes through the log, whose filter takes the token out
        logging.getLogger(__name__).exception("the bot stopped on an error")
        return 1
    return 0


def _try(settings: Settings, args: argparse.Namespace) -> int:
    from bot.trying import ARCHIVE, HEAD, MANAGER, TOKEN, PortTaken, serve_try, try_settings

    archive: Path = args.archive or ARCHIVE
    real = settings.database_url.partition(":///")[2]
    if real and Path(real).resolve() == archive.resolve():
        raise CommandError(f"{archive} is the real archive (DATABASE_URL); name another with --archive")
    settings = try_settings(settings, archive)
    database = _open_database(settings, bulk=True)
    if database.run(dialog_total) == 0:
        print(f"Making {args.dialogs:,} demo dialogs in {archive} (once: it keeps them)…")
        _store_demo(database, settings, args.dialogs, seed=1, until=None, transcripts=True)
    database.run(add_user, HEAD.id, Role.HEAD, HEAD.first_name)
    # the manager is linked to the demo's first employee, so that MANAGER_SCOPE=own shows them theirs
    first = next(iter(database.run(list_employees)), None)
    database.run(add_user, MANAGER.id, Role.MANAGER, MANAGER.first_name, first[0] if first else None)
    database.run(ensure_stats, settings.zone)
    database.sync_engine.dispose()
    database = _open_database(settings, background_checkpoints=True)

    def ready(address: str) -> None:
        print(f"Open {address} in a browser: the bot on {archive}, no token, no network. Ctrl-C stops it.")

    configure_logging(TOKEN)
    try:
        asyncio.run(serve_try(settings, database, args.port, ready=ready))
    except PortTaken as error:
        raise CommandError(f"{error}; choose another with --port") from None
    return 0


def _users_add(settings: Settings, args: argparse.Namespace) -> int:
    role = Role(args.role)
    if args.employee is not None and not role.may_be_linked:
        raise CommandError(f"--employee is for managers: a {role.value} sees every dialog")
    if args.employee is not None and not args.employee.strip():
        raise CommandError("--employee needs the employee's name, as the archive's «Кто завершил» has it")
    database = _open_database(settings)
    employee_id, employee = None, None
    if args.employee is not None:
        try:
            employee_id, employee = database.run(find_employee, args.employee)
        except EmployeeNotFound as error:
            raise CommandError(_no_such_employee(error)) from None
    before = database.run(linked_employee, args.telegram_id)
    new = database.run(add_user, args.telegram_id, role, args.name, employee_id)
    said = f"{'Added' if new else 'Updated'} {args.telegram_id} as {args.role}"
    if employee is not None:
        said += f", linked to {employee}"
    elif before is not None:
        said += f", no longer linked to {before}"
    print(f"{said}.")
    if role.may_be_linked and employee is None and settings.managers_see_own:
        print(
            "Not linked to an employee: with MANAGER_SCOPE=own they see no dialogs until linked (--employee)."
        )
    return 0


def _no_such_employee(error: EmployeeNotFound) -> str:
    if error.candidates:
        return (
            f"more than one employee is named like {error.name!r}: give the name exactly as the archive's"
            " «Кто завершил» column shows it"
        )
    return (
        f"no employee is named {error.name!r} in the archive: give the name as the «Кто завершил» column"
        " shows it (an employee appears there once a dialog they completed is imported)"
    )


def _users_list(settings: Settings, _args: argparse.Namespace) -> int:
    database = _open_database(settings)
    users = database.run(list_users)
    admins = sorted(settings.admin_ids)
    if not users and not admins:
        print("Nobody may use the bot yet: dialogs-bot users add TELEGRAM_ID --role admin|head|manager")
    for telegram_id in admins:
        print(f"{telegram_id:>12}  admin    (ADMIN_IDS)")
    for user in users:
        line = f"{user.telegram_id:>12}  {user.role.value:<8} {user.name or ''}".rstrip()
        if user.employee is not None:
            line += f"  (employee: {user.employee})"
        elif user.role.may_be_linked and settings.managers_see_own:
            line += "  (not linked to an employee: sees no dialogs)"
        print(line)
    return 0


def _users_remove(settings: Settings, args: argparse.Namespace) -> int:
    database = _open_database(settings)
    if not database.run(remove_user, args.telegram_id):
        raise CommandError(f"{args.telegram_id} is not among the users")
    note = " (still an admin through ADMIN_IDS)" if args.telegram_id in settings.admin_ids else ""
    print(f"Removed {args.telegram_id}{note}.")
    return 0


def _tokens_add(settings: Settings, args: argparse.Namespace) -> int:
    database = _open_database(settings)
    try:
        token = database.run(add_token, args.name)
    except TokenNameTaken:
        raise CommandError(f"a token named {args.name} exists already (revoked names stay taken)") from None
    print(f"Made the token {args.name}. It is shown only now: keep it where the caller reads it.")
    print(token)
    return 0


def _tokens_list(settings: Settings, _args: argparse.Namespace) -> int:
    database = _open_database(settings)
    tokens = database.run(list_tokens)
    if not tokens:
        print("No tokens yet: dialogs-bot tokens add NAME")
    for token in tokens:
        used = f"last used {_when(token.last_used_at)}" if token.last_used_at else "never used"
        state = f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active"
        print(f"{token.name}  made {_when(token.created_at)}, {used}, {state}")
    return 0


def _tokens_revoke(settings: Settings, args: argparse.Namespace) -> int:
    database = _open_database(settings)
    if not database.run(revoke_token, args.name):
        raise CommandError(f"no active token is named {args.name}")
    print(f"Revoked {args.name}: requests with it are refused from now on.")
    return 0


def _sync_chatwoot(settings: Settings, args: argparse.Namespace) -> int:
    chatwoot = settings.chatwoot()
    if chatwoot is None:
        raise CommandError(f"the Chatwoot connector is off: {NEEDS}")
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    database = _open_database(settings)
    sync = ChatwootSync(database, chatwoot)
    day: date | None = args.since
    since = (
        datetime(2000, 1, 1, tzinfo=UTC) if day is None else datetime.combine(day, dt_time(), settings.zone)
    )

    async def backfill() -> tuple[int, SyncReport]:
        try:
            listed = await sync.backfill(since)
        except ChatwootError as error:
            raise CommandError(f"{error}; the conversations listed before it are queued") from None
        print(f"Chatwoot lists {listed:,} resolved conversations{_since(day)}; fetching them.", flush=True)
        return listed, await sync.drain()

    try:
        _listed, report = asyncio.run(backfill())
    finally:
        asyncio.run(database.dispose())
    print(
        f"Stored {report.stored:,} conversations: {report.added:,} new dialogs, {report.updated:,} updated."
    )
    state = database.run(queue_state)
    if state.waiting:
        print(
            f"{state.waiting:,} stay queued, Chatwoot did not give them now: the running bot tries them"
            " again; dialogs-bot sync status lists them."
        )
        return REJECTED
    return 0


def _sync_status(settings: Settings, _args: argparse.Namespace) -> int:
    database = _open_database(settings)
    state = database.run(queue_state)
    if not settings.chatwoot_on:
        print(f"The Chatwoot connector is off: {NEEDS}.")
    last = f", the last {_when(state.last_fetched_at)}" if state.last_fetched_at else ""
    print(f"Stored from Chatwoot: {state.done:,} conversations{last}.")
    print(
        f"Waiting to be fetched: {state.waiting:,}, of them failing {FAILING_AFTER} times or more:"
        f" {state.failing_count:,}."
    )
    for job in state.failing:
        print(
            f"  conversation {job.conversation_id}: failed {job.attempts} times,"
            f" next try {_when(job.due_at)}: {job.last_error}"
        )
    if state.failing_count > len(state.failing):
        print(f"  … and {state.failing_count - len(state.failing):,} more")
    return REJECTED if state.failing_count else 0


def _since(day: date | None) -> str:
    return "" if day is None else f" last active since {day.isoformat()}"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


if __name__ == "__main__":
    sys.exit(main())
