# The two commands of the README: `make demo` and `make test`.
# Each creates .venv and installs what it needs on first use; the install
# builds the native inspection core (gateway/native/) with the C compiler.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NATIVE := setup.py gateway/native/sources.py $(wildcard gateway/native/*.pyx gateway/native/*.pxi)
# `make test` insists on the compiled core (a build that silently fell back to
# the pure-Python path would test the wrong thing); `make test-pure` runs the
# same suite without it. PII_GATEWAY_NATIVE=auto make test takes what is there.
PII_GATEWAY_NATIVE ?= require

.PHONY: demo test test-pure wheel-check lint bench clean

$(STAMP): pyproject.toml $(NATIVE)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pii-gateway keys dev
	$(BIN)/pii-gateway demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check gateway tests bench setup.py
	$(BIN)/mypy gateway

test: lint
	command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
	command -v promtool >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; }
	$(BIN)/pii-gateway keys dev
	$(BIN)/pii-gateway policy test policies
	PII_GATEWAY_NATIVE=$(PII_GATEWAY_NATIVE) $(BIN)/pytest -q

test-pure: $(STAMP)
	command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
	command -v promtool >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; }
	$(BIN)/pii-gateway keys dev
	PII_GATEWAY_NATIVE=off $(BIN)/pytest -q

# What the Dockerfile's builder does: a wheel with the compiled core, installed
# in a fresh environment, must start on the native path.
wheel-check: $(STAMP)
	rm -rf build/wheel-check && $(BIN)/pip wheel -q --no-deps -w build/wheel-check/dist .
	$(PY) -m venv build/wheel-check/venv
	build/wheel-check/venv/bin/pip install -q "$$(ls build/wheel-check/dist/*.whl)[pytest]"
	cd build && PII_GATEWAY_NATIVE=require wheel-check/venv/bin/python -c \
		"from gateway.native import STATUS; from gateway.detect import detect; \
		assert detect('13800138000'); print('wheel-check: native core', STATUS)"
	# as a user's CI would: the policy tests and a pytest suite with the plugin
	cp -r tests/data/wheel-user build/wheel-check/user
	cd build/wheel-check/user && ../venv/bin/pii-gateway policy test . \
		&& ../venv/bin/python -m pytest -q -p no:cacheprovider test_user.py

bench: $(STAMP)
	bash bench/run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build gateway/native/_core.c \
		gateway/native/_core.*.so
