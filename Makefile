# make app: set up and run the app; make test: set up and run every test; make check: the quick tier
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1  # make app listens on this computer only; ADDRESS=0.0.0.0 for a hall on the LAN
JOBS ?= 2  # pytest workers (pytest-xdist): each browser worker runs its own app server and Chromium

.PHONY: app test check lint bench bench-browser budget load serve names notebook notebook-html clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.app: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .  # `import makemore` from anywhere in the venv (notebooks)
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.app
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

app: $(VENV)/.app
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(strip $(ADDRESS))

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal --reruns 1 --reruns-delay 2 -rR

check: $(VENV)/.dev  # the quick tier for a change: lint, unit and AppTest (no servers, no browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal -m "(unit or app) and not slow" -q

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.app  # the engine's figures beside the lecture's plain loops (bench_mlp: ~6 min, --quick: speed only)
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_mlp.py $(BENCH_ARGS)

bench-browser: $(VENV)/.dev
	$(BIN)/python bench/bench_browser.py

budget: $(VENV)/.dev  # a hostile hall: SESSIONS heavy runs against one process, an idle session's timings beside
	$(BIN)/python bench/budget.py --sessions $(or $(SESSIONS),20)

load: $(VENV)/.dev  # a lecture hall: 100 sessions, 50 training, one server, then N=2 behind nginx with failover; then a class
	$(BIN)/python bench/load.py --sessions $(or $(SESSIONS),100) --train $(or $(TRAIN),50) --replicas $(or $(N),2) --failover
	$(BIN)/python bench/class_load.py --followers $(or $(FOLLOWERS),300) --replicas $(or $(N),2) --restart-redis --kill-one
	$(BIN)/python bench/class_load.py --followers 100 --replicas 1 --no-redis

serve: $(VENV)/.app  # under supervisord: N app processes behind nginx on PORT (8080 unless given), Redis beside them: make serve N=2 PORT=8080
	$(BIN)/python deploy/serve.py --replicas $(or $(N),2) --port $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)

names: $(VENV)/.app
	$(BIN)/python -m makemore.build_names

notebook: $(VENV)/.dev  # rewrite notebooks/bigram.ipynb from scripts/make_notebook.py, without outputs
	$(BIN)/python scripts/make_notebook.py

notebook-html: $(VENV)/.dev  # run the notebook and export it with its figures: artifacts/bigram.html
	mkdir -p artifacts
	$(BIN)/jupyter nbconvert --to html --execute notebooks/bigram.ipynb --output-dir artifacts

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
