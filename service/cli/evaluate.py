"""`clausewise eval`: score the extractor on a labelled corpus, split by split."""

from __future__ import annotations

import argparse
import sys

from eval.archive import load_corpus_at
from eval.evaluate import EvalReport, evaluate, scan_with
from eval.floors import check_floors, load_floors
from eval.report import compare, render_comparison, render_table, write_reports
from eval.splits import Split, load_locked, sample_note, select
from extractors.engine import build_engine
from service.cli.common import EXIT_INPUT, EXIT_OK, engine_with_models, error, read_json


def run(args: argparse.Namespace) -> int:
    """Print the table and the sample note; exit 1 below the floors when asked."""
    split, locked = Split(args.split), load_locked()
    corpus = select(load_corpus_at(args.corpus), split, locked)
    engine = (
        engine_with_models(args.model, args.llm_params)
        if args.model != "none" or args.llm_params
        else build_engine()
    )

    report = evaluate(corpus, scan_with(engine))
    sys.stdout.write(render_table(report) + "\n" + sample_note(split, locked) + "\n")
    if args.out:
        for written in write_reports(report, args.out):
            sys.stdout.write(f"wrote {written}\n")
    if args.baseline:
        baseline = EvalReport.from_dict(read_json(args.baseline, "baseline"))
        sys.stdout.write(render_comparison(compare(report, baseline)) + "\n")
    if args.check_floors:
        violations = check_floors(report, load_floors())
        for line in violations:
            error(f"below target: {line}")
        return EXIT_INPUT if violations else EXIT_OK
    return EXIT_OK
