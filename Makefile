# Two entry points: `make demo` (offline demo into DuckDB) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test package-check lint clean settings

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(BIN)/.meltano: $(BIN)/.installed meltano.yml
	$(BIN)/pip install -q 'meltano>=4.4,<5'
	$(BIN)/meltano install
	touch $@

demo: $(BIN)/.meltano
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(BIN)/.meltano
	$(BIN)/ruff check tap_zohodesk target_zohodesk tests scripts benchmarks
	$(BIN)/python -m pytest

# build the sdist and the wheel, install the wheel (not editable) into a clean venv, run the installed plugins
package-check: $(BIN)/.installed
	BUILD_PYTHON=$(CURDIR)/$(BIN)/python PYTHON=$(PYTHON) bash scripts/package_check.sh

# rewrite the settings of tap-zohodesk and target-zohodesk in meltano.yml from the plugins' code
settings: $(BIN)/.installed
	$(BIN)/python scripts/meltano_settings.py

clean:
	rm -rf $(VENV) .meltano output
