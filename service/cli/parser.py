"""Every command's arguments, in one light module.

Building the parser imports nothing heavy, so `clausewise --help` and a
command's own start-up never pay for another command's dependencies; each
command's code lives in its own module (`service/cli/<command>.py`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from models.choices import MODEL_CHOICES
from service.cli.common import EXIT_FINDINGS

DEFAULT_CORPUS = Path("../shared/corpus")
SCAN_FORMATS = ("json", "markdown", "sarif", "cyclonedx", "text")
"""`service.exports.EXPORTERS`' names, spelled out: importing it loads the engine."""
FAIL_ON = ("blocker", "high", "medium", "low", "info")
"""`extractors.labels.Severity`, most severe first, spelled out for `--help`."""
DIFF_FORMATS = ("json", "markdown")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="clausewise",
        description="Find, cite and assess the clauses of AI-model licenses"
        " and model cards.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _scan(sub)
    _eval(sub)
    _train(sub)
    _serve(sub)
    _keys(sub)
    sub.add_parser(
        "worker",
        add_help=False,
        help="run a Celery worker for scan jobs (`clausewise worker --help`)",
    )
    _diff(sub)
    return parser


def _scan(sub: Any) -> None:
    scan = sub.add_parser(
        "scan", help="scan documents (.txt, .md, .pdf), or folders of them"
    )
    scan.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a document, or a folder scanned recursively (see README)",
    )
    scan.add_argument(
        "--format",
        choices=SCAN_FORMATS,
        default=None,
        help="text for people (the default on a terminal), json (the default"
        " otherwise), sarif for code scanning in CI, cyclonedx for a model BOM",
    )
    scan.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help=f"exit {EXIT_FINDINGS} when a finding is this severe or more",
    )
    scan.add_argument(
        "--base",
        type=Path,
        default=Path("."),
        help="SARIF locations are relative to this folder (default: here)",
    )
    scan.add_argument(
        "--profile", type=Path, help="organisation profile (YAML or JSON)"
    )
    scan.add_argument(
        "--explain", action="store_true", help="list discarded candidates"
    )
    scan.add_argument(
        "--out", type=Path, help="write NAME.json and NAME.text per input here"
    )
    scan.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024)
    scan.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        default=None,
        metavar="N",
        help="scan in N processes (default: the cores this process may use;"
        " 1 with a model stage); output keeps the order of the inputs",
    )
    scan.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default="none",
        help="add a local model stage (needs the model extra)",
    )
    scan.add_argument(
        "--llm-params",
        action="store_true",
        help="ask the local LLM for values the parsers missed (grounded; slow)",
    )


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _eval(sub: Any) -> None:
    ev = sub.add_parser("eval", help="score the extractor on a labelled corpus")
    ev.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="a corpus folder, or an archive of one (tar.gz or zip)",
    )
    ev.add_argument("--out", type=Path, help="write eval.json and eval.md here")
    ev.add_argument(
        "--baseline", type=Path, help="an earlier eval.json to compare with"
    )
    ev.add_argument(
        "--check-floors", action="store_true", help="exit 1 below the targets"
    )
    ev.add_argument(
        "--split",
        choices=("dev", "locked", "all"),
        default="dev",
        help="dev: all but the locked families (default); locked: the families"
        " set aside, out of sample, to score at the end only; all: both",
    )
    ev.add_argument("--model", choices=MODEL_CHOICES, default="none")
    ev.add_argument("--llm-params", action="store_true")


def _train(sub: Any) -> None:
    tr = sub.add_parser("train", help="train a model head on a labelled corpus")
    tr.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="a corpus folder, or an archive of one (tar.gz or zip)",
    )
    tr.add_argument("--model", choices=("encoder", "llm"), default="encoder")
    tr.add_argument(
        "--out", type=Path, help="where to write the head (default: shipped)"
    )
    ab = sub.add_parser("ablation", help="patterns vs model stages, out of family")
    ab.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)


def _serve(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the HTTP API (patterns only)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)


def _keys(sub: Any) -> None:
    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser(
        "create", help="create an API key for a tenant and print it once"
    )
    create.add_argument("--tenant", required=True, help="tenant name (created if new)")
    create.add_argument(
        "--reviewer",
        help="the person whose review decisions this key signs (needed to review)",
    )
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


def _diff(sub: Any) -> None:
    diff = sub.add_parser(
        "diff", help="clause-level diff of two documents (old -> new), cited"
    )
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    diff.add_argument("--format", choices=DIFF_FORMATS, default="json")
    diff.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024)
