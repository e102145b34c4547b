"""The LLM parameter fallback: proposals are grounded in the clause or refused."""

from __future__ import annotations

from pathlib import Path

from extractors.clauses.common import named_in
from extractors.engine import build_engine
from extractors.labels import ClauseType as T
from extractors.param_fallback import grounded, needs_fallback
from extractors.parse import parse_bytes
from models.llm_params import LlmParamFiller, parse_answer

# a forum the parsers do not resolve (they do "King County, Washington"), so
# the fallback is asked; "Washington" grounds US-WA and refuses US-CA
FORUM = (
    "Any dispute shall be heard exclusively by the courts sitting in"
    " the Western District of Washington."
)
SMALL_FIRMS = "Companies with up to 50 employees may use the model at no cost."


class FakeLlm:
    """Answers every question with one fixed text, counting the calls."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls = 0
        self.name = "fake-llm"

    def generate(self, system: str, prompt: str, *, max_new_tokens: int = 64) -> str:
        self.calls += 1
        assert "Clause:" in prompt and system
        return self.answer


def _scan(text: str, answer: str) -> tuple[dict[str, object], str, FakeLlm]:
    llm = FakeLlm(answer)
    engine = build_engine(identify=False, param_filler=LlmParamFiller(llm))
    clauses, _ = engine.tag(parse_bytes(text.encode(), name="t.txt"))
    law = next(c for c in clauses if c.clause_type is T.GOVERNING_LAW)
    return dict(law.params), law.explanation.note or "", llm


def test_answers_are_read_from_fences_and_prose() -> None:
    assert parse_answer('```json\n{"jurisdiction": "SG"}\n```') == {
        "jurisdiction": "SG"
    }
    assert parse_answer("I cannot tell.") == {}
    assert parse_answer("{not json}") == {}
    assert parse_answer('["US"]') == {}


def test_a_jurisdiction_named_in_the_clause_is_kept() -> None:
    params, note, _ = _scan(FORUM, '{"jurisdiction": "US-WA"}')
    assert params == {"jurisdiction": "US-WA"}
    assert "params from fake-llm/params-p1: jurisdiction US-WA (kept)" in note


def test_an_invented_jurisdiction_is_refused_and_said_so() -> None:
    params, note, _ = _scan(FORUM, '{"jurisdiction": "US-CA"}')
    assert params == {}
    assert "'US-CA' is not named in the clause (refused)" in note


def test_the_model_is_not_asked_when_the_parsers_found_the_value() -> None:
    text = "This Agreement is governed by the laws of the State of New York."
    params, note, llm = _scan(text, '{"jurisdiction": "US-CA"}')
    assert params == {"jurisdiction": "US-NY"}
    assert llm.calls == 0 and "params from" not in note


def test_a_repeated_clause_asks_the_model_once() -> None:
    llm = FakeLlm('{"jurisdiction": "US-WA"}')
    filler = LlmParamFiller(llm)
    for _ in range(3):
        filler.propose(T.GOVERNING_LAW, FORUM)
    assert llm.calls == 1


def test_a_threshold_must_be_an_amount_written_in_the_clause() -> None:
    assert needs_fallback(T.USAGE_THRESHOLD, {"thresholds": []})
    good = {"thresholds": [{"metric": "other", "value": 50, "consequence": "x"}]}
    found, said = grounded(T.USAGE_THRESHOLD, SMALL_FIRMS, good, {"thresholds": []})
    assert found == {
        "thresholds": [{"metric": "other", "value": 50, "consequence": "other"}]
    }
    assert said == "thresholds other 50"
    invented = {"thresholds": [{"metric": "annual_revenue", "value": 100000}]}
    refused, why = grounded(T.USAGE_THRESHOLD, SMALL_FIRMS, invented, {})
    assert refused is None and "100000" in why
    bad_metric = {"thresholds": [{"metric": "employees", "value": 50}]}
    assert grounded(T.USAGE_THRESHOLD, SMALL_FIRMS, bad_metric, {})[0] is None


def test_regions_must_all_be_named() -> None:
    text = "The license does not extend to anyone resident in Switzerland."
    kept, _ = grounded(T.GEOGRAPHIC_RESTRICTION, text, {"regions": ["CH"]}, {})
    assert kept == {"regions": ["CH"]}
    mixed = {"regions": ["CH", "FR"]}
    assert grounded(T.GEOGRAPHIC_RESTRICTION, text, mixed, {})[0] is None
    assert named_in("US-WA", "the courts of Washington")
    assert not named_in("US-WA", "Washingtonia palms")
    assert not named_in("XX", "anything")


def test_cli_scan_accepts_the_flag(tmp_path: Path) -> None:
    from service.cli import build_parser

    args = build_parser().parse_args(["scan", str(tmp_path / "x.txt"), "--llm-params"])
    assert args.llm_params and args.model == "none"
