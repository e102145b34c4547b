"""The service-side subcommands of `clausewise`: serve, keys, worker, diff.

`keys create` prints a new key once; `keys list` shows keys by prefix (the
key itself is never stored, so never shown); `keys revoke PREFIX` stops a
key at once, for the API and the web pages alike (`auth.active_caller`).

Kept apart from `service.cli` (scan, eval, train, ablation) so both modules
stay small. Heavy imports (uvicorn, the engine, Celery) happen inside the
handlers: `clausewise --help` and the other subcommands never pay for them.
Errors are raised as `ClausewiseError`s; `service.cli.main` turns them into
one line on stderr and the exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from extractors.errors import ConfigError, InputError

EXIT_OK = 0
DIFF_FORMATS = ("json", "markdown")


def add_service_commands(sub: Any) -> None:
    """Add `serve`, `keys create|list|revoke`, `worker` and `diff` to the subparsers."""
    serve = sub.add_parser("serve", help="run the HTTP API (patterns only)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser(
        "create", help="create an API key for a tenant and print it once"
    )
    create.add_argument("--tenant", required=True, help="tenant name (created if new)")
    listing = keys_sub.add_parser(
        "list", help="list API keys: prefix, tenant, created, revoked (no secrets)"
    )
    listing.add_argument("--tenant", help="only this tenant's keys")
    revoke = keys_sub.add_parser(
        "revoke", help="revoke the API key with this prefix (it then gets 401)"
    )
    revoke.add_argument("prefix", metavar="PREFIX", help="as `keys list` shows it")
    for keys_parser in (create, listing, revoke):
        keys_parser.add_argument(
            "--database-url",
            help="default: $CLAUSEWISE_DATABASE_URL or ./clausewise.db",
        )
    sub.add_parser(
        "worker",
        add_help=False,
        help="run a Celery worker for scan jobs (`clausewise worker --help`)",
    )
    diff = sub.add_parser(
        "diff", help="clause-level diff of two documents (old -> new), cited"
    )
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    diff.add_argument("--format", choices=DIFF_FORMATS, default="json")
    diff.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024)


def run_worker(argv: list[str]) -> int:
    """Delegate `clausewise worker ARGS` to the job worker's own command line."""
    from service.worker import main as worker_main

    return worker_main(argv)


def run_diff(args: argparse.Namespace) -> int:
    """Scan both files with the pattern engine and print the diff old -> new."""
    from extractors.compare import compare_results
    from extractors.compare_render import diff_to_markdown
    from extractors.engine import default_engine
    from extractors.output import result_to_dict
    from extractors.parse import parse_path

    engine = default_engine()
    results, texts = [], []
    for path in (args.old, args.new):
        try:
            document = parse_path(path, max_bytes=args.max_bytes)
        except InputError as exc:
            raise InputError(about_path(path, exc)) from exc
        result = engine.analyze(document)
        results.append(result_to_dict(result, name=path.name))
        texts.append(document.text)
    diff = compare_results(results[0], results[1], old_text=texts[0], new_text=texts[1])
    if args.format == "markdown":
        sys.stdout.write(diff_to_markdown(diff))
    else:
        body = json.dumps(diff.to_dict(), ensure_ascii=False, indent=2)
        sys.stdout.write(body + "\n")
    return EXIT_OK


def about_path(path: Path, exc: Exception) -> str:
    """Name the path once in a parse error (the parser names a file by its name)."""
    message = str(exc)
    quoted = f"'{path.name}'"
    if message.startswith(quoted):
        return str(path) + message[len(quoted) :]
    if str(path) in message:
        return message
    return f"{path}: {message}"


def service_settings(database_url: str | None = None) -> Any:
    """Read the service settings; a bad CLAUSEWISE_* value is a ConfigError."""
    from pydantic import ValidationError

    from service.settings import Settings

    try:
        if database_url:
            return Settings(database_url=database_url)
        return Settings()
    except ValidationError as exc:
        raise ConfigError(f"invalid CLAUSEWISE_* setting: {exc}") from exc


def serve(args: argparse.Namespace) -> int:
    """Run the API with uvicorn; our middleware logs requests, so uvicorn's not.

    Every group of settings is read before the app is imported (importing
    `service.web` or `service.app` reads them too, for the Celery app), so a
    bad `CLAUSEWISE_*` value is one error and exit status 2, not a traceback.
    """
    import uvicorn
    from pydantic import ValidationError

    from service.batches.config import BatchSettings
    from service.jobs.config import JobSettings

    settings = service_settings()
    try:
        jobs, batches = JobSettings(), BatchSettings()
        from service.web.config import WebSettings  # imports the Celery app

        web = WebSettings()
    except ValidationError as exc:
        raise ConfigError(f"invalid CLAUSEWISE_* setting: {exc}") from exc

    from service.app import create_app

    app = create_app(settings)
    app.state.job_settings = jobs
    app.state.batch_settings = batches
    app.state.web_settings = web
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)
    return EXIT_OK


def create_key(args: argparse.Namespace) -> int:
    """Create a tenant's API key; print the key (only here, only once).

    `service.cli` hands every `keys` subcommand here, so `list` and `revoke`
    are passed on to `run_keys`.
    """
    if getattr(args, "keys_command", "create") != "create":
        return run_keys(args)
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from service.auth import create_key as new_key
    from service.db import init_db, make_engine

    settings = service_settings(args.database_url)
    engine = make_engine(settings.database_url)
    try:
        init_db(engine)
        with Session(engine) as session:
            plaintext, record = new_key(session, args.tenant)
            prefix = record.prefix
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot use the database: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    finally:
        engine.dispose()
    sys.stdout.write(plaintext + "\n")
    sys.stderr.write(
        f"clausewise: created key {prefix}... for tenant '{args.tenant}'; "
        "it is stored only as a SHA-256 hash and cannot be shown again\n"
    )
    return EXIT_OK


def run_keys(args: argparse.Namespace) -> int:
    """Run `keys list` or `keys revoke` (`keys create` is `create_key`)."""
    if args.keys_command == "create":
        return create_key(args)
    from sqlalchemy.exc import SQLAlchemyError

    from service.db import init_db, make_engine

    settings = service_settings(args.database_url)
    engine = make_engine(settings.database_url)
    try:
        init_db(engine)
        if args.keys_command == "list":
            return _list_keys(engine, args.tenant)
        return _revoke_key(engine, args.prefix)
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot use the database: {exc}") from exc
    finally:
        engine.dispose()


def _list_keys(engine: Any, tenant: str | None) -> int:
    """Print one line per key, oldest first; an unknown tenant is an error."""
    from sqlmodel import Session, col, select

    from service.tables import ApiKeyRecord, TenantRecord

    query = select(ApiKeyRecord, TenantRecord).join(
        TenantRecord, col(TenantRecord.id) == col(ApiKeyRecord.tenant_id)
    )
    with Session(engine) as session:
        if tenant is not None:
            known = session.exec(
                select(TenantRecord).where(TenantRecord.name == tenant)
            ).first()
            if known is None:
                raise InputError(f"no tenant named '{tenant}'")
            query = query.where(TenantRecord.name == tenant)
        rows = session.exec(
            query.order_by(col(ApiKeyRecord.created_at), col(ApiKeyRecord.prefix))
        ).all()
    lines = [f"{'PREFIX':<12} {'TENANT':<24} {'CREATED':<25} REVOKED"]
    for key, owner in rows:
        revoked = _when(key.revoked_at) if key.revoked_at else "-"
        lines.append(
            f"{key.prefix:<12} {owner.name:<24} {_when(key.created_at):<25} {revoked}"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _revoke_key(engine: Any, prefix: str) -> int:
    """Revoke the one key with `prefix`; unknown or ambiguous is an InputError.

    Revoking twice is not an error (the first revocation time is kept), so a
    script can revoke without checking first.
    """
    from sqlmodel import Session, col, select

    from service.tables import ApiKeyRecord, utcnow

    wanted = prefix.strip().rstrip(".")  # `keys create` prints "cw_abcdefgh..."
    with Session(engine) as session:
        found = session.exec(
            select(ApiKeyRecord).where(col(ApiKeyRecord.prefix) == wanted)
        ).all()
        if not found:
            raise InputError(f"no API key with prefix '{wanted}'")
        if len(found) > 1:
            raise InputError(
                f"{len(found)} API keys share prefix '{wanted}'; none was revoked"
            )
        [key] = found
        if key.revoked_at is not None:
            sys.stderr.write(
                f"clausewise: key {wanted} was already revoked at"
                f" {_when(key.revoked_at)}\n"
            )
            return EXIT_OK
        key.revoked_at = utcnow()
        session.add(key)
        session.commit()
    sys.stderr.write(f"clausewise: revoked key {wanted}; it now gets 401\n")
    return EXIT_OK


def _when(moment: Any) -> str:
    """Format a stored time as UTC (SQLite hands back naive UTC datetimes)."""
    import datetime as dt

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    text: str = moment.astimezone(dt.UTC).isoformat(timespec="seconds")
    return text
