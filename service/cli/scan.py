"""`clausewise scan`: documents or folders in, results out (JSON, text, SARIF, ...)."""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from extractors.engine import default_engine
from extractors.errors import InputError
from extractors.output import result_to_dict
from extractors.parse import parse_bytes, parse_path
from extractors.result_json import ResultJSON
from extractors.risk import load_profile
from service.cli.common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    about_path,
    engine_with_models,
    error_line,
)
from service.cli.parser import FAIL_ON
from service.cores import usable_cores
from service.exports import export

DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".pdf"})
DOCUMENT_STEMS = ("license", "licence", "copying", "notice", "readme", "use_policy")
"""Extension-less files worth scanning in a model repository (`LICENSE`, ...)."""


@dataclass(frozen=True, slots=True)
class ScanOutput:
    """One scanned input: its result, the path as given, and the exact text."""

    result: ResultJSON
    path: Path
    text: str

    def export_name(self, fmt: str, base: Path) -> str:
        """Name the input as each format wants it.

        SARIF: a URI relative to `base` (code scanning resolves it against the
        repository root), or a `file:` URI outside it. CycloneDX: the file name
        (a BOM component is a model, not a path on this machine). Others: the
        path as given.
        """
        if fmt == "sarif":
            return artifact_uri(self.path, base)
        if fmt == "cyclonedx":
            return self.path.name
        return self.path.as_posix()


def artifact_uri(path: Path, base: Path) -> str:
    """Return `path` as a URI reference relative to `base`, else a `file:` URI.

    Neither is resolved through symbolic links: a Hugging Face cache links a
    snapshot's README.md to a blob named by its hash, and the user gave the
    snapshot's path.
    """
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(os.path.abspath(base))
    except ValueError:
        return absolute.as_uri()
    return urllib.parse.quote(relative.as_posix(), safe="/")


@dataclass(frozen=True, slots=True)
class _Job:
    """What every scan of one command shares: the engine and the options."""

    engine: Any
    profile: Any
    max_bytes: int
    explain: bool


@dataclass(frozen=True, slots=True)
class _Scanned:
    """One input's outcome: its result and text, or why it was not read."""

    path: Path
    result: ResultJSON | None
    text: str
    error: str | None


_job: _Job | None = None
"""Set before the worker processes fork; they inherit it (engine included)."""


def run(args: argparse.Namespace) -> int:
    """Scan every input; one bad input is reported and the others still run."""
    global _job
    profile = load_profile(args.profile) if args.profile else None
    with_models = args.model != "none" or args.llm_params
    engine = (
        engine_with_models(args.model, args.llm_params)
        if with_models
        else default_engine()
    )
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    status = EXIT_OK
    results: list[ScanOutput] = []
    paths = list(expand_paths(args.paths))
    _job = _Job(engine, profile, args.max_bytes, args.explain)
    jobs = 1 if with_models else min(args.jobs or usable_cores(), len(paths))
    with _scans(paths, jobs) as scanned, _progress(paths) as bar:
        for outcome in scanned:
            bar.update()
            if outcome.result is None:
                bar.write(error_line(outcome.error or ""), file=sys.stderr)
                status = EXIT_INPUT
                continue
            if args.out:
                _write_outputs(
                    args.out, outcome.path.name, outcome.result, outcome.text
                )
            results.append(ScanOutput(outcome.result, outcome.path, outcome.text))
    if not args.out and results:
        sys.stdout.write(render(results, fmt, args.base))
    if status == EXIT_OK and args.fail_on and _at_least(results, args.fail_on):
        return EXIT_FINDINGS
    return status


@contextlib.contextmanager
def _scans(paths: Sequence[Path], jobs: int) -> Iterator[Iterator[_Scanned]]:
    """Yield the inputs' outcomes in input order, from `jobs` processes.

    The workers are forked after the engine is built and warmed, so they share
    it copy-on-write and start in milliseconds. A model stage runs in one
    process (torch has its own threads and does not survive a fork).
    """
    if jobs <= 1:
        yield map(_scan_one, paths)
        return
    _warm_up()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        chunk = max(1, min(16, len(paths) // (jobs * 4)))
        yield pool.map(_scan_one, paths, chunksize=chunk)


def _warm_up() -> None:
    """Load what the engine loads lazily (the license index) once, before a fork."""
    _current_job().engine.analyze(parse_bytes(b"You must retain this notice."))


def _current_job() -> _Job:
    if _job is None:
        raise RuntimeError("scanning runs only inside `clausewise scan`")
    return _job


def _scan_one(path: Path) -> _Scanned:
    """Parse and analyse one input with the command's engine (in any process).

    A parse error is the input's outcome; anything else is raised.
    """
    job = _current_job()
    try:
        document = parse_path(path, max_bytes=job.max_bytes)
    except InputError as exc:
        return _Scanned(path, None, "", about_path(path, exc))
    result = job.engine.analyze(document, profile=job.profile, explain=job.explain)
    return _Scanned(path, result_to_dict(result, name=path.name), document.text, None)


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield each path; a folder yields the documents under it, sorted.

    A folder of model repositories (or a local Hugging Face cache) holds
    weights, configs and blobs named by hash: only files that look like
    documents are taken (by extension, or a `LICENSE`-like name), hidden
    folders are skipped, and linked folders are not followed (a cache links
    the same blobs from every snapshot); linked files are, as a cache's
    snapshot files are links. A path that does not exist is yielded as is,
    for the parser to report.
    """
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        found = sorted(_documents_under(path))
        if not found:
            raise InputError(f"{path} holds no .txt, .md or .pdf document")
        yield from found


def _documents_under(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            candidate = Path(root, name)
            if _is_document_name(name) and candidate.is_file():
                yield candidate


def _is_document_name(name: str) -> bool:
    if name.startswith("."):
        return False
    lower = name.lower()
    if Path(lower).suffix in DOCUMENT_SUFFIXES:
        return True
    return "." not in lower and lower.startswith(DOCUMENT_STEMS)


def _progress(paths: Sequence[Path]) -> Any:
    """A progress bar on stderr, only for several files and a terminal there.

    tqdm is imported only to draw one: importing it (with the package
    metadata it reads) was a twentieth of a one-file scan's start-up.
    """
    if len(paths) < 2 or not sys.stderr.isatty():
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=len(paths), file=sys.stderr, unit="doc", leave=False)


class _NoProgress(contextlib.AbstractContextManager["_NoProgress"]):
    """What `run` uses of a tqdm bar, when none is drawn."""

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self) -> None:
        """Count one input: nothing to draw."""

    def write(self, line: str, file: TextIO) -> None:
        """Print `line`, as tqdm.write does."""
        file.write(line + "\n")


def _at_least(results: Sequence[ScanOutput], severity: str) -> bool:
    """Return True when a finding is `severity` or more severe."""
    worst = FAIL_ON.index(severity)
    return any(
        finding["severity"] in FAIL_ON[: worst + 1]
        for output in results
        for finding in output.result["findings"]
    )


def _write_outputs(out: Path, name: str, data: Mapping[str, Any], text: str) -> None:
    """Write `NAME.json` and `NAME.text`, the exact text the offsets index."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        with open(out / f"{name}.text", "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"cannot write to {out}: {exc.strerror or exc}") from exc


def render(results: Sequence[ScanOutput], fmt: str, base: Path) -> str:
    """Render the scans through the export registry, one document for all inputs.

    JSON: the result, or a list of them. Markdown and text: the reports one
    after the other. SARIF: one log with a run per input, as code scanning
    expects. CycloneDX: the BOM, or a list of BOMs.
    """
    bodies = [
        export(fmt, r.result, name=r.export_name(fmt, base), text=r.text)[0]
        for r in results
    ]
    if fmt in ("markdown", "text"):
        return "\n".join(bodies)
    if len(bodies) == 1:
        return bodies[0]
    if fmt == "json":
        return (
            json.dumps([r.result for r in results], ensure_ascii=False, indent=2) + "\n"
        )
    logs = [json.loads(body) for body in bodies]
    if fmt == "sarif":
        merged = logs[0] | {"runs": [run for log in logs for run in log["runs"]]}
        return json.dumps(merged, ensure_ascii=False, indent=2) + "\n"
    return json.dumps(logs, ensure_ascii=False, indent=2) + "\n"
