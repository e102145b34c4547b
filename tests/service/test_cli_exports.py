"""`clausewise scan --format sarif|cyclonedx`, `clausewise diff` and `worker`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from service.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, SCAN_FORMATS, main
from service.exports import EXPORTERS
from tests.licenses import eu_exclusion, license_text, threshold

LAW = ("Law", "This license is governed by the laws of the State of Delaware.")
V1 = license_text("Kestrel Model Terms", [("Scale", threshold("Kestrel")), LAW])
V2 = license_text(
    "Kestrel Model Terms",
    [
        ("Scale", threshold("Kestrel", users="1 billion")),
        LAW,
        ("Region", eu_exclusion("Kestrel")),
    ],
)


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "terms").mkdir()
    old, new = Path("terms/v1.txt"), Path("terms/v2.txt")
    old.write_text(V1, encoding="utf-8")
    new.write_text(V2, encoding="utf-8")
    return old, new


def test_scan_formats_are_the_export_registry() -> None:
    assert SCAN_FORMATS == tuple(EXPORTERS)


def test_scan_text_report_cites_path_and_line(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "scan", files[1], "--format", "text")
    assert status == EXIT_OK
    assert out.startswith("terms/v2.txt\n")
    assert "  HIGH     Some markets are outside the grant\n" in out
    assert "terms/v2.txt:5  “" in out  # the EU exclusion, cited by path and line
    assert "thresholds=[{metric: monthly_active_users, value: 1,000,000,000" in out
    assert all(len(line) <= 100 for line in out.splitlines())


def test_scan_prints_text_on_a_terminal_and_json_otherwise(
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _run(capsys, "scan", files[0])[1]
    assert json.loads(out)["document"]["name"] == "v1.txt"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    out = _run(capsys, "scan", files[0])[1]
    assert out.startswith("terms/v1.txt\n") and "findings" in out


def test_fail_on_gates_on_the_most_severe_finding(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # v2 excludes the EU: a `high` finding
    assert _run(capsys, "scan", files[1], "--fail-on", "high")[0] == EXIT_FINDINGS
    assert _run(capsys, "scan", files[1], "--fail-on", "blocker")[0] == EXIT_OK
    assert _run(capsys, "scan", files[0], "--fail-on", "high")[0] == EXIT_OK
    assert _run(capsys, "scan", *files, "--fail-on", "medium")[0] == EXIT_FINDINGS


def test_a_folder_is_scanned_recursively_for_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    repo = Path("models/kestrel-7b")
    (repo / "docs").mkdir(parents=True)
    (repo / "README.md").write_text("# Kestrel\n\n" + V2, encoding="utf-8")
    (repo / "LICENSE").write_text(V1, encoding="utf-8")
    (repo / "docs" / "terms.txt").write_text(V1, encoding="utf-8")
    (repo / "model.safetensors").write_bytes(b"\x00" * 64)  # weights: skipped
    (repo / "config.json").write_text("{}", encoding="utf-8")
    Path("models/.git").mkdir()
    (Path("models/.git") / "notes.txt").write_text(V1, encoding="utf-8")
    blob = Path("blobs/0123abcd")  # a Hugging Face cache links files to blobs
    blob.parent.mkdir()
    blob.write_text(V2, encoding="utf-8")
    (repo / "USE_POLICY.md").symlink_to(blob.resolve())
    status, out, err = _run(capsys, "scan", "models")
    assert status == EXIT_OK, err
    names = [r["document"]["name"] for r in json.loads(out)]
    assert names == ["LICENSE", "README.md", "USE_POLICY.md", "terms.txt"]
    Path("empty-folder").mkdir()
    status, _, err = _run(capsys, "scan", "empty-folder")
    assert status == EXIT_INPUT and "holds no .txt, .md or .pdf document" in err


def test_progress_bar_only_for_several_files_on_a_terminal(
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run(capsys, "scan", *files)[2] == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _run(capsys, "scan", files[0])[2] == ""
    err = _run(capsys, "scan", *files)[2]
    assert "/2 [" in err and "doc/s" in err  # drawn, then cleared (leave=False)


def test_scan_json_output_is_unchanged_by_the_registry(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, default, _ = _run(capsys, "scan", files[0])
    assert status == EXIT_OK
    assert _run(capsys, "scan", files[0], "--format", "json")[1] == default
    result = json.loads(default)
    assert default == json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    assert [c["type"] for c in result["clauses"]] == [
        "usage_threshold",
        "governing_law",
    ]
    _, both, _ = _run(capsys, "scan", *files)
    assert [r["document"]["name"] for r in json.loads(both)] == ["v1.txt", "v2.txt"]


def test_scan_sarif_has_one_run_per_input_pointing_at_the_path(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "scan", *files, "--format", "sarif")
    assert status == EXIT_OK, err
    log = json.loads(out)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 2
    results: list[dict[str, Any]] = log["runs"][1]["results"]
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r["locations"]
    }
    assert uris == {"terms/v2.txt"}
    lines = {
        loc["physicalLocation"]["region"]["startLine"]
        for r in results
        for loc in r["locations"]
    }
    assert 5 in lines, "the EU exclusion on line 5 of v2 is flagged"


def test_scan_cyclonedx_prints_a_bom(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "scan", files[1].resolve(), "--format", "cyclonedx")
    assert status == EXIT_OK
    bom = json.loads(out)
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    # the component is the model's document, not a path on this machine
    [component] = bom["components"]
    assert (component["name"], component["bom-ref"]) == ("v2.txt", "model:v2.txt")


def _sarif_uris(out: str) -> set[str]:
    return {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for run in json.loads(out)["runs"]
        for r in run["results"]
        for loc in r["locations"]
    }


def test_sarif_uris_are_relative_to_the_working_folder_or_base(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    absolute = files[1].resolve()
    status, out, _ = _run(capsys, "scan", absolute, "--format", "sarif")
    assert status == EXIT_OK and _sarif_uris(out) == {"terms/v2.txt"}
    out = _run(capsys, "scan", absolute, "--format", "sarif", "--base", "terms")[1]
    assert _sarif_uris(out) == {"v2.txt"}
    elsewhere = absolute.parent / "x"
    out = _run(capsys, "scan", absolute, "--format", "sarif", "--base", elsewhere)[1]
    assert _sarif_uris(out) == {absolute.as_uri()}


def test_diff_json_cites_the_threshold_change_and_the_new_clause(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "diff", *files)
    assert status == EXIT_OK, err
    diff = json.loads(out)
    assert (diff["old"], diff["new"]) == ("v1.txt", "v2.txt")
    assert diff["counts"] == {"changed": 1, "added": 1, "removed": 0, "unchanged": 1}
    changed, added = diff["changes"]
    assert changed["param_changes"] == [
        {"path": "thresholds[0].value", "old": 700_000_000, "new": 1_000_000_000}
    ]
    assert (
        V1[changed["old"]["start"] : changed["old"]["end"]] == changed["old"]["quote"]
    )
    assert (
        V2[changed["new"]["start"] : changed["new"]["end"]] == changed["new"]["quote"]
    )
    assert added["clause_type"] == "geographic_restriction"
    assert added["new"]["params"] == {"regions": ["EU"], "mode": "excluded"}


def test_diff_markdown_report(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "diff", *files, "--format", "markdown")
    assert status == EXIT_OK
    assert out.startswith("# Changes from v1.txt to v2.txt\n")
    assert "thresholds[0].value 700,000,000 → 1,000,000,000" in out


def test_diff_of_a_missing_or_empty_file_is_one_line(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "diff", files[0], "terms/missing.txt")
    assert (status, out) == (EXIT_INPUT, "")
    assert err == "clausewise: error: terms/missing.txt does not exist\n"
    Path("empty.txt").write_text("", encoding="utf-8")
    status, _, err = _run(capsys, "diff", "empty.txt", files[1])
    assert status == EXIT_INPUT and err == "clausewise: error: empty.txt is empty\n"


def test_worker_delegates_its_options_to_the_job_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import service.worker as worker

    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(list(argv))
        return 3

    monkeypatch.setattr(worker, "main", fake_main)
    assert main(["worker", "--concurrency", "2", "-Q", "scans"]) == 3
    assert seen == [["--concurrency", "2", "-Q", "scans"]]


def test_jobs_scan_in_processes_and_keep_the_input_order(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # eight inputs, one of them unreadable, scanned by 1 and by 3 processes
    names = []
    for i in range(7):
        path = Path(f"terms/copy-{i}.txt")
        path.write_text(V2 if i % 2 else V1, encoding="utf-8")
        names.append(path)
    Path("terms/empty.txt").write_text("", encoding="utf-8")
    names.insert(3, Path("terms/empty.txt"))
    one = _run(capsys, "scan", *names, "--format", "json", "-j", "1")
    three = _run(capsys, "scan", *names, "--format", "json", "-j", "3")
    assert one == three
    status, out, err = three
    assert status == EXIT_INPUT
    assert err == "clausewise: error: terms/empty.txt is empty\n"
    order = [r["document"]["name"] for r in json.loads(out)]
    assert order == [p.name for p in names if p.name != "empty.txt"]


def test_jobs_must_be_a_positive_count(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["scan", str(files[0]), "-j", "0"])
    assert stopped.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err
