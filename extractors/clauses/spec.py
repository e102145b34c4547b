"""What clausewise knows about one clause type, in one frozen value.

A `ClauseSpec` gathers what used to be spread over the parameter parsers, the
resolver, the LLM fallback, the model stage, the web vocabulary and the
evaluation floors, so that a clause type is read (and added) in one module of
`extractors.clauses`. Its patterns stay data, in `extractors/patterns/`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from extractors.labels import ClauseType
from extractors.types import ClauseTag

Params = dict[str, Any]
"""A clause's parameters as they travel: the JSON object of ANNOTATION.md."""

P = TypeVar("P", bound=Mapping[str, Any])
T = TypeVar("T")

Parser = Callable[[str], P]
"""Read a clause's parameters from its own text."""

Grounder = Callable[[str, Mapping[str, Any], Params], tuple[Params | None, str]]
"""Check a model's proposal against the clause text: (kept params or None, why)."""


class DocumentContext:
    """The whole document a clause is resolved against, and facts found in it.

    A resolver asks for a fact (the defined Territory, the governing law) with
    `once`, so a fact that every clause of a long document needs is computed
    once per document, not once per clause.
    """

    def __init__(self, text: str, tags: Sequence[ClauseTag]) -> None:
        self.text = text
        self.tags = tuple(tags)
        self._facts: dict[Callable[[DocumentContext], object], object] = {}

    def once(self, fact: Callable[[DocumentContext], T]) -> T:
        """Return `fact(self)`, computed on the first call only."""
        if fact not in self._facts:
            self._facts[fact] = fact(self)
        return cast(T, self._facts[fact])


Resolver = Callable[[Params, str, DocumentContext], Params]
"""Complete a clause's params (a copy) from the rest of its document."""


@dataclass(frozen=True, slots=True)
class TypeFloors:
    """A clause type's release floors on the development split (`eval.floors`).

    None: the type has no floor of its own (it still counts in micro F1).
    Raise a floor only from out-of-sample measurements; never lower one to make
    a change pass (see `eval/data/floors.json` for where the figures come from).
    """

    f1: float | None = None
    doc_recall: float | None = None


@dataclass(frozen=True, slots=True)
class ClauseSpec(Generic[P]):
    """One clause type: how its values are read, checked, named and judged."""

    clause_type: ClauseType
    label: str
    """The name people read ("Usage threshold")."""
    abbr: str
    """A two-letter badge, so that colour is never the only cue in the web UI."""
    parse: Parser[P]
    param_names: tuple[str, ...] = ()
    """The top-level params ANNOTATION.md defines; () when the type has none."""
    key_field: str | None = None
    """The param without which the clause says little (the fallback's target)."""
    ground: Grounder | None = None
    """Checks a model's proposal for `key_field`; None: no model fallback."""
    question: str | None = None
    """What the LLM fallback asks for `key_field` (a JSON object to give)."""
    resolve: Resolver | None = None
    """Fills params stated elsewhere in the document; None: nothing to resolve."""
    model_bar: float = 0.5
    """The ensemble's bar for a clause found by the models alone (`models.stage`).

    Chosen on out-of-family corpus folds (a type's bar is raised until its
    false clauses in real licenses stop costing more than its recovered
    paraphrases gain, and every core type keeps F1 >= 0.93) and on the
    leave-one-writer-out paraphrase table (`eval.writers`); never on test
    set B. See README.
    """
    floors: TypeFloors = field(default_factory=TypeFloors)

    @property
    def has_params(self) -> bool:
        """Return True when the type defines params (the scorer checks them)."""
        return bool(self.param_names)
