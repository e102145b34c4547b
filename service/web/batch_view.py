"""One row of a batch's results table, summarised from the item's result."""

from __future__ import annotations

from dataclasses import dataclass

from service.batches.queries import ItemView
from service.web.vocabulary import SEVERITIES


@dataclass(frozen=True, slots=True)
class ItemRow:
    """What the results table shows of a card."""

    position: int
    id: str
    status: str
    error: str | None
    clause_types: tuple[str, ...]
    worst: str | None
    findings: int


def item_row(view: ItemView) -> ItemRow:
    """Summarise an item: its clause types, worst severity, finding count."""
    result = view.result or {}
    types = tuple(sorted({str(c["type"]) for c in result.get("clauses", [])}))
    severities = {str(f["severity"]) for f in result.get("findings", [])}
    worst = next((s for s in SEVERITIES if s in severities), None)
    return ItemRow(
        view.position,
        view.id,
        view.status,
        view.error,
        types,
        worst,
        len(result.get("findings", [])),
    )
