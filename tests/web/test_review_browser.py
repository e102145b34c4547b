"""A whole review in headless Chromium, then the gold labels it leaves.

A reviewer rejects one clause, retypes one, moves a boundary, has an invalid
parameter refused and then saves a valid one, adds a clause the extractor
missed by selecting its text, and marks the document reviewed; the labels
the API then gives must be exactly those decisions. The document has CR LF
line ends and a character outside the BMP before every clause, so the page
script's offsets (UTF-16, LF-only DOM text) must be mapped to the server's
(code points of the stored text) for any of it to come out right.

Each step is saved as a screenshot under the test's tmp dir and copied to
/tmp/review-shots/.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Page,
    Response,
    expect,
    sync_playwright,
)

from service.cli import main as cli_main
from tests.web.helpers import LICENSE_V1
from tests.web.server import Server, running_server
from tests.web.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin)"
)
MISSED: Final = (
    "Nobody may use what the Larkspur Materials produce to train a rival model."
)
"""A sentence the extractor does not tag (checked below): the reviewer adds it."""
TEXT: Final = (
    LICENSE_V1.replace("version 1", "version 1 \U0001f33f") + f"6. Outputs. {MISSED}\n"
).replace("\n", "\r\n")
SHOTS_COPY: Final = Path("/tmp/review-shots")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("review-browser")) as running:
        yield running


@pytest.fixture
def page(server: Server) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            base_url=server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


class Shots:
    """Numbered full-page screenshots, kept in tmp and copied for the lead."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        SHOTS_COPY.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        shutil.copy(path, SHOTS_COPY / path.name)


def _api_bytes(server: Server, path: str) -> bytes:
    request = urllib.request.Request(
        server.url + path, headers={"Authorization": f"Bearer {server.reviewer_key}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        data: bytes = answer.read()
    return data


def _export_scores_as_the_accuracy_page(
    page: Page, server: Server, labels: dict[str, Any], shot: Any
) -> None:
    """The exported archive holds these labels; `clausewise eval` on it prints
    the figures the accuracy page shows."""
    archive = _api_bytes(server, "/v1/labels/export")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = tar.extractfile("labels/larkspur-review.txt.json")
        assert member is not None
        assert json.loads(member.read()) == labels
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.tar.gz"
        path.write_bytes(archive)
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            assert cli_main(["eval", "--corpus", str(path), "--out", tmp]) == 0
        report = json.loads((Path(tmp) / "eval.json").read_text(encoding="utf-8"))
    micro = report["micro"]
    page.goto("/accuracy")
    row = page.locator("#accuracy-table tr.micro").last
    cells = [c.strip() for c in row.locator("td, th").all_inner_texts()]
    shot("accuracy")
    assert cells[2:] == [
        f"{micro['precision']:.3f}",
        f"{micro['recall']:.3f}",
        f"{micro['f1']:.3f}",
        str(micro["tp"]),
        str(micro["fp"]),
        str(micro["fn"]),
    ], printed.getvalue()
    assert f"{micro['f1']:.3f}" in printed.getvalue()


def _api(server: Server, path: str) -> Any:
    request = urllib.request.Request(
        server.url + path, headers={"Authorization": f"Bearer {server.reviewer_key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _prev_word_end(text: str, end: int) -> int:
    """Where `{` puts an end: the end of the word before the one it closes."""
    while end > 0 and not text[end - 1].isspace():
        end -= 1
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _sign_in(page: Page, key: str) -> None:
    page.goto("/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()


def _upload(page: Page, path: Path) -> str:
    page.goto("/upload")
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    page.wait_for_url("**/documents/*")
    return page.url.rsplit("/", 1)[1]


def _pick(page: Page, clause_type: str, label: str) -> None:
    page.locator(f'#doc-text mark.opens[data-types="{clause_type}"]').click()
    expect(page.locator("#ed-summary")).to_contain_text(label)


def _saved(page: Page, message: str) -> None:
    expect(page.locator("#review-status")).to_have_text(message)


# Scroll `needle` of the rendered text into view; return the points the mouse
# drags from (`skipStart` characters in) and to (`skipEnd` before its end).
DRAG_POINTS = """([needle, skipStart, skipEnd]) => {
    const root = document.getElementById("doc-text");
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const at = node.data.indexOf(needle);
        if (at === -1) { continue; }
        const box = (offset) => {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            return range.getBoundingClientRect();
        };
        root.scrollTop += box(at).top - root.getBoundingClientRect().top - 120;
        const point = (offset) => {
            const b = box(offset);
            return [b.left + 1, b.top + b.height / 2];
        };
        return [point(at + skipStart), point(at + needle.length - skipEnd)];
    }
    return null;
}"""


def test_a_review_end_to_end_gives_exactly_its_labels(
    page: Page, server: Server, tmp_path: Path
) -> None:
    shot = Shots(page, tmp_path)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        # a failed request is listed by `response` below, with its address
        if message.type == "error" and "Failed to load" not in message.text:
            problems.append(message.text)

    def response(answer: Response) -> None:
        if answer.status >= 400:
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    source = tmp_path / "larkspur-review.txt"
    source.write_bytes(TEXT.encode())
    _sign_in(page, server.reviewer_key)
    document_id = _upload(page, source)
    start = _api(server, f"/v1/documents/{document_id}/review")
    found = {c["type"]: c for c in start["clauses"]}
    assert sorted(found) == sorted(
        [
            "usage_threshold",
            "attribution",
            "aup_incorporation",
            "geographic_restriction",
        ]
    )
    missed_at = TEXT.index(MISSED)
    assert not any(c["start"] <= missed_at < c["end"] for c in start["clauses"])
    expect(page.locator("#review-state")).to_have_text("Unreviewed")
    expect(page.locator("#reviewer-name")).to_have_text("Rita")
    expect(page.locator("#review-keys")).to_contain_text("accept")
    shot("start")

    # 1. reject the geographic restriction (click it, press r)
    _pick(page, "geographic_restriction", "Geographic restriction")
    page.keyboard.press("r")
    _saved(page, "Rejected.")
    expect(page.locator("#review-state")).to_have_text("In progress")
    row = page.locator(
        f'#clause-list li[data-key="{found["geographic_restriction"]["key"]}"]'
    )
    expect(row.locator(".status")).to_have_text("rejected")
    expect(
        page.locator('#doc-text mark.opens[data-types="geographic_restriction"]')
    ).to_have_class("clause t-geographic_restriction opens rejected selected")
    shot("rejected")

    # 2. retype the policy clause (t, choose the type, fill its parameter)
    _pick(page, "aup_incorporation", "Use policy by reference")
    page.keyboard.press("t")
    expect(page.locator("#ed-type")).to_be_focused()
    page.locator("#ed-type").select_option("unilateral_change")
    page.get_by_label("Target (required)").select_option("policy")
    expect(page.locator("#ed-pending")).to_have_text(
        "Save will change the type to Unilateral change."
    )
    shot("retype-before-saving")
    page.keyboard.press("Enter")
    _saved(page, "Saved.")
    aup_key = found["aup_incorporation"]["key"]
    expect(page.locator(f'#clause-list li[data-key="{aup_key}"] .tag')).to_have_text(
        "Unilateral change"
    )
    shot("retyped")

    # 3. move the attribution's end one word earlier (k from the retyped
    #    clause, then {); the quote as it will be saved shows first
    page.keyboard.press("k")
    expect(page.locator("#editor-title")).to_have_text("Clause 2 of 4")
    attribution = found["attribution"]
    new_end = _prev_word_end(TEXT, attribution["end"])
    for key in ("]", "}", "Escape"):  # moved both ways, then discarded
        page.keyboard.press(key)
    expect(page.locator("#ed-pending")).to_have_text("No unsaved changes.")
    for key in ("]", "[", "}", "{", "{"):  # there and back, then one earlier
        page.keyboard.press(key)
    quote = TEXT[attribution["start"] : new_end]
    expect(page.locator("#ed-quote .quote")).to_have_text(quote.replace("\r\n", "\n"))
    expect(page.locator("#ed-offsets")).to_have_text(
        f"[{attribution['start']}, {new_end}), {new_end - attribution['start']}"
        " characters"
    )
    expect(page.locator("#ed-pending")).to_have_text("Save will move the span.")
    shot("move-before-saving")
    page.locator("#ed-save").click()
    _saved(page, "Saved.")
    shot("moved")

    # 4. edit the threshold's value: refused first (0), then saved
    page.keyboard.press("k")
    expect(page.locator("#editor-title")).to_have_text("Clause 1 of 4")
    value = page.get_by_label("Value (required)")
    expect(value).to_have_value("700000000")
    value.fill("0")
    value.press("Enter")
    error = page.locator("#ed-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Not saved (422)")
    expect(error).to_contain_text("thresholds.0.value: Input should be greater than 0")
    expect(page.locator(".pf-error")).to_have_text("Input should be greater than 0")
    expect(value).to_have_attribute("aria-invalid", "true")
    shot("params-refused")
    value.fill("500000000")
    value.press("Enter")
    _saved(page, "Saved.")
    shot("params-saved")

    # 5. add the missed sentence: drag over it from inside its first word
    #    to inside its last one; the span snaps to whole words
    points = page.evaluate(DRAG_POINTS, [MISSED, 2, 3])
    assert points is not None
    page.mouse.move(*points[0])
    page.mouse.down()
    page.mouse.move(*points[1], steps=8)
    page.mouse.up()
    expect(page.locator("#editor-title")).to_have_text(
        "New clause (from your selection)"
    )
    expect(page.locator("#ed-quote .quote")).to_have_text(MISSED)
    page.locator("#ed-type").select_option("output_restriction")
    shot("add-before-saving")
    page.locator("#ed-save").click()
    _saved(page, "Clause added.")
    expect(page.locator("#clause-list li")).to_have_count(5)
    shot("added")

    # 6. mark reviewed
    page.get_by_role("button", name="Mark reviewed").click()
    _saved(page, "Marked reviewed.")
    expect(page.locator("#review-state")).to_have_text("Reviewed")
    expect(page.get_by_role("button", name="Reopen the review")).to_be_visible()
    history = page.locator("#history li")
    expect(history).to_have_count(6)  # the refused edit stored nothing
    expect(history.first).to_contain_text("Rita")
    expect(history.first).to_contain_text("mark reviewed")
    expect(page.locator(".reviewers")).to_contain_text("Rita: reviewed, 6 decisions")
    page.evaluate("document.querySelector('.side').scrollTop = 0")
    shot("reviewed")

    labels = _api(server, f"/v1/documents/{document_id}/labels")
    assert labels == {"doc": "larkspur-review.txt", "spans": _expected(found)}
    _export_scores_as_the_accuracy_page(page, server, labels, shot)

    # a key without a reviewer name reads Rita's review and changes nothing
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, server.key)
    page.goto(f"/documents/{document_id}")
    expect(page.locator("#read-only-note")).to_contain_text("Read-only.")
    expect(page.locator("#review-state")).to_have_text("Reviewed")
    expect(page.locator("#editor")).to_have_count(0)
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator("#review-status")).to_have_text(
        "Read-only: this key carries no reviewer name, so nothing can be changed."
    )
    shot("read-only")
    assert _api(server, f"/v1/documents/{document_id}/labels") == labels
    # no script error, nothing the Content-Security-Policy refused, no failed
    # request but the refused parameters (and the favicon nobody serves)
    assert [p for p in problems if not p.endswith("/favicon.ico")] == [
        f"422 {server.url}/documents/{document_id}/review"
    ]


def _expected(found: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The gold spans the six decisions above must leave, in document order."""

    def span(clause: dict[str, Any], **change: Any) -> dict[str, Any]:
        out = {k: clause[k] for k in ("type", "start", "end", "params")} | change
        out["quote"] = TEXT[out["start"] : out["end"]]
        return out

    threshold = found["usage_threshold"]
    value = dict(threshold["params"]["thresholds"][0], value=500_000_000)
    attribution = found["attribution"]
    added_start = len(TEXT[: TEXT.index(MISSED)])
    spans = [
        span(threshold, params={"thresholds": [value]}),
        span(attribution, end=_prev_word_end(TEXT, attribution["end"])),
        span(
            found["aup_incorporation"],
            type="unilateral_change",
            params={"target": "policy"},
        ),
        {
            "type": "output_restriction",
            "start": added_start,
            "end": added_start + len(MISSED),
            "quote": MISSED,
            "params": {},
        },
    ]
    return sorted(spans, key=lambda s: (s["start"], s["end"], s["type"]))
