"""Accessibility checks of a served page's HTML (landmarks, labels, language)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Page(HTMLParser):
    """Collect tags, ids, label targets and form controls of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def parse(html: str) -> list[tuple[str, dict[str, str]]]:
    page = _Page()
    page.feed(html)
    return page.tags


def unlabelled_controls(html: str) -> list[str]:
    """Return the ids (or names) of visible form controls without a label."""
    tags = parse(html)
    targets = {attrs.get("for") for tag, attrs in tags if tag == "label"}
    missing = []
    for tag, attrs in tags:
        if tag not in {"input", "select", "textarea"}:
            continue
        if attrs.get("type") in {"hidden", "submit", "button"}:
            continue
        if attrs.get("id") not in targets and not attrs.get("aria-label"):
            missing.append(attrs.get("id") or attrs.get("name") or tag)
    return missing


def assert_accessible_page(html: str) -> None:
    """Check language, landmarks, skip link, and a label for every control."""
    tags = parse(html)
    names = [tag for tag, _ in tags]
    html_tag = next(attrs for tag, attrs in tags if tag == "html")
    assert html_tag.get("lang") == "en"
    for landmark in ("header", "main", "footer"):
        assert names.count(landmark) == 1, landmark
    main = next(attrs for tag, attrs in tags if tag == "main")
    skip = next(attrs for tag, attrs in tags if tag == "a")
    assert skip.get("href") == f"#{main['id']}", "the first link skips to main"
    assert names.count("h1") == 1
    assert unlabelled_controls(html) == []
