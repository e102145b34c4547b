"""Check a model card's declared license against its text and its base model.

A Hugging Face model card declares its license in YAML front matter
(`license`, or `license: other` with `license_name`), but that declaration is
metadata anyone can get wrong: the body may embed or name another license,
and a fine-tune stays bound by its base model's license whatever it declares.
These notes put the three side by side so a reviewer sees any disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from extractors.identify.match import Identification
from extractors.result_json import ModelCardNoteJSON
from extractors.types import CharSpan, Citation, Document


@dataclass(frozen=True, slots=True)
class KnownLicense:
    """A license as a name or identifier refers to it, as far as it says."""

    title: str
    family: str | None = None
    version: str | None = None
    """`None` when the name does not say which version (`gemma`)."""
    spdx: str | None = None

    def agrees(self, other: KnownLicense) -> bool:
        """Return True when both can be the same license."""
        if self.spdx or other.spdx:
            return self.spdx == other.spdx
        if self.family is None or self.family != other.family:
            return False
        return None in (self.version, other.version) or self.version == other.version


@dataclass(frozen=True, slots=True)
class ModelCardNote:
    """One observation about a model card's licensing, with its evidence.

    `evidence` is a citation into the card, or the front-matter key the note
    rests on when the text does not show it.
    """

    kind: str
    message: str
    evidence: str | Citation

    def to_dict(self) -> ModelCardNoteJSON:
        """Return the JSON form."""
        ev = self.evidence
        cited = ev if isinstance(ev, str) else ev.to_dict()
        return {"kind": self.kind, "message": self.message, "evidence": cited}


# ids | family | version | spdx | title. Families and versions are those of
# the corpus manifest, so they compare with an Identification's.
_LICENSE_ROWS = """
llama2 | llama | 2 | | Llama 2 Community License
llama3 | llama | 3 | | Meta Llama 3 Community License
llama3.1 | llama | 3.1 | | Llama 3.1 Community License
llama3.2 | llama | 3.2 | | Llama 3.2 Community License
llama3.3 | llama | 3.3 | | Llama 3.3 Community License
llama4 | llama | 4 | | Llama 4 Community License
gemma, gemma-terms-of-use | gemma | | | Gemma Terms of Use
apache-2.0 | | | Apache-2.0 | Apache License 2.0
mit | | | MIT | MIT License
cc-by-nc-4.0 | | | CC-BY-NC-4.0 | CC BY-NC 4.0
bigscience-bloom-rail-1.0 | bigscience-rail | bloom-rail-1.0 | | BigScience RAIL v1.0
bigscience-openrail-m | bigscience-rail | openrail-m | | BigScience Open RAIL-M License
bigcode-openrail-m | bigscience-rail | bigcode-openrail-m-v1 | | BigCode Open RAIL-M v1
creativeml-openrail-m | stability | creativeml-openrail-m | | CreativeML Open RAIL-M
openrail++ | stability | | | CreativeML Open RAIL++-M License
deepseek, deepseek-license | deepseek | | | DeepSeek License Agreement
deepseek-r1 | deepseek | r1 | MIT | MIT License (DeepSeek-R1)
qwen, tongyi-qianwen | qwen | | | Tongyi Qianwen / Qwen License Agreement
qwen-research | qwen | | | Qwen Research License Agreement
qwen-2024 | qwen | qwen-2024-09-19 | | Qwen License Agreement (2024)
chatglm | glm | | | ChatGLM Model License
yi-license | yi | | | Yi Series Models License
falcon-180b | falcon | 180b-1.0 | | Falcon 180B TII License
tencent-hunyuan-community, tencent-hunyuan | tencent-hunyuan | | | Hunyuan License
nvidia-open-model-license | nvidia | | | NVIDIA Open Model License
databricks-open-model-license | dbrx | 1.0 | | Databricks Open Model License
"""

# regex | id: how a card's prose names a license.
_MENTION_ROWS = r"""
\bllama\s*(2|3|3\.[123]|4)\s+community\s+license | llama{}
\bgemma\s+terms\s+of\s+use\b | gemma
\bapache\s+license,?\s+(?:version\s+)?2\.0\b | apache-2.0
\bMIT\s+license\b | mit
\bCC[- ]BY[- ]NC\b | cc-by-nc-4.0
\b(?:tongyi\s+qianwen|qwen)\s+license | qwen
\b(?:tongyi\s+qianwen|qwen)\s+research\s+license | qwen-research
\bdeepseek\s+(?:model\s+)?license\b | deepseek
\bcreativeml\s+open\s*rail-?m\b | creativeml-openrail-m
\bcreativeml\s+open\s*rail\+\+ | openrail++
\bbigscience\s+(?:bloom\s+)?rail\b | bigscience-bloom-rail-1.0
\bbigcode\s+open\s*rail | bigcode-openrail-m
\bnvidia\s+open\s+model\s+license\b | nvidia-open-model-license
\bdatabricks\s+open\s+model\s+license\b | databricks-open-model-license
\byi\s+series\s+models?\s+(?:community\s+)?license\b | yi-license
\btencent\s+hunyuan\s+community\s+license\b | tencent-hunyuan-community
"""

# regex | id: hub repository names (`org/name`) whose license the name implies.
_BASE_MODEL_ROWS = r"""
llama[-_ ]?(2|3\.[123]|3|4)(?![.\d]) | llama{}
codellama|code-llama | llama2
gemma | gemma
deepseek-r1 | deepseek-r1
deepseek-(?:llm|coder|moe) | deepseek
bloom | bigscience-bloom-rail-1.0
starcoder|santacoder | bigcode-openrail-m
stable-diffusion-v-?1 | creativeml-openrail-m
stable-diffusion-2 | openrail++
qwen-(?:1_8b|7b|14b|72b) | qwen
qwen2\.5-72b | qwen-2024
chatglm[23]-6b | chatglm
falcon-180b | falcon-180b
dbrx | databricks-open-model-license
hunyuan | tencent-hunyuan-community
"""


_cite = Citation.from_span


def _rows(table: str, cells: int = 2) -> list[list[str]]:
    """Split table lines on their last `cells - 1` bars (a regex has its own)."""
    lines = table.strip().splitlines()
    return [[c.strip() for c in ln.rsplit("|", cells - 1)] for ln in lines]


LICENSES: Mapping[str, KnownLicense] = {
    key.strip(): KnownLicense(title, family or None, version or None, spdx or None)
    for keys, family, version, spdx, title in _rows(_LICENSE_ROWS, 5)
    for key in keys.split(",")
}
"""Known licenses by front-matter identifier (lower case)."""
_MENTIONS = [(re.compile(rx, re.I), key) for rx, key in _rows(_MENTION_ROWS)]
BASE_MODELS = [(re.compile(rx, re.I), key) for rx, key in _rows(_BASE_MODEL_ROWS)]


def resolve_declared(value: str) -> KnownLicense | None:
    """Return what a front-matter license identifier names, if known."""
    return LICENSES.get(value.strip().lower())


def resolve_base_model(name: str) -> KnownLicense | None:
    """Return the license a base model's hub name implies, if known."""
    found = ((m, key) for rx, key in BASE_MODELS if (m := rx.search(name)))
    return next((_known(m, key) for m, key in found), None)


def _known(match: re.Match[str], key: str) -> KnownLicense:
    """Return the license a table row names; `{}` in its id takes the group."""
    return LICENSES[key.format(*match.groups())]


def check_model_card(
    document: Document, identification: Identification
) -> tuple[ModelCardNote, ...]:
    """Compare declared, embedded and named licenses; flag base-model flow-down."""
    declared = list(_declared(document))
    notes = [_declared_note(document, key, value, lic) for key, value, lic in declared]
    known = [lic for _, _, lic in declared if lic is not None]
    notes += _found_notes(document, identification, known)
    if document.metadata and not declared:
        none = "the front matter declares no license"
        notes.append(ModelCardNote("undeclared_license", none, "license"))
    notes += _mention_notes(document, known)
    notes += _base_model_notes(document, known)
    return tuple(notes)


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [item for item in items if isinstance(item, str)]


def _declared(document: Document) -> Iterator[tuple[str, str, KnownLicense | None]]:
    """Yield (key, value, license) per declared license; `other` -> license_name."""
    meta = document.metadata
    names = _strings(meta.get("license_name"))
    for value in _strings(meta.get("license")):
        if value.strip().lower() in ("other", "unknown") and names:
            yield "license_name", names[0], resolve_declared(names[0])
        else:
            yield "license", value, resolve_declared(value)


def _declared_note(
    document: Document, key: str, value: str, lic: KnownLicense | None
) -> ModelCardNote:
    evidence = front_matter_evidence(document, key, value)
    if lic is not None:
        message = f"the front matter declares {value!r}: the {lic.title}"
        return ModelCardNote("declared_license", message, evidence)
    link = _strings(document.metadata.get("license_link"))
    where = f"; read {link[0]}" if link else ""
    message = f"the front matter declares {value!r}, a license not known here{where}"
    return ModelCardNote("unrecognised_license", message, evidence)


def _found_notes(
    document: Document, ident: Identification, declared: list[KnownLicense]
) -> list[ModelCardNote]:
    """Compare the license the text is or embeds with the declared ones."""
    if ident.status == "unknown" or ident.title is None:
        return []
    found = KnownLicense(ident.title, ident.family, ident.version, ident.spdx)
    how = {"exact": "is", "modified": "is a modified copy of", "embedded": "embeds"}
    said, region = f"the text {how[ident.status]} the {found.title}", ident.region
    evidence = _cite(document, region) if region else "license"
    if not declared:
        return [ModelCardNote("found_license", said, evidence)]
    if any(lic.agrees(found) for lic in declared):
        return [ModelCardNote("license_consistent", f"{said}, as declared", evidence)]
    message = f"license mismatch: the front matter declares {_titles(declared)}"
    return [ModelCardNote("license_mismatch", f"{message} but {said}", evidence)]


def _mention_notes(
    document: Document, declared: list[KnownLicense]
) -> list[ModelCardNote]:
    """Note each license the text names; flag when none is a declared one."""
    found = ((m, key) for rx, key in _MENTIONS if (m := rx.search(document.text)))
    mentions = sorted(
        ((CharSpan(*m.span()), _known(m, key)) for m, key in found),
        key=lambda item: item[0],
    )
    said = "the text names the {}".format
    notes = [
        ModelCardNote("license_mention", said(lic.title), _cite(document, span))
        for span, lic in mentions
    ]
    named = [lic for _, lic in mentions]
    if declared and named and not any(d.agrees(n) for d in declared for n in named):
        message = f"license mismatch: the front matter declares {_titles(declared)}"
        message += f" but the text names {_titles(named)}"
        notes.append(ModelCardNote("license_mismatch", message, notes[0].evidence))
    return notes


def _base_model_notes(
    document: Document, declared: list[KnownLicense]
) -> list[ModelCardNote]:
    notes: list[ModelCardNote] = []
    for name in _strings(document.metadata.get("base_model")):
        evidence = front_matter_evidence(document, "base_model", name)
        lic = resolve_base_model(name)
        terms = "" if lic is None else f" ({lic.title})"
        message = f"base_model {name}: terms of the base model's license{terms}"
        message += " may flow down to this model"
        notes.append(ModelCardNote("base_model_flowdown", message, evidence))
        if lic is not None and declared and not any(d.agrees(lic) for d in declared):
            message = f"the front matter declares {_titles(declared)}, but base model "
            message += f"{name} is under the {lic.title}, whose terms may still apply"
            notes.append(ModelCardNote("base_model_conflict", message, evidence))
    return notes


def _titles(licenses: list[KnownLicense]) -> str:
    return ", ".join(dict.fromkeys(lic.title for lic in licenses))


_LIST_ITEM = re.compile(r"\n((?:[ \t]+|[ \t]*-)[^\n]*)")
"""A line that continues a YAML key's value: indented, or a `- item`."""


def front_matter_evidence(document: Document, key: str, value: str) -> str | Citation:
    """Cite the front-matter line that holds `value` under `key`, or name the key.

    A list value (`base_model:` then `- org/name` lines) is cited on its own
    line; without front matter in the text the evidence is the key itself.
    """
    text = document.text
    head = re.match(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", text, re.S | re.M)
    if head is None:
        return key
    key_line = re.compile(rf"^{re.escape(key)}[ \t]*:.*$", re.M)
    found = key_line.search(text, head.start(1), head.end(1))
    if found is None:
        return key
    span, pos = found.span(), found.end()
    while value not in text[span[0] : span[1]]:
        item = _LIST_ITEM.match(text, pos, head.end(1))
        if item is None:
            span = found.span()
            break
        span, pos = item.span(1), item.end()
    end = span[0] + len(text[span[0] : span[1]].rstrip("\r"))
    return _cite(document, CharSpan(span[0], max(end, span[0] + 1)))
