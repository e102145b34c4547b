"""`clausewise ablation`: patterns against each model stage, out of family."""

from __future__ import annotations

import argparse
import sys

from eval.ablation import ablation_table
from eval.archive import load_corpus_at
from service.cli.common import EXIT_OK
from service.cli.settings import model_settings


def run(args: argparse.Namespace) -> int:
    """Print the ablation tables (this loads and runs both local models)."""
    corpus = load_corpus_at(args.corpus)
    table = ablation_table(corpus, settings=model_settings())
    sys.stdout.write(table + "\n")
    return EXIT_OK
