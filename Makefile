# make app: set up and run the app; make test: set up and run every test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: app test lint bench bench-browser names clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.app: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.app
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

app: $(VENV)/.app
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.app
	$(BIN)/python bench/bench_engine.py

bench-browser: $(VENV)/.dev
	$(BIN)/python bench/bench_browser.py

names: $(VENV)/.app
	$(BIN)/python -m makemore.build_names

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
