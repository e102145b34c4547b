"""Turn clausewise's license identification into an SPDX id or a `LicenseRef-`.

CycloneDX `license.id` must be one of the SPDX License List identifiers (the
schema enumerates them), so an id is emitted only for the short list below:
ids that AI-model repositories use and whose spelling on the SPDX list is
certain. Anything else, including every custom model license (Llama, Gemma,
Qwen...), becomes a `LicenseRef-clausewise-...` reference, which SPDX defines
as a term of a license expression (`LicenseRef-` followed by letters, digits,
`.` and `-`). A wrong id makes the BOM invalid; a reference is always valid.
"""

from __future__ import annotations

import re
from typing import Final

from extractors.result_json import LicenseJSON

SPDX_IDS: Final = frozenset(
    {
        "0BSD",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSL-1.0",
        "CC-BY-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-ND-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-SA-4.0",
        "CC0-1.0",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
        "ISC",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "MIT",
        "MIT-0",
        "MPL-2.0",
        "ODC-By-1.0",
        "ODbL-1.0",
        "PDDL-1.0",
        "Unlicense",
        "Zlib",
    }
)
"""SPDX License List ids clausewise may put in `license.id` (all on the list)."""
SPDX_BY_LOWER: Final = {spdx.lower(): spdx for spdx in SPDX_IDS}
"""The same ids by their lower-case spelling (Hugging Face writes `apache-2.0`)."""

REF_PREFIX: Final = "LicenseRef-clausewise-"
_NOT_IDSTRING: Final = re.compile(r"[^A-Za-z0-9.]+")
IDENTIFIED: Final = frozenset({"exact", "embedded"})
"""Statuses where the document *is* the known license (modified copies are not)."""


def spdx_id(license_info: LicenseJSON | None) -> str | None:
    """Return the SPDX id when the document is that license verbatim, else None."""
    if not license_info or license_info.get("status") not in IDENTIFIED:
        return None
    value = license_info.get("spdx")
    return value if isinstance(value, str) and value in SPDX_IDS else None


def license_ref(license_info: LicenseJSON | None, sha256: str | None) -> str:
    """Return the `LicenseRef-clausewise-...` naming the license in this document.

    A known license gives `...-<family>-<version>`; a modified copy adds
    `-modified-<first 12 hex of the document hash>` (it is a different
    license); an unidentified text is `...-unidentified-<hash prefix>`.
    """
    digest = f"-{sha256[:12]}" if sha256 else ""
    status = license_info.get("status") if license_info else None
    family = license_info.get("family") if license_info else None
    if status in IDENTIFIED | {"modified"} and family:
        version = license_info.get("version") if license_info else None
        base = REF_PREFIX + idstring(family, version)
        if status == "modified":
            return f"{base}-modified{digest}"
        return base
    return f"{REF_PREFIX}unidentified{digest}"


def idstring(*parts: object) -> str:
    """Join `parts` into an SPDX idstring: runs of other characters become `-`."""
    words = (_NOT_IDSTRING.sub("-", str(p)).strip("-") for p in parts if p)
    return "-".join(w for w in words if w) or "unnamed"


def is_license_ref(value: str) -> bool:
    """Return True for a syntactically valid SPDX `LicenseRef-` identifier."""
    return re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]+", value) is not None
