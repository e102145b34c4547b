from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from eval.evaluate import CitationStats, EvalReport, Timing
from eval.floors import DEFAULT_FLOORS, Floors, check_floors, load_floors
from eval.report import (
    compare,
    render_comparison,
    render_markdown,
    render_table,
    write_reports,
)
from eval.scorer import (
    PARAM_TYPES,
    PRF,
    CitationErrorRecord,
    ParamMismatch,
    ParamScore,
    SpanRecord,
)
from extractors.errors import ConfigError
from extractors.labels import ClauseType

UT = ClauseType.USAGE_THRESHOLD
GEO = ClauseType.GEOGRAPHIC_RESTRICTION


def record(quote: str, ctype: ClauseType = UT, doc: str = "a.txt") -> SpanRecord:
    return SpanRecord(doc, ctype, 10, 10 + len(quote), 2, quote)


def make_report(
    per_type: dict[ClauseType, PRF] | None = None,
    doc_level: dict[ClauseType, PRF] | None = None,
    params: dict[ClauseType, ParamScore] | None = None,
    false_negatives: tuple[SpanRecord, ...] = (),
    false_positives: tuple[SpanRecord, ...] = (),
    citations: CitationStats | None = None,
) -> EvalReport:
    return EvalReport(
        per_type={t: (per_type or {}).get(t, PRF()) for t in ClauseType},
        doc_level={t: (doc_level or {}).get(t, PRF()) for t in ClauseType},
        params={t: (params or {}).get(t, ParamScore()) for t in PARAM_TYPES},
        param_mismatches=(),
        citations=citations or CitationStats(),
        false_positives=false_positives,
        false_negatives=false_negatives,
        documents=2,
        unscored=("zh.pdf",),
        timing=Timing(2, 0.5),
    )


def full_report() -> EvalReport:
    quote = "Rights end\nabove 5 million users." + " padding" * 40
    mismatch = ParamMismatch("a.txt", GEO, 0, 9, "Not in XA.", {"regions": ["XA"]}, {})
    error = CitationErrorRecord("b.md", UT, 3, 7, "made up", "quote does not match")
    report = make_report(
        per_type={UT: PRF(2, 1, 1), GEO: PRF(1, 0, 0)},
        doc_level={UT: PRF(1, 0, 1), GEO: PRF(1)},
        params={UT: ParamScore(2, 2), GEO: ParamScore(1, 0)},
        false_negatives=(record(quote),),
        false_positives=(record("Stray text.", GEO, "b.md"),),
        citations=CitationStats(4, 3, (error,)),
    )
    return replace(report, param_mismatches=(mismatch,))


# --- rendering ------------------------------------------------------------------


def test_table_has_one_row_per_type_in_enum_order_then_micro() -> None:
    table = render_table(full_report())
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["type", "gold", "pred"]
    names = [line.split()[0] for line in lines[2 : 2 + len(ClauseType)]]
    assert names == [t.value for t in ClauseType]
    ut_row = lines[2].split()
    assert ut_row[:6] == ["usage_threshold", "3", "3", "2", "1", "1"]
    assert ut_row[6:] == ["0.667", "0.667", "0.667", "0.667", "1.000"]
    assert lines[3].split()[-1] == "-"  # attribution: nothing checked
    micro = next(line for line in lines if line.startswith("micro"))
    assert micro.split()[1:6] == ["4", "4", "3", "1", "1"]
    assert "citation validity: 0.750" in table
    assert "4.0 docs/s" in table


def test_markdown_lists_errors_with_short_one_line_quotes() -> None:
    markdown = render_markdown(full_report())
    assert "| usage_threshold | 3 | 3 | 2 | 1 | 1 |" in markdown
    assert "| **micro** |" in markdown
    fn_line = next(line for line in markdown.splitlines() if "`a.txt`:2" in line)
    quote = fn_line[fn_line.index('"') + 1 : -1]
    assert quote.startswith("Rights end above 5 million users.")
    assert len(quote) == 160 and quote.endswith("…")
    assert "## False positives (1)" in markdown
    assert '"Stray text."' in markdown
    assert "## Citation errors, counted as false positives (1)" in markdown
    assert 'gold `{"regions": ["XA"]}`, predicted `{}`' in markdown


def test_write_reports_round_trips_through_json(tmp_path: Path) -> None:
    report = full_report()
    paths = write_reports(report, tmp_path / "out")
    assert [p.name for p in paths] == ["eval.json", "eval.md"]
    saved = json.loads(paths[0].read_text(encoding="utf-8"))
    assert saved["micro"]["tp"] == 3
    assert saved["false_negatives"][0]["line"] == 2
    assert saved["doc_level"]["micro"]["fn"] == 1
    assert saved["params"]["overall"] == {"checked": 3, "correct": 2} | {
        "accuracy": pytest.approx(2 / 3)
    }
    assert EvalReport.from_dict(saved) == report
    assert paths[1].read_text(encoding="utf-8") == render_markdown(report)


def test_from_dict_rejects_what_is_not_a_report() -> None:
    with pytest.raises(ConfigError, match="not a saved evaluation report"):
        EvalReport.from_dict({"micro": {}})


# --- comparison -----------------------------------------------------------------


def test_comparison_gives_signed_deltas_and_new_and_fixed_errors() -> None:
    kept, fixed, new = record("kept miss"), record("fixed miss"), record("new miss")
    baseline = make_report(
        per_type={UT: PRF(1, 1, 2)},
        doc_level={UT: PRF(1, 0, 1)},
        false_negatives=(kept, fixed),
    )
    current = make_report(
        per_type={UT: PRF(2, 0, 1)},
        doc_level={UT: PRF(2)},
        false_negatives=(kept, new),
        false_positives=(record("noise", GEO),),
    )
    comparison = compare(current, baseline)
    delta = comparison.per_type[UT]
    assert delta.precision == pytest.approx(0.5)
    assert delta.recall == pytest.approx(2 / 3 - 1 / 3)
    assert delta.f1 == pytest.approx(0.8 - 0.4)
    assert delta.doc_f1 == pytest.approx(1 / 3)
    assert comparison.per_type[GEO].f1 == 0.0
    assert comparison.new_false_negatives == (new,)
    assert comparison.fixed_false_negatives == (fixed,)
    assert [r.quote for r in comparison.new_false_positives] == ["noise"]
    assert comparison.fixed_false_positives == ()
    text = render_comparison(comparison)
    ut_line = next(line for line in text.splitlines() if line.startswith("usage"))
    assert ut_line.split()[1:] == ["+0.500", "+0.333", "+0.400", "+0.333"]
    assert "New false negatives (1):" in text and '"new miss"' in text
    assert "Fixed false positives (0):\n  none" in text


def test_comparison_treats_repeated_misses_as_a_multiset() -> None:
    twice = (record("same clause"), record("same clause"))
    current = make_report(false_negatives=twice)
    baseline = make_report(false_negatives=twice[:1])
    assert compare(current, baseline).new_false_negatives == twice[1:]


# --- floors --------------------------------------------------------------------------


def test_shipped_floors_guard_the_core_types_and_say_what_is_in_sample() -> None:
    floors = load_floors()
    core = {UT, ClauseType.ATTRIBUTION, ClauseType.AUP_INCORPORATION, GEO}
    assert set(floors.type_f1) == core
    assert set(floors.doc_recall) == {UT, GEO}
    assert floors.citation_validity == 1.0
    about = json.loads(DEFAULT_FLOORS.read_text(encoding="utf-8"))["about"]
    assert any("IN SAMPLE" in line for line in about)


def test_perfect_report_meets_every_floor() -> None:
    good = {t: PRF(10, 0, 0) for t in ClauseType}
    report = make_report(per_type=good, doc_level={t: PRF(1) for t in ClauseType})
    assert check_floors(report, load_floors()) == []


def test_each_violated_floor_gets_one_line() -> None:
    report = make_report(
        per_type={UT: PRF(1, 0, 1), GEO: PRF(1)},
        doc_level={UT: PRF(1, 0, 1)},
        params={UT: ParamScore(10, 8)},
        citations=CitationStats(10, 9),
    )
    floors = Floors(
        micro_f1=0.9,
        type_f1={UT: 0.9, GEO: 0.9},
        doc_recall={UT: 1.0},
        param_accuracy=0.9,
    )
    assert check_floors(report, floors) == [
        "micro F1 is 0.800, below its floor of 0.900",
        "usage_threshold F1 is 0.667, below its floor of 0.900",
        "usage_threshold document-level recall is 0.500, below its floor of 1.000",
        "parameter accuracy is 0.800, below its floor of 0.900",
        "citation validity is 0.900, below its floor of 1.000",
    ]


def test_bad_floors_file_raises_config_error(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    path.write_text('{"micro_f1": 1.5}')
    with pytest.raises(ConfigError, match="invalid floors file"):
        load_floors(path)
    path.write_text('{"micro_f1": 0.9, "type_f1": {"no_such_type": 0.9}}')
    with pytest.raises(ConfigError, match="invalid floors file"):
        load_floors(path)
    with pytest.raises(ConfigError, match="cannot read floors file"):
        load_floors(tmp_path / "missing.json")
