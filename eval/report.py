"""Render evaluation reports for people, save them, and compare two runs.

The JSON form is for machines (a baseline to compare against); the table
and the Markdown are for the engineer deciding which pattern to fix next,
so they put every false positive and negative next to its quote.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.evaluate import EvalReport
from eval.scorer import PRF, ParamScore, SpanRecord
from extractors.labels import ClauseType

COLUMNS = ("gold", "pred", "TP", "FP", "FN", "P", "R", "F1", "doc F1", "params")
QUOTE_LIMIT = 160
_NAME_WIDTH = 24


@dataclass(frozen=True, slots=True)
class Delta:
    """Change of one row between a baseline and a new run (new minus old)."""

    precision: float
    recall: float
    f1: float
    doc_f1: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """What moved between two runs: scores, and which errors came or went."""

    per_type: Mapping[ClauseType, Delta]
    micro: Delta
    new_false_negatives: tuple[SpanRecord, ...]
    fixed_false_negatives: tuple[SpanRecord, ...]
    new_false_positives: tuple[SpanRecord, ...]
    fixed_false_positives: tuple[SpanRecord, ...]


def render_table(report: EvalReport) -> str:
    """Fixed-width table for a terminal: one row per clause type, then micro."""
    header = f"{'type':<{_NAME_WIDTH}}" + "".join(f"{name:>8}" for name in COLUMNS)
    rule = "-" * len(header)
    rows = [
        f"{name:<{_NAME_WIDTH}}" + "".join(f"{c:>8}" for c in cells)
        for name, cells in _rows(report)
    ]
    return (
        "\n".join([header, rule, *rows[:-1], rule, rows[-1], "", *_summary(report)])
        + "\n"
    )


def render_markdown(report: EvalReport) -> str:
    """Markdown report: the table, the summary, then every error with its quote."""
    lines = ["# Clause extraction evaluation", ""]
    lines.append("| type | " + " | ".join(COLUMNS) + " |")
    lines.append("|---|" + "---:|" * len(COLUMNS))
    for name, cells in _rows(report):
        label = f"**{name}**" if name == "micro" else name
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", *(f"- {line}" for line in _summary(report))]
    lines += _section("Corpus problems", report.corpus_problems)
    lines += _section(
        "Citation errors, counted as false positives",
        [
            f"`{e.doc}` {e.type.value} [{e.start}, {e.end}): {e.reason}: "
            f"{_short(e.quote)}"
            for e in report.citations.errors
        ],
    )
    lines += _section("False positives", _record_lines(report.false_positives))
    lines += _section("False negatives", _record_lines(report.false_negatives))
    lines += _section(
        "Parameter mismatches",
        [
            f"`{m.doc}` {m.type.value} [{m.start}, {m.end}): gold `{_json(m.gold)}`, "
            f"predicted `{_json(m.predicted)}`"
            for m in report.param_mismatches
        ],
    )
    return "\n".join(lines) + "\n"


def write_reports(report: EvalReport, out_dir: Path) -> list[Path]:
    """Write `eval.json` (reloadable as a baseline) and `eval.md` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "eval.json", out_dir / "eval.md"
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    json_path.write_text(text + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return [json_path, md_path]


def compare(report: EvalReport, baseline: EvalReport) -> Comparison:
    """Compare a run with a baseline; errors are matched by (doc, type, quote)."""
    return Comparison(
        per_type={t: _delta(_pick(report, t), _pick(baseline, t)) for t in ClauseType},
        micro=_delta(_pick(report, None), _pick(baseline, None)),
        new_false_negatives=_missing_from(
            report.false_negatives, baseline.false_negatives
        ),
        fixed_false_negatives=_missing_from(
            baseline.false_negatives, report.false_negatives
        ),
        new_false_positives=_missing_from(
            report.false_positives, baseline.false_positives
        ),
        fixed_false_positives=_missing_from(
            baseline.false_positives, report.false_positives
        ),
    )


def render_comparison(comparison: Comparison) -> str:
    """Signed deltas per type and micro, then the errors that came and went."""
    names = ("dP", "dR", "dF1", "d doc F1")
    header = f"{'type':<{_NAME_WIDTH}}" + "".join(f"{name:>10}" for name in names)
    rows = [(t.value, d) for t, d in comparison.per_type.items()]
    lines = [header, "-" * len(header)]
    for name, d in [*rows, ("micro", comparison.micro)]:
        values = (d.precision, d.recall, d.f1, d.doc_f1)
        lines.append(
            f"{name:<{_NAME_WIDTH}}" + "".join(f"{_signed(v):>10}" for v in values)
        )
    for title, records in (
        ("New false negatives", comparison.new_false_negatives),
        ("Fixed false negatives", comparison.fixed_false_negatives),
        ("New false positives", comparison.new_false_positives),
        ("Fixed false positives", comparison.fixed_false_positives),
    ):
        lines += ["", f"{title} ({len(records)}):"]
        lines += [f"  {line}" for line in _record_lines(records)] or ["  none"]
    return "\n".join(lines) + "\n"


def _rows(report: EvalReport) -> list[tuple[str, list[str]]]:
    rows = [
        (t.value, _cells(*_pick(report, t), report.params.get(t))) for t in ClauseType
    ]
    return [*rows, ("micro", _cells(*_pick(report, None), report.params_overall))]


def _cells(spans: PRF, docs: PRF, params: ParamScore | None) -> list[str]:
    """Counts, ratios, and "-" where a type has no parameters to check."""
    counts = (spans.gold, spans.predicted, spans.tp, spans.fp, spans.fn)
    ratios = (spans.precision, spans.recall, spans.f1, docs.f1)
    checked = params is not None and params.checked > 0
    accuracy = f"{params.accuracy:.3f}" if params is not None and checked else "-"
    return [str(c) for c in counts] + [f"{r:.3f}" for r in ratios] + [accuracy]


def _summary(report: EvalReport) -> list[str]:
    cites, params, timing = report.citations, report.params_overall, report.timing
    return [
        f"citation validity: {cites.validity:.3f} "
        f"({cites.valid} of {cites.checked} predictions cite their text)",
        f"parameter accuracy: {params.accuracy:.3f} "
        f"({params.correct} of {params.checked} matched spans)",
        f"documents: {report.documents} scored, {len(report.unscored)} unscored, "
        f"{len(report.corpus_problems)} corpus problems",
        f"speed: {timing.docs_per_second:.1f} docs/s "
        f"({timing.total_seconds:.3f} s in scan)",
    ]


def _section(title: str, lines: Sequence[str]) -> list[str]:
    body = [f"- {line}" for line in lines] or ["None."]
    return ["", f"## {title} ({len(lines)})", "", *body]


def _record_lines(records: Iterable[SpanRecord]) -> list[str]:
    return [f"`{r.doc}`:{r.line} {r.type.value}: {_short(r.quote)}" for r in records]


def _short(quote: str) -> str:
    """One line, at most QUOTE_LIMIT characters, so a list stays scannable."""
    flat = " ".join(quote.replace("\r\n", "\n").splitlines())
    if len(flat) > QUOTE_LIMIT:
        flat = flat[: QUOTE_LIMIT - 1] + "…"
    return f'"{flat}"'


def _json(params: Mapping[str, object]) -> str:
    return json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)


def _signed(value: float) -> str:
    """Three decimals with a sign; a rounding to zero shows as +0.000."""
    return f"{round(value, 3) + 0.0:+.3f}"


def _pick(report: EvalReport, ctype: ClauseType | None) -> tuple[PRF, PRF]:
    """Span-level and document-level counts of one type, or micro for None."""
    if ctype is None:
        return report.micro, report.doc_level_micro
    return report.per_type.get(ctype, PRF()), report.doc_level.get(ctype, PRF())


def _delta(new: tuple[PRF, PRF], old: tuple[PRF, PRF]) -> Delta:
    (spans, docs), (old_spans, old_docs) = new, old
    return Delta(
        precision=spans.precision - old_spans.precision,
        recall=spans.recall - old_spans.recall,
        f1=spans.f1 - old_spans.f1,
        doc_f1=docs.f1 - old_docs.f1,
    )


def _missing_from(
    records: Sequence[SpanRecord], others: Sequence[SpanRecord]
) -> tuple[SpanRecord, ...]:
    """Records of `records` without a counterpart in `others`, as a multiset.

    Offsets are left out of the key: an edit elsewhere in a document moves
    them without changing which clause was missed.
    """
    remaining = Counter((r.doc, r.type, r.quote) for r in others)
    missing: list[SpanRecord] = []
    for record in records:
        key = (record.doc, record.type, record.quote)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            missing.append(record)
    return tuple(missing)
