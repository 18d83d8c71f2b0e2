# The two commands of the README: `make demo` and `make test`.
# Each creates .venv and installs what it needs on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pii-gateway keys dev
	$(BIN)/pii-gateway demo

lint: $(STAMP)
	$(BIN)/ruff check gateway tests bench
	$(BIN)/mypy gateway

test: lint
	command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
	$(BIN)/pii-gateway keys dev
	$(BIN)/pytest -q

bench: $(STAMP)
	bash bench/run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
