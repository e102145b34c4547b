"""Batch scanning of model cards: submit many, track progress, page the results.

A batch is stored whole before any work starts (items inserted in bulk), then
scanned in chunk jobs by whichever runner is configured. Identical texts are
scanned once per tenant and engine version through a content-hash cache.
"""

from service.batches.jsonl import BatchInputError, CardInput, parse_jsonl

__all__ = ["BatchInputError", "CardInput", "parse_jsonl"]
