"""The whole review in headless Chromium against a real server.

Sign in, upload a license, see its clauses highlighted, jump to a finding's
citation, apply a profile, upload a second version and read the diff, then
run a batch. Every page is saved to `test-output/screenshots/`.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.web.conftest import SCREENSHOTS
from tests.web.helpers import CARDS, LICENSE_V1, LICENSE_V2, TYPES
from tests.web.server import Server, running_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[Page]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            base_url=server.url, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _api_profile(server: Server) -> None:
    """Store an organisation profile through the API, as an admin would."""
    body = {
        "name": "acme-eu",
        "profile": {"monthly_active_users": 8e8, "regions": ["DE"]},
    }
    request = urllib.request.Request(
        server.url + "/v1/profiles",
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {server.key}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


def _upload(page: Page, path: Path, version: str) -> None:
    page.goto("/upload")
    page.set_input_files("#file", str(path))
    page.fill("#family", "larkspur")
    page.fill("#version", version)
    page.click("#upload-button")
    page.wait_for_url("**/documents/*")


def test_review_in_the_browser(page: Page, server: Server, tmp_path: Path) -> None:
    page.goto("/documents")
    expect(page).to_have_url(f"{server.url}/login?next=/documents")
    shot(page, "01-login")
    page.get_by_label("API key").fill(server.key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    cookie = next(c for c in page.context.cookies() if c["name"] == "cw_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"

    v1, v2 = tmp_path / "larkspur-v1.txt", tmp_path / "larkspur-v2.txt"
    v1.write_text(LICENSE_V1)
    v2.write_text(LICENSE_V2)
    page.goto("/upload")
    shot(page, "02-upload")
    _upload(page, v1, "1")
    expect(page.get_by_role("heading", name="larkspur-v1.txt")).to_be_visible()
    for clause_type in TYPES:
        expect(page.locator(f'mark.clause[data-types="{clause_type}"]')).to_have_count(
            1
        )
    legend = page.locator(".legend li")
    expect(legend).to_have_count(len(TYPES))
    shot(page, "03-document")

    page.locator("#doc-text mark.clause").first.focus()
    expect(page.locator("#clause-info")).to_have_text("Usage threshold (score 0.90)")
    target = page.locator('#doc-text mark[data-types="geographic_restriction"]')
    expect(target).not_to_be_in_viewport()
    high = page.locator("section.group-high")
    high.locator("button.cite").first.click()
    expect(target).to_be_in_viewport()
    expect(target).to_have_class("clause t-geographic_restriction opens current")
    expect(target).to_be_focused()
    expect(page.locator("#clause-info")).to_have_text(
        "Geographic restriction (score 0.90)"
    )
    shot(page, "04-document-citation")

    _keyboard_reaches_findings_and_clauses(page)

    _api_profile(server)
    page.reload()
    page.get_by_label("Evaluate against profile").select_option(label="acme-eu")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#profile-note")).to_contain_text("acme-eu")
    expect(page.locator("section.group-blocker .verdict").first).to_contain_text(
        "800,000,000"
    )
    shot(page, "05-document-profile")

    _upload(page, v2, "2")
    page.goto("/families/larkspur")
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    shot(page, "06-family")
    page.get_by_label("From (old)").select_option("1")
    page.get_by_label("To (new)").select_option("2")
    page.get_by_role("button", name="Show the diff").click()
    row = page.locator("tr.row-changed").first
    expect(row).to_contain_text("Usage threshold")
    param = page.locator(".param").first
    expect(param.locator("dt")).to_have_text("thresholds[0].value")
    expect(param.locator(".old-value")).to_have_text("700,000,000")
    expect(param.locator(".new-value")).to_have_text("1,000,000,000")
    shot(page, "07-diff")


def _tab_stops_to(page: Page, selector: str, limit: int = 30) -> list[str]:
    """Press Tab from the top until focus is inside `selector`; return each stop."""
    page.reload()
    stops: list[str] = []
    while len(stops) < limit:
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """s => {
                const e = document.activeElement;
                return (e.closest(s) ? "IN " : "") + e.tagName + "." + e.className;
            }""",
            selector,
        )
        stops.append(stop)
        if stop.startswith("IN "):
            return stops
    raise AssertionError(f"{limit} Tab presses did not reach {selector}: {stops}")


def _keyboard_reaches_findings_and_clauses(page: Page) -> None:
    """Clause marks are not tab stops: the findings are two Tabs and Enter
    away by the skip link, about twenty without it, and `j`/`k` walk the
    clauses."""
    stops = _tab_stops_to(page, "#findings")
    # 3 skip links, brand, 6 nav links, sign out, the family link, 5 exports,
    # the scrollable text, the review panel's history and clause list
    # (their summaries; this key only reads the review): then the profile
    # select in the findings panel.
    assert len(stops) <= 21, stops
    assert not any(stop.startswith("MARK") for stop in stops), stops
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link").nth(1)
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to the findings")
    shot(page, "03a-document-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("#findings")).to_be_focused()
    expect(page.locator("#keys-hint")).to_be_visible()
    clauses = page.locator("#doc-text mark.clause.opens")
    page.keyboard.press("j")
    expect(clauses.nth(0)).to_be_focused()
    expect(page.locator("#clause-info")).to_have_text("Usage threshold (score 0.90)")
    page.keyboard.press("j")
    expect(clauses.nth(1)).to_be_focused()
    shot(page, "03b-document-keyboard")
    page.keyboard.press("k")
    expect(clauses.nth(0)).to_be_focused()
    select = page.get_by_label("Evaluate against profile")
    select.focus()
    page.keyboard.press("j")  # typing in a form field is left alone
    expect(select).to_be_focused()


EU_TERMS = "No rights under this license are granted in the European Union.\n"
EXTRA_CARDS = "\n".join(
    json.dumps({"id": f"acme/eu-{n}", "text": f"Card {n}. " + EU_TERMS})
    for n in range(37)
)
"""Distinct texts (no cache hits), so the batch runs long enough to watch."""
DROP = """() => {
    const data = new DataTransfer();
    data.items.add(new File(["# Card\\n\\nReleased under the MIT license.\\n"],
                            "card.md", {type: "text/markdown"}));
    data.items.add(new File(["Use of the model is limited to research.\\n"],
                            "terms.txt", {type: "text/plain"}));
    return data;
}"""


def _sign_in_if_needed(page: Page, server: Server, path: str) -> None:
    page.goto(path)
    if "/login" in page.url:  # the review test did not run first
        page.get_by_label("API key").fill(server.key)
        page.get_by_role("button", name="Sign in").click()
        page.goto(path)


def test_drop_several_files_and_see_progress(page: Page, server: Server) -> None:
    _sign_in_if_needed(page, server, "/upload")
    page.dispatch_event(
        "#drop-zone", "drop", {"dataTransfer": page.evaluate_handle(DROP)}
    )
    expect(page.locator("#upload-status")).to_contain_text("2 file(s) ready")
    page.get_by_role("button", name="Upload and scan").click()
    expect(page.locator("#upload-status")).to_have_text(
        "2 of 2 file(s) stored. Open them below."
    )
    rows = page.locator("#upload-list li")
    expect(rows).to_have_count(2)
    for index in range(2):
        expect(rows.nth(index).locator("progress")).to_have_attribute("value", "100")
    shot(page, "02b-upload-progress")
    page.get_by_role("link", name="Open card.md").click()
    expect(page.get_by_role("heading", name="card.md")).to_be_visible()


def _api_upload(server: Server, text: str) -> str:
    """Store a document through the API: stored, not scanned."""
    body = json.dumps({"text": text, "name": "unscanned.txt"}).encode()
    request = urllib.request.Request(
        server.url + "/v1/documents/text",
        data=body,
        headers={
            "Authorization": f"Bearer {server.key}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
        document_id: str = json.loads(answer.read())["id"]
        return document_id


def test_an_unscanned_document_is_scanned_by_its_button(
    page: Page, server: Server
) -> None:
    document_id = _api_upload(server, LICENSE_V1.replace("Larkspur", "Wren"))
    _sign_in_if_needed(page, server, f"/documents/{document_id}")
    expect(page.locator("#scan-state")).to_contain_text("not been scanned yet")
    expect(page.locator("#doc-text mark")).to_have_count(0)
    page.reload()  # viewing again still scans nothing
    shot(page, "03c-document-unscanned")
    page.get_by_role("button", name="Scan").click()
    page.wait_for_url(f"**/documents/{document_id}")
    for clause_type in TYPES:
        expect(page.locator(f'mark.clause[data-types="{clause_type}"]')).to_have_count(
            1
        )
    expect(page.locator("#scan-state")).to_have_count(0)


def test_batch_in_the_browser(page: Page, server: Server, tmp_path: Path) -> None:
    cards = tmp_path / "cards.jsonl"
    cards.write_text(CARDS + "\n" + EXTRA_CARDS)
    _sign_in_if_needed(page, server, "/batches")
    page.set_input_files("#jsonl", str(cards))
    page.get_by_role("button", name="Submit batch").click()
    page.wait_for_url("**/batches/*")
    shot(page, "08a-batch-progress")
    expect(page.locator("#batch-status")).to_have_text("done", timeout=30_000)
    expect(page.locator("#progress-bar")).to_have_attribute("value", "40")
    expect(page.locator("#results tbody tr")).to_have_count(40)
    shot(page, "08-batch")
    page.get_by_label("Clause type").select_option("geographic_restriction")
    page.get_by_label("Severity").select_option("high")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#results tbody tr")).to_have_count(38)
    page.get_by_label("Clause type").select_option("attribution")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("acme/alpha")
    shot(page, "09-batch-filtered")
    page.get_by_role("link", name="acme/alpha").click()
    expect(page.get_by_role("heading", name="Card acme/alpha")).to_be_visible()
    shot(page, "10-card")
    page.goto("/batches")
    shot(page, "11-batches")
    page.goto("/documents")
    shot(page, "12-documents")
    page.goto("/families")
    shot(page, "13-families")
    page.goto("/documents/00000000-0000-0000-0000-000000000000")
    expect(page.get_by_role("heading", name="404 · Not Found")).to_be_visible()
    shot(page, "14-not-found")
