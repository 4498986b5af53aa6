# The README's commands. `make run` and `make test` set everything up on a fresh machine
# with only Python 3.11 and pip (and, for the browser tests, Debian's apt).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# This CPU reports AMX, which its VM does not enable: a native llama.cpp build crashes
# (ldtilecfg) on the first request. Build llama-cpp-python for AVX2 instead.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: install run chat test test-fast browser eval bench lint

install: $(STAMP)

# torch is pinned first: the CPU build of 2.13.0; an unpinned torch pulls a CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install -q -e '.[dev,ui,llm,llm-server]'
	touch $(STAMP)

run: install
	$(VENV)/bin/reportbot ui

chat: install
	$(VENV)/bin/reportbot chat

# Debian's Chromium for the browser tests (never a browser download of a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium fonts-wqy-microhei; }

test: install browser
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

eval: install
	$(VENV)/bin/reportbot eval eval/questions.jsonl
	$(VENV)/bin/reportbot eval ../shared/eval/dev.jsonl

bench: install
	$(PY) bench/core.py

lint: install
	$(VENV)/bin/ruff check .
