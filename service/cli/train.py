"""`clausewise train`: fit a model head on a labelled corpus, scored out of family."""

from __future__ import annotations

import argparse
import sys

from eval.archive import load_corpus_at
from eval.retrain import train_and_save
from service.cli.common import EXIT_OK
from service.cli.settings import model_settings


def run(args: argparse.Namespace) -> int:
    """Train, write the head, print its out-of-family scores."""
    path, summary = train_and_save(
        load_corpus_at(args.corpus),
        args.out,
        kind=args.model,
        settings=model_settings(),
    )
    sys.stdout.write(summary + f"\nwrote {path}\n")
    return EXIT_OK
