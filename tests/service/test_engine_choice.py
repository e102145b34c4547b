"""The service's model-stage choice: one setting, checked, shared by every path."""

from __future__ import annotations

import importlib.util

import pytest

from extractors.engine import default_engine
from extractors.errors import ConfigError
from models.settings import ModelSettings
from service.engine import service_engine
from service.settings import Settings, read_settings

HAS_MODEL = importlib.util.find_spec("sentence_transformers") is not None


def test_default_is_patterns_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAUSEWISE_MODEL", raising=False)
    assert Settings().models.stage == "none"
    none = ModelSettings(stage="none")
    assert service_engine(none) is default_engine()
    assert service_engine(none).provenance.model is None


def test_unknown_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEWISE_MODEL", "gpt-9")
    with pytest.raises(ConfigError, match="CLAUSEWISE_MODEL .*'gpt-9'"):
        read_settings()


def test_settings_accept_the_same_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEWISE_MODEL", "encoder+llm")
    assert Settings().models.stage == "encoder+llm"


@pytest.mark.model
@pytest.mark.skipif(not HAS_MODEL, reason="model extra not installed")
def test_encoder_engine_names_its_model_in_provenance() -> None:
    from extractors.output import result_to_dict
    from extractors.parse import parse_bytes

    engine = service_engine(ModelSettings(stage="encoder"))
    text = (
        "If you distribute the model, you must prominently display"
        ' "Built with Quill" on a related website.'
    )
    result = engine.analyze(parse_bytes(text.encode(), name="card.txt"))
    data = result_to_dict(result)
    assert data["engine"]["model"].startswith("all-minilm-l6-v2@")
    assert [c["type"] for c in data["clauses"]] == ["attribution"]


def test_the_model_choices_are_defined_once_and_light() -> None:
    # One definition (models.choices), used by the CLI, the settings and the
    # stage loader; importing it loads no model code.
    import subprocess
    import sys

    from models.choices import MODEL_CHOICES
    from service.cli import build_parser

    scan = build_parser().parse_args(["scan", "x.txt", "--model", "encoder+llm"])
    assert scan.model == "encoder+llm" and "encoder+llm" in MODEL_CHOICES
    probe = (
        "import sys, models.choices, service.cli.parser;"
        "heavy = ('torch', 'numpy', 'models.stage');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
