# Everything bootstraps from the lock: `make test` and `make demo` work on a fresh clone.
PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.maskgate-synced

export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Serving never needs the network; these keep LiteLLM from fetching its cost map during tests and the demo.
export LITELLM_LOCAL_MODEL_COST_MAP := True

.PHONY: install test lint demo bench proto clean

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes -r tools/uv-requirements.txt

$(STAMP): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-extras
	@touch $@

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest -q -p no:cacheprovider

lint: install
	$(PY) -m ruff check .

demo: install
	$(PY) examples/demo.py

bench: install
	$(PY) bench/detection_quality.py
	$(PY) bench/detection_speed.py
	$(PY) bench/stream_restore.py
	$(PY) bench/envoy_e2e.py
	$(PY) bench/litellm_overhead.py

proto: install
	$(PY) extproc/proto/generate.py

clean:
	rm -rf $(TOOLS) $(VENV)
