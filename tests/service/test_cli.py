"""The `clausewise` command line, driven through `main([...])` as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.cli import EXIT_CONFIG, EXIT_INPUT, EXIT_OK, main

ROOT = Path(__file__).resolve().parents[2]
PARSE_FIXTURES = ROOT / "tests" / "fixtures" / "parse"
PROFILE = ROOT / "examples" / "profile.example.yml"

LICENSE_TXT = (
    "Zephyr Model Terms\r\n"
    "\r\n"
    "1. If the products you offer exceed 500 million monthly active users, you\r\n"
    "must request a separate license from Zephyr Labs.\r\n"
    "2. You may use the Model solely for non-commercial purposes.\r\n"
    "3. This Agreement is governed by the laws of the State of Delaware.\r\n"
)
CARD_MD = (
    "# Zephyr-mini\n"
    "\n"
    '- You must display "Built with Zephyr" in any product that uses the model.\n'
    "- You shall not use the outputs of the model to train any other language"
    " model.\n"
)
CLAUSE_KEYS = {
    "type",
    "start",
    "end",
    "quote",
    "line",
    "page",
    "score",
    "params",
    "extractor",
}


def _write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _types(result: dict[str, Any]) -> list[str]:
    return [clause["type"] for clause in result["clauses"]]


# --- good input ------------------------------------------------------------------


def test_scan_txt_prints_cited_clauses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    status, out, err = _run(capsys, "scan", path)
    assert status == EXIT_OK, err
    result = json.loads(out)
    assert result["document"]["name"] == "zephyr.txt"
    assert result["document"]["media_type"] == "text/plain"
    assert _types(result) == [
        "usage_threshold",
        "commercial_restriction",
        "governing_law",
    ]
    for clause in result["clauses"]:
        assert CLAUSE_KEYS <= set(clause)
        assert LICENSE_TXT[clause["start"] : clause["end"]] == clause["quote"]
        assert clause["extractor"] == "patterns"
        assert 0.0 < clause["score"] <= 1.0
        assert clause["page"] == 1
    threshold, commercial, law = result["clauses"]
    assert threshold["line"] == 3
    assert "\r\n" in threshold["quote"]  # hard-wrapped sentence, CRLF kept
    assert threshold["params"]["thresholds"] == [
        {
            "metric": "monthly_active_users",
            "value": 500_000_000,
            "consequence": "license_required",
        }
    ]
    assert commercial["line"] == 5
    assert commercial["params"] == {"scope": "non_commercial"}
    assert law["line"] == 6
    assert law["params"] == {"jurisdiction": "US-DE"}


def test_scan_markdown_card(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "card.md", CARD_MD)
    status, out, err = _run(capsys, "scan", path)
    assert status == EXIT_OK, err
    result = json.loads(out)
    assert result["document"]["media_type"] == "text/markdown"
    assert _types(result) == ["attribution", "output_restriction"]
    attribution = result["clauses"][0]
    assert attribution["quote"].startswith("You must display")
    assert attribution["params"] == {
        "kind": "display_notice",
        "text": "Built with Zephyr",
    }
    assert attribution["line"] == 3


def test_scan_two_inputs_prints_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    txt = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    md = _write(tmp_path, "card.md", CARD_MD)
    status, out, _ = _run(capsys, "scan", txt, md)
    assert status == EXIT_OK
    results = json.loads(out)
    assert [r["document"]["name"] for r in results] == ["zephyr.txt", "card.md"]


def test_scan_markdown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    status, out, _ = _run(capsys, "scan", "--format", "markdown", path)
    assert status == EXIT_OK
    assert out.startswith("# zephyr.txt\n")
    assert "## Findings" in out
    assert "## Clauses" in out
    assert "| usage_threshold | 3 | 1 |" in out
    assert "| governing_law | 6 | 1 |" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_out_dir_keeps_exact_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    out_dir = tmp_path / "results" / "nested"
    status, out, err = _run(capsys, "scan", "--out", out_dir, path)
    assert status == EXIT_OK, err
    assert out == ""  # results go to files, not stdout
    written = json.loads((out_dir / "zephyr.txt.json").read_text(encoding="utf-8"))
    text_bytes = (out_dir / "zephyr.txt.text").read_bytes()
    assert text_bytes == LICENSE_TXT.encode("utf-8")
    assert b"\r\n" in text_bytes
    text = text_bytes.decode("utf-8")
    for clause in written["clauses"]:
        assert text[clause["start"] : clause["end"]] == clause["quote"]


def test_profile_adds_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    _, plain_out, _ = _run(capsys, "scan", path)
    status, out, err = _run(capsys, "scan", "--profile", PROFILE, path)
    assert status == EXIT_OK, err
    plain = json.loads(plain_out)
    profiled = json.loads(out)
    assert plain["findings"], "the fixture must trigger risk findings"
    assert all(f["verdict"] is None for f in plain["findings"])
    assert profiled["findings"]
    assert all(f["verdict"] for f in profiled["findings"])


def test_explain_adds_discarded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = (
        "If you access or use Acme models, you agree to this Acceptable Use Policy.\n"
    )
    path = _write(tmp_path, "aup.txt", policy)
    _, plain_out, _ = _run(capsys, "scan", path)
    status, out, _ = _run(capsys, "scan", "--explain", path)
    assert status == EXIT_OK
    assert "discarded" not in json.loads(plain_out)
    result = json.loads(out)
    assert result["clauses"] == []
    # each rule the self-binding vetoes leaves its own discard, all look-alikes
    assert result["discarded"]
    for item in result["discarded"]:
        assert item["type"] == "aup_incorporation"
        assert item["reason"] == "look-alike"
        assert policy[item["start"] : item["end"]] == item["quote"]
    assert any("SELF_POLICY" in item["detail"] for item in result["discarded"])


# --- bad input -------------------------------------------------------------------


def _assert_one_line_error(err: str, *needles: str) -> None:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("clausewise: error: ")
    for needle in needles:
        assert needle in lines[0]


BAD_INPUTS: list[tuple[str, str, bytes, str]] = [
    ("empty", "empty.txt", b"", "is empty"),
    ("whitespace", "blank.txt", b" \n\t\n", "white space"),
    ("binary", "junk.txt", bytes(range(256)) * 8, "binary"),
    ("invalid-utf8", "bad.txt", b"Plain words \xff\xfe\xc3 and more words.\n", "UTF-8"),
    ("corrupt-pdf", "broken.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n", "PDF"),
]


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_document_is_one_line_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    needle: str,
) -> None:
    path = _write(tmp_path, name, content)
    status, out, err = _run(capsys, "scan", path)
    assert status == EXIT_INPUT
    assert out == ""
    _assert_one_line_error(err, name, needle)


def test_encrypted_pdf(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, "scan", PARSE_FIXTURES / "encrypted.pdf")
    assert status == EXIT_INPUT
    assert out == ""
    _assert_one_line_error(err, "encrypted.pdf", "encrypted")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "scan", tmp_path / "nowhere.txt")
    assert status == EXIT_INPUT
    _assert_one_line_error(err, "nowhere.txt", "does not exist")


def test_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _run(capsys, "scan", tmp_path)
    assert status == EXIT_INPUT
    _assert_one_line_error(err, "directory")


def test_too_large_by_default_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.txt"
    line = b"You may use the Model for any lawful purpose.\n"
    with path.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // (len(line) * 1024) + 1):
            handle.write(line * 1024)
    assert path.stat().st_size >= 50 * 1024 * 1024
    status, out, err = _run(capsys, "scan", path)
    assert status == EXIT_INPUT
    assert out == ""
    _assert_one_line_error(err, "huge.txt", "limit")


def test_too_large_by_max_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    status, _, err = _run(capsys, "scan", "--max-bytes", "64", path)
    assert status == EXIT_INPUT
    _assert_one_line_error(err, "zephyr.txt", "limit")


BAD_PROFILES: list[tuple[str, str, str]] = [
    ("wrong-type", "name: Acme\nmonthly_active_users: lots\n", "monthly_active_users"),
    ("unknown-field", "name: Acme\nfavourite_colour: red\n", "favourite_colour"),
    ("bad-region", "name: Acme\nregions: [Atlantis]\n", "regions"),
]


@pytest.mark.parametrize(
    ("content", "needle"),
    [case[1:] for case in BAD_PROFILES],
    ids=[case[0] for case in BAD_PROFILES],
)
def test_bad_profile_is_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    doc = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    profile = _write(tmp_path, "org.yml", content)
    status, out, err = _run(capsys, "scan", "--profile", profile, doc)
    assert status == EXIT_CONFIG
    assert out == ""
    _assert_one_line_error(err, "org.yml", needle)


def test_missing_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    status, _, err = _run(capsys, "scan", "--profile", tmp_path / "none.yml", doc)
    assert status == EXIT_CONFIG
    _assert_one_line_error(err, "none.yml")


def test_unparsable_profile_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    profile = _write(tmp_path, "org.yml", "name: [unclosed\n")
    status, _, err = _run(capsys, "scan", "--profile", profile, doc)
    assert status == EXIT_CONFIG
    _assert_one_line_error(err, "org.yml")


def test_one_bad_input_does_not_stop_the_good_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    bad = _write(tmp_path, "empty.txt", b"")
    out_dir = tmp_path / "out"
    status, _, err = _run(capsys, "scan", "--out", out_dir, bad, good)
    assert status == EXIT_INPUT
    _assert_one_line_error(err, "empty.txt")
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "zephyr.txt.json",
        "zephyr.txt.text",
    ]
    written = json.loads((out_dir / "zephyr.txt.json").read_text(encoding="utf-8"))
    assert _types(written) == [
        "usage_threshold",
        "commercial_restriction",
        "governing_law",
    ]


def test_one_bad_input_still_prints_the_good_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "zephyr.txt", LICENSE_TXT)
    status, out, err = _run(capsys, "scan", good, tmp_path / "gone.txt")
    assert status == EXIT_INPUT
    _assert_one_line_error(err, "gone.txt")
    assert json.loads(out)["document"]["name"] == "zephyr.txt"


def test_unknown_subcommand_exits_with_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_patterns_only_scan_does_not_import_torch(tmp_path: Path) -> None:
    # spaCy's thinc would import torch (1.5 s, 180 MB) if the model extra is
    # installed; a patterns-only scan must not pay for it.
    import subprocess
    import sys

    doc = tmp_path / "doc.txt"
    doc.write_text("You must retain all copyright notices.\n", encoding="utf-8")
    code = (
        "import sys; from service.cli import main; main(['scan', sys.argv[1]]);"
        " sys.stderr.write(str(sys.modules.get('torch') is not None))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(doc)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.strip().endswith("False")
    assert '"retain_notices"' in done.stdout
