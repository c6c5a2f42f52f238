# The two commands of the README: `make demo` and `make test`. Both work from a clean clone:
# they create .venv (and .venv-peers for third-party peer clients), install, then run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PEERS  := .venv-peers
STAMP  := $(VENV)/.installed-stamp
PEERS_STAMP := $(PEERS)/.installed-stamp

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kemopix needs Python >= 3.11; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,ugoira]'
	$(BIN)/python -m compileall -q src  # as a wheel install does (PYTHONDONTWRITEBYTECODE may be set)
	@touch $(STAMP)

# The peer tools users would pick instead, pinned, in their own venv (KToolBox pins rich<15 and
# brings httpx/pydantic): used by tests and benches.
$(PEERS_STAMP): Makefile
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet 'ktoolbox==1.0.0' 'gallery-dl==1.32.18' 'pixivpy3==3.7.5'
	@touch $(PEERS_STAMP)

demo: $(STAMP)
	$(BIN)/kemopix demo

test: $(STAMP) $(PEERS_STAMP)
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)  # browser tests of `kemopix serve`
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python scripts/unasync.py --check
	$(BIN)/pytest

bench: $(STAMP) $(PEERS_STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(PEERS) demo-output .mypy_cache .ruff_cache
