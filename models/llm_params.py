"""The LLM parameter fallback: ask a local model for values the parsers missed.

Off by default (`--llm-params`): the shipped 0.5B
model answered every hard sentence tried wrongly, and the grounding check in
`extractors.param_fallback` refuses such answers, so it adds nothing with
the shipped weights. It is meant for a larger model named by
`CLAUSEWISE_LLM` (the same code path). Answers are cached in memory by
(model, prompt version, clause type, text): a batch of model cards repeating
one license asks once.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from extractors.clauses import REGISTRY
from extractors.labels import ClauseType
from models.llm import load_llm
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings

PROMPT_VERSION = "p1"
SYSTEM = (
    "You extract values from one clause of an AI model license. Answer with one"
    " JSON object and nothing else. Use only values written in the clause."
)
QUESTIONS: dict[ClauseType, str] = {
    ctype: spec.question for ctype, spec in REGISTRY.items() if spec.question
}
"""What to ask for each clause type that has a fallback (`ClauseSpec.question`)."""
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class Generator(Protocol):
    """What the fallback needs of a model: a name and a greedy chat answer."""

    @property
    def name(self) -> str:  # pragma: no cover - a protocol
        """Return the model's identity."""
        ...

    def generate(
        self, system: str, prompt: str, *, max_new_tokens: int = 64
    ) -> str:  # pragma: no cover - a protocol
        """Return the model's answer."""
        ...


class LlmParamFiller:
    """Propose missing parameters with a local generative model."""

    def __init__(self, llm: Generator) -> None:
        self._llm = llm
        self.name = f"{llm.name}/params-{PROMPT_VERSION}"
        self._answers: dict[tuple[ClauseType, str], dict[str, Any]] = {}

    def propose(self, clause_type: ClauseType, text: str) -> dict[str, Any]:
        """Return the model's proposal for `text`, or {} for an answer not JSON."""
        key = (clause_type, text)
        if key not in self._answers:
            question = QUESTIONS.get(clause_type)
            answer = (
                self._llm.generate(SYSTEM, f"Clause: {text}\n{question}")
                if question
                else ""
            )
            self._answers[key] = parse_answer(answer)
        return self._answers[key]


def parse_answer(answer: str) -> dict[str, Any]:
    """Return the first JSON object in a model's answer ({} when there is none).

    Small models wrap JSON in code fences or add prose; an answer that is not
    JSON is a refusal to guess, not an error.
    """
    found = _OBJECT.search(answer)
    if found is None:
        return {}
    try:
        data = json.loads(found.group(0))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def load_param_filler(
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> LlmParamFiller:
    """Load the verified (or user-named) LLM as a parameter filler."""
    return LlmParamFiller(load_llm(settings=settings))
