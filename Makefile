PY ?= python3

.PHONY: test lint eval bench

## The test command (README): lint, type-check, then the whole test suite.
test: lint
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

eval:
	$(PY) -m service.cli eval --corpus ../shared/corpus --out reports/eval

bench:
	$(PY) scripts/benchmark.py --corpus ../shared/corpus
