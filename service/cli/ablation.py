"""`clausewise ablation`: patterns against each model stage, out of family."""

from __future__ import annotations

import argparse
import sys

from eval.ablation import ablation_table
from eval.archive import load_corpus_at
from service.cli.common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print the ablation tables (this loads and runs both local models)."""
    sys.stdout.write(ablation_table(load_corpus_at(args.corpus)) + "\n")
    return EXIT_OK
