# Two commands do all the set-up on a fresh clone:
#   make demo   runs the seed scenario (SQLite + a local Prefect server on 127.0.0.1:4200)
#   make test   runs the linters, then the test suite (what CI runs through .ci/run)
# Both create .venv from uv.lock first (Python 3.11 and network access to PyPI needed).

PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.8
UV := $(VENV)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test test-all test-slow bench serve lint catalogs clean

# --all-extras: the synth extra (Faker) for the demo, `diklat generate` and the tests; a production
# worker syncs without it. --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (as on CI) nothing
# would ever be cached, and every process would compile Prefect, pandas and GX again (27 s vs 12 s to
# import flows.open_cohort, measured here).
$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(UV) || ($(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install --quiet uv==$(UV_VERSION))
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(VENV)/bin/python
	touch $@

demo: $(VENV)/.synced
	$(VENV)/bin/diklat demo

# Test files spread over up to 4 processes (pytest-xdist), each file whole in one process: a file's
# fixtures (a Prefect server, a worker stack) start once. --no-loadscope-reorder: hand files out in the
# order tests/conftest.py sorts them (long ones first); xdist would otherwise sort them by test count,
# and the e2e files, few tests but minutes each, started last.
test: lint
	$(VENV)/bin/pytest -m "not slow" -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder

test-slow: $(VENV)/.synced
	$(VENV)/bin/pytest -m slow

bench: $(VENV)/.synced
	$(VENV)/bin/python -m bench.national

# The import contracts (.importlinter) are the architecture of docs/architecture.md, enforced.
lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

catalogs: $(VENV)/.synced
	$(VENV)/bin/pybabel extract -F babel.cfg -o diklat/locale/diklat.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i diklat/locale/diklat.pot -d diklat/locale -D diklat --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d diklat/locale -D diklat

clean:
	rm -rf $(VENV) data
