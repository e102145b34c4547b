"""Render a scan result as a CycloneDX 1.6 ML-BOM: one model component, its license.

The component is `type: machine-learning-model`. Its `licenses` is either
`[{"license": {"id": <SPDX id>}}]`, when the document is verbatim a license
on the SPDX list, or `[{"expression": "LicenseRef-clausewise-..."}]`. The
reference goes in `expression` because CycloneDX 1.6 `license.id` is an
enumeration of SPDX list ids (a `LicenseRef-` there fails validation) and
`license.name` is free text that tools do not read as SPDX, whereas
`expression` is "a valid SPDX license expression", and SPDX expressions admit
`LicenseRef-` terms. Both carry `acknowledgement: concluded`: the license was
established by analysing the text, not declared by the supplier.

Findings and clauses are component `properties` under the `clausewise:`
namespace (CycloneDX allows repeated names):

- `clausewise:engine.version`, `clausewise:engine.patterns_sha256`,
  `clausewise:engine.rules_sha256`
- `clausewise:document.name`, `.sha256`, `.media_type`
- `clausewise:license.status`, `.family`, `.version`, `.title`, `.spdx`
  (only those known)
- `clausewise:finding:<rule_id>` = `<severity>: <title> (line N)`, and
  `clausewise:finding:<rule_id>:verdict` when a profile was applied
- `clausewise:clause:<type>` = `line N: <quote, at most 120 characters>`

The serial number is a uuid5 of the document hash unless given, so exporting
the same document twice gives the same BOM identity (pass a uuid4 to opt out).

Built by hand, not with cyclonedx-python-lib's model, for a measured reason:
its components keep `properties` (and licenses) in sorted sets, so the
clauses would come out ordered by the text "line N: ..." (line 10 before
line 9) and equal entries would merge, where a reviewer reads them in
document order. The tests validate every BOM against the CycloneDX 1.6 JSON
schema that cyclonedx-python-lib ships (SPDX ids included).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Final

from extractors.result_json import FindingJSON, ResultJSON
from service.exports.licenses import IDENTIFIED, SPDX_BY_LOWER, license_ref, spdx_id

SPEC_VERSION: Final = "1.6"
SERIAL_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:clausewise:cyclonedx")
"""Fixed namespace of the deterministic serial numbers."""
QUOTE_LIMIT: Final = 120
NS: Final = "clausewise:"
_URL: Final = re.compile(r"https?://\S+$")


def to_cyclonedx(
    result: ResultJSON,
    *,
    component_name: str,
    component_version: str | None = None,
    serial: str | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """Return the CycloneDX 1.6 JSON BOM of one document's result dict.

    :param serial: a `urn:uuid:...`; by default derived from the document hash.
    :param timestamp: when the BOM was made (default: now, UTC).
    """
    engine_version = str(result["engine"]["version"])
    when = (timestamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial or serial_number(result),
        "version": 1,
        "metadata": {
            "timestamp": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "name": "clausewise",
                        "version": engine_version,
                    }
                ]
            },
        },
        "components": [_component(result, component_name, component_version)],
    }


def serial_number(result: ResultJSON) -> str:
    """Return `urn:uuid:<uuid5>` of the document hash (of the result without one)."""
    seed = (
        result["document"].get("sha256")
        or hashlib.sha256(
            json.dumps(result, sort_keys=True, default=str).encode()
        ).hexdigest()
    )
    return f"urn:uuid:{uuid.uuid5(SERIAL_NAMESPACE, str(seed))}"


def licenses(result: ResultJSON) -> list[dict[str, Any]]:
    """Return the component's CycloneDX `licenses` (a license choice).

    What a model card's front matter declares is exported as declared
    (`acknowledgement: declared`), beside what the text was found to be
    (`concluded`). A card whose text is no known license concludes nothing,
    so it carries only its declaration: an unidentified text has no license
    to conclude. CycloneDX does not mix an `expression` with `license`
    entries, so with a declaration a concluded reference goes in `name`.
    """
    info = result.get("license")
    declared = declared_licenses(result["document"].get("metadata") or {})
    spdx = spdx_id(info)
    if spdx is not None:
        return [*declared, {"license": {"id": spdx, "acknowledgement": "concluded"}}]
    ref = license_ref(info, result["document"].get("sha256"))
    if not declared:
        return [{"expression": ref, "acknowledgement": "concluded"}]
    if info is not None and info.get("status") in IDENTIFIED | {"modified"}:
        return [*declared, {"license": {"name": ref, "acknowledgement": "concluded"}}]
    return declared


def declared_licenses(metadata: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the licenses a card's front matter declares, as it spells them.

    `license: other` (or `unknown`) defers to `license_name`. A value that is
    an SPDX list id in another case (`apache-2.0`) becomes that `id`; any
    other (`llama3.1`) is kept verbatim as a `name`, with `license_link` as
    its URL when that is an absolute http(s) address.
    """
    names = _strings(metadata.get("license_name"))
    links = [u for u in _strings(metadata.get("license_link")) if _URL.match(u)]
    out: list[dict[str, Any]] = []
    for value in _strings(metadata.get("license")):
        value = value.strip()
        if value.lower() in ("other", "unknown") and names:
            value = names[0].strip()
        if not value:
            continue
        spdx = SPDX_BY_LOWER.get(value.lower())
        entry: dict[str, Any] = (
            {"id": spdx}
            if spdx
            else {"name": value} | ({"url": links[0]} if links else {})
        )
        out.append({"license": entry | {"acknowledgement": "declared"}})
    return out


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [item for item in items if isinstance(item, str)]


def _component(result: ResultJSON, name: str, version: str | None) -> dict[str, Any]:
    component: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": f"model:{name}@{version}" if version else f"model:{name}",
        "name": name,
    }
    if version:
        component["version"] = version
    component["licenses"] = licenses(result)
    component["properties"] = [
        {"name": NS + key, "value": value} for key, value in properties(result)
    ]
    return component


def properties(result: ResultJSON) -> Iterator[tuple[str, str]]:
    """Yield (name without namespace, value) pairs describing the analysis."""
    for key in ("version", "patterns_sha256", "rules_sha256"):
        yield f"engine.{key}", str(result["engine"][key])
    document = result["document"]
    for key, value in (
        ("name", document.get("name")),
        ("sha256", document.get("sha256")),
        ("media_type", document.get("media_type")),
    ):
        if value:
            yield f"document.{key}", str(value)
    info = result["license"]
    if info is not None:
        for key, named in (
            ("status", info.get("status")),
            ("family", info.get("family")),
            ("version", info.get("version")),
            ("title", info.get("title")),
            ("spdx", info.get("spdx")),
        ):
            if named:
                yield f"license.{key}", str(named)
        for note in info.get("model_card_notes", []):
            yield f"model_card:{note['kind']}", str(note["message"])
    for finding in result["findings"]:
        yield from _finding(finding)
    for clause in result["clauses"]:
        quote = _short(clause["quote"])
        yield f"clause:{clause['type']}", f"line {clause['line']}: {quote}"


def _finding(finding: FindingJSON) -> Iterator[tuple[str, str]]:
    key = f"finding:{finding['rule_id']}"
    lines = [str(c["line"]) for c in finding["citations"]]
    label = "line" if len(lines) == 1 else "lines"
    where = f" ({label} {', '.join(lines)})" if lines else ""
    yield key, f"{finding['severity']}: {finding['title']}{where}"
    if finding.get("verdict"):
        yield f"{key}:verdict", str(finding["verdict"])


def _short(quote: str) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= QUOTE_LIMIT else flat[: QUOTE_LIMIT - 1] + "…"
