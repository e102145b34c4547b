"""`clausewise diff OLD NEW`: what changed between two versions, clause by clause."""

from __future__ import annotations

import argparse
import json
import sys

from extractors.compare import compare_results
from extractors.compare_render import diff_to_markdown
from extractors.engine import default_engine
from extractors.errors import InputError
from extractors.output import result_to_dict
from extractors.parse import parse_path
from service.cli.common import EXIT_OK, about_path


def run(args: argparse.Namespace) -> int:
    """Scan both files with the pattern engine and print the diff old -> new."""
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
