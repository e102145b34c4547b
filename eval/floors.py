"""The accuracy targets a release must meet, and their check.

The overall targets live in `eval/data/floors.json`; a clause type's own
floors live in its spec (`extractors.clauses`), beside everything else about
that type. A floors file may still name per-type floors, which then take
precedence. CI and a developer running the harness by hand check exactly
the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eval.evaluate import EvalReport
from eval.scorer import PRF
from extractors.clauses import REGISTRY
from extractors.clauses.spec import ClauseSpec
from extractors.errors import ConfigError
from extractors.labels import ClauseType

DEFAULT_FLOORS = Path(__file__).resolve().parent / "data" / "floors.json"
_TOLERANCE = 1e-9
"""Room for float rounding, so 9/10 meets a 0.9 floor."""

_Share = Annotated[float, Field(ge=0.0, le=1.0)]


@dataclass(frozen=True, slots=True)
class Floors:
    """Minimum scores; a type missing from a mapping has no floor of its own."""

    micro_f1: float
    type_f1: Mapping[ClauseType, float] = field(default_factory=dict, hash=False)
    doc_recall: Mapping[ClauseType, float] = field(default_factory=dict, hash=False)
    param_accuracy: float = 0.0
    citation_validity: float = 1.0


class _FloorsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: list[str] = []
    """Where the figures come from and which are in sample: read by people only."""
    micro_f1: _Share
    type_f1: dict[ClauseType, _Share] = {}
    doc_recall: dict[ClauseType, _Share] = {}
    param_accuracy: _Share = 0.0
    citation_validity: _Share = 1.0


def load_floors(path: Path | None = None) -> Floors:
    """Read floors from `path`, or the packaged `eval/data/floors.json`."""
    source = path if path is not None else DEFAULT_FLOORS
    try:
        data = _FloorsFile.model_validate_json(source.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read floors file {source}: {exc}") from exc
    except ValidationError as exc:
        raise ConfigError(f"invalid floors file {source}: {exc}") from exc
    return Floors(
        micro_f1=data.micro_f1,
        type_f1=_per_type(data.type_f1, lambda spec: spec.floors.f1),
        doc_recall=_per_type(data.doc_recall, lambda spec: spec.floors.doc_recall),
        param_accuracy=data.param_accuracy,
        citation_validity=data.citation_validity,
    )


def _per_type(
    given: Mapping[ClauseType, float],
    shipped: Callable[[ClauseSpec[Any]], float | None],
) -> dict[ClauseType, float]:
    """The file's floor for a type, else its spec's, in `ClauseType` order."""
    found: dict[ClauseType, float] = {}
    for ctype in ClauseType:
        floor = given.get(ctype, shipped(REGISTRY[ctype]))
        if floor is not None:
            found[ctype] = floor
    return found


def check_floors(report: EvalReport, floors: Floors) -> list[str]:
    """One line per floor the report falls short of; empty when all hold."""
    checks: list[tuple[str, float, float]] = [
        ("micro F1", report.micro.f1, floors.micro_f1)
    ]
    checks += [
        (f"{t.value} F1", report.per_type.get(t, PRF()).f1, floor)
        for t, floor in floors.type_f1.items()
    ]
    checks += [
        (
            f"{t.value} document-level recall",
            report.doc_level.get(t, PRF()).recall,
            floor,
        )
        for t, floor in floors.doc_recall.items()
    ]
    checks.append(
        ("parameter accuracy", report.params_overall.accuracy, floors.param_accuracy)
    )
    checks.append(
        ("citation validity", report.citations.validity, floors.citation_validity)
    )
    return [
        f"{name} is {value:.3f}, below its floor of {floor:.3f}"
        for name, value, floor in checks
        if value < floor - _TOLERANCE
    ]
