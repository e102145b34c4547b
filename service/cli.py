"""The `clausewise` command line: scan documents, evaluate on a labelled corpus.

Every error a user can cause (a missing file, an empty or binary document, an
encrypted PDF, a bad profile) ends as one line on stderr and a non-zero exit,
never a traceback; documents already written to `--out` stay there.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.errors import ClausewiseError, ConfigError, InputError
from service.cli_service import (
    about_path,
    add_service_commands,
    create_key,
    run_diff,
    run_worker,
    serve,
)

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_CONFIG = 2
EXIT_FINDINGS = 3
"""`scan --fail-on`: a finding at or above the given severity (for CI gates)."""
DEFAULT_CORPUS = Path("../shared/corpus")
MODEL_CHOICES = ("none", "encoder", "llm", "encoder+llm")
"""`models.stage.MODEL_CHOICES`, repeated so `--help` needs no model import."""
SCAN_FORMATS = ("json", "markdown", "sarif", "cyclonedx", "text")
"""`service.exports.EXPORTERS`' names, spelled out: importing it loads the engine."""


FAIL_ON = ("blocker", "high", "medium", "low", "info")
"""`extractors.labels.Severity`, most severe first, spelled out for `--help`."""


@dataclass(frozen=True, slots=True)
class ScanOutput:
    """One scanned input: its result, the path as given, and the exact text."""

    result: dict[str, Any]
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


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="clausewise",
        description="Find, cite and assess the clauses of AI-model licenses"
        " and model cards.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
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
    ev = sub.add_parser("eval", help="score the extractor on a labelled corpus")
    ev.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
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
    tr = sub.add_parser("train", help="train a model head on a labelled corpus")
    tr.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    tr.add_argument("--model", choices=("encoder", "llm"), default="encoder")
    tr.add_argument(
        "--out", type=Path, help="where to write the head (default: shipped)"
    )
    ab = sub.add_parser("ablation", help="patterns vs model stages, out of family")
    ab.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    add_service_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    logging.basicConfig(level=logging.WARNING, format="clausewise: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:  # the worker parses its own options
        return run_worker(argv[1:])
    args = build_parser().parse_args(argv)
    if (args.command == "serve" and not _service_model()) or (
        args.command == "diff"
        or (
            args.command in ("scan", "eval")
            and args.model == "none"
            and not args.llm_params
        )
    ):
        keep_torch_out()
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "serve":
            return serve(args)
        if args.command == "keys":
            return create_key(args)
        if args.command == "diff":
            return run_diff(args)
        if args.command == "train":
            return _train(args)
        if args.command == "ablation":
            return _ablation(args)
        return _eval(args)
    except ConfigError as exc:
        _error(str(exc))
        return EXIT_CONFIG
    except ClausewiseError as exc:
        _error(str(exc))
        return EXIT_INPUT


def keep_torch_out() -> None:
    """Keep torch out of a patterns-only run.

    spaCy's thinc imports torch whenever it is installed (about 1.5 s and
    180 MB on these machines) although the pattern engine never uses it.
    Marking torch absent before spaCy loads makes thinc skip it; this is done
    only for commands that will not load a model in this process.
    """
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]


def _scan(args: argparse.Namespace) -> int:
    from extractors.engine import default_engine
    from extractors.output import result_to_dict
    from extractors.parse import parse_path
    from extractors.risk import load_profile

    profile = load_profile(args.profile) if args.profile else None
    engine = (
        _engine(args.model, args.llm_params)
        if args.model != "none" or args.llm_params
        else default_engine()
    )
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    status = EXIT_OK
    results: list[ScanOutput] = []
    paths = list(expand_paths(args.paths))
    with _progress(paths) as bar:
        for path in bar:
            try:
                document = parse_path(path, max_bytes=args.max_bytes)
            except InputError as exc:
                bar.write(_error_line(about_path(path, exc)), file=sys.stderr)
                status = EXIT_INPUT
                continue
            result = engine.analyze(document, profile=profile, explain=args.explain)
            data = result_to_dict(result, name=path.name)
            if args.out:
                _write_outputs(args.out, path.name, data, document.text)
            results.append(ScanOutput(data, path, document.text))
    if not args.out and results:
        sys.stdout.write(_render(results, fmt, args.base))
    if status == EXIT_OK and args.fail_on and _at_least(results, args.fail_on):
        return EXIT_FINDINGS
    return status


DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".pdf"})
DOCUMENT_STEMS = ("license", "licence", "copying", "notice", "readme", "use_policy")
"""Extension-less files worth scanning in a model repository (`LICENSE`, ...)."""


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
    """A progress bar on stderr, only for several files and a terminal there."""
    from tqdm import tqdm

    return tqdm(
        paths,
        file=sys.stderr,
        unit="doc",
        disable=len(paths) < 2 or not sys.stderr.isatty(),
        leave=False,
    )


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


def _render(results: Sequence[ScanOutput], fmt: str, base: Path) -> str:
    """Render the scans through the export registry, one document for all inputs.

    JSON: the result, or a list of them. Markdown and text: the reports one
    after the other. SARIF: one log with a run per input, as code scanning
    expects. CycloneDX: the BOM, or a list of BOMs.
    """
    from service.exports import export

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


def _eval(args: argparse.Namespace) -> int:
    from eval.corpus import GoldDocument, load_corpus
    from eval.evaluate import EvalReport, evaluate
    from eval.floors import check_floors, load_floors
    from eval.report import compare, render_comparison, render_table, write_reports
    from eval.splits import Split, load_locked, sample_note, select
    from extractors.engine import build_engine
    from extractors.output import clause_to_dict
    from extractors.parse import parse_path

    split, locked = Split(args.split), load_locked()
    corpus = select(load_corpus(args.corpus), split, locked)
    engine = (
        _engine(args.model, args.llm_params)
        if args.model != "none" or args.llm_params
        else build_engine()
    )

    def scan(gold: GoldDocument) -> list[dict[str, Any]]:
        document = parse_path(gold.doc_path)
        clauses, _ = engine.tag(document)
        return [clause_to_dict(document, tag) for tag in clauses]

    report = evaluate(corpus, scan)
    sys.stdout.write(render_table(report) + "\n" + sample_note(split, locked) + "\n")
    if args.out:
        for written in write_reports(report, args.out):
            sys.stdout.write(f"wrote {written}\n")
    if args.baseline:
        baseline = EvalReport.from_dict(_read_json(args.baseline))
        sys.stdout.write(render_comparison(compare(report, baseline)) + "\n")
    if args.check_floors:
        violations = check_floors(report, load_floors())
        for line in violations:
            _error(f"below target: {line}")
        return EXIT_INPUT if violations else EXIT_OK
    return EXIT_OK


def _service_model() -> bool:
    """Return True when the service is configured with a model stage."""
    return os.environ.get("CLAUSEWISE_MODEL", "none") != "none"


def _engine(choice: str, llm_params: bool = False) -> Any:
    """Build the engine with model parts (imports torch: only on request)."""
    from extractors.engine import build_engine
    from models.llm_params import load_param_filler
    from models.stage import load_model_stage

    return build_engine(
        model_stage=load_model_stage(choice),  # type: ignore[arg-type]
        param_filler=load_param_filler() if llm_params else None,
    )


def _train(args: argparse.Namespace) -> int:
    from eval.corpus import load_corpus
    from eval.train import train_and_save

    path, summary = train_and_save(load_corpus(args.corpus), args.out, kind=args.model)
    sys.stdout.write(summary + f"\nwrote {path}\n")
    return EXIT_OK


def _ablation(args: argparse.Namespace) -> int:
    from eval.ablation import ablation_table
    from eval.corpus import load_corpus

    sys.stdout.write(ablation_table(load_corpus(args.corpus)) + "\n")
    return EXIT_OK


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read baseline {path}: {exc}") from exc


def _error(message: str) -> None:
    """Write one line: parser messages with caret diagrams are folded into it."""
    sys.stderr.write(_error_line(message) + "\n")


def _error_line(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines()]
    flat = " ".join(ln for ln in lines if ln and not set(ln) <= set("^ "))
    return f"clausewise: error: {flat}"


if __name__ == "__main__":
    sys.exit(main())
