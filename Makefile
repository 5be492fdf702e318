# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Run the tool and the demo Canvas on embedded defaults (SQLite, generated keys), with the
## fictional sample courses that walk-throughs show and, in the demo Canvas, the same cohorts as
## sample sessions with their grades delivered to its gradebook (serve sets them up once).
run: $(STAMP)
	$(BIN)/flask --app lti_tool db upgrade
	$(BIN)/flask --app lti_tool sample load
	$(BIN)/python -m demo_canvas serve

## Run the whole suite (SQLite by default; TEST_DATABASE_URL=postgresql://... for PostgreSQL).
test: $(STAMP)
	$(BIN)/ruff check lti_tool demo_canvas tests migrations benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check lti_tool demo_canvas tests migrations benchmarks
	$(BIN)/ruff format --check lti_tool demo_canvas tests migrations benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
