# The README's commands. `make run` and `make test` set everything up on a fresh machine
# with only Python 3.11 and pip (and, for the browser tests, Debian's apt).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# What the chat needs (make run, make chat): no LLM test server, which builds from source.
UI_STAMP := $(VENV)/.installed-ui
# This CPU reports AMX, which its VM does not enable: a native llama.cpp build crashes
# (ldtilecfg) on the first request. Build llama-cpp-python for AVX2 instead.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: install install-ui run chat test test-fast browser eval bench lint

install: $(STAMP)

install-ui: $(UI_STAMP)

# torch is pinned first: the CPU build of 2.13.0; an unpinned torch pulls a CUDA build.
$(UI_STAMP): pyproject.toml
	@echo "reportbot: setting up $(VENV) for the chat (torch CPU build, then gradio; a few minutes the first time)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@echo "reportbot: installing torch==2.13.0 (CPU build)"
	$(PY) -m pip install -q torch==2.13.0
	@echo "reportbot: installing reportbot and its web UI"
	$(PY) -m pip install -q -e '.[ui]'
	touch $(UI_STAMP)

# Everything, for the tests: the dev tools, LLM answers and the LLM test server.
$(STAMP): $(UI_STAMP)
	@echo "reportbot: installing the test tools and the LLM test server (llama-cpp-python builds from source the first time)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install -q -e '.[dev,ui,llm,llm-server]'
	touch $(STAMP)

run: install-ui
	$(VENV)/bin/reportbot ui

chat: install-ui
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
