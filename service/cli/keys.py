"""`clausewise keys create|list|revoke`: API keys, by tenant.

`keys create` prints a new key once; `keys list` shows keys by prefix (the
key itself is never stored, so never shown); `keys revoke PREFIX` stops a
key at once, for the API and the web pages alike (`auth.keys.active_caller`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from extractors.errors import ConfigError, InputError
from service.auth.keys import create_key as new_key
from service.auth.tables import ApiKeyRecord, TenantRecord
from service.cli.common import EXIT_OK
from service.cli.settings import service_settings
from service.columns import utcnow
from service.db import init_db, make_engine


def run(args: argparse.Namespace) -> int:
    """Run the `keys` subcommand the user named."""
    if args.keys_command == "create":
        return create_key(args)
    settings = service_settings(args.database_url)
    engine = make_engine(settings.database.url)
    try:
        init_db(engine)
        if args.keys_command == "list":
            return _list_keys(engine, args.tenant)
        return _revoke_key(engine, args.prefix)
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot use the database: {exc}") from exc
    finally:
        engine.dispose()


def create_key(args: argparse.Namespace) -> int:
    """Create a tenant's API key; print the key (only here, only once)."""
    settings = service_settings(args.database_url)
    engine = make_engine(settings.database.url)
    try:
        init_db(engine)
        with Session(engine) as session:
            plaintext, record = new_key(session, args.tenant, args.reviewer)
            prefix = record.prefix
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot use the database: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    finally:
        engine.dispose()
    sys.stdout.write(plaintext + "\n")
    sys.stderr.write(
        f"clausewise: created key {prefix}... for tenant '{args.tenant}'"
        + (f" (reviewer '{args.reviewer.strip()}')" if args.reviewer else "")
        + "; "
        "it is stored only as a SHA-256 hash and cannot be shown again\n"
    )
    return EXIT_OK


def _list_keys(engine: Any, tenant: str | None) -> int:
    """Print one line per key, oldest first; an unknown tenant is an error."""
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
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    text: str = moment.astimezone(dt.UTC).isoformat(timespec="seconds")
    return text
