# Активный житель 74 — developer entry points. `make run` and `make test` are the two commands.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements/dev.txt layers/common/requirements.txt layers/common/pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install browser run test test-fast bench lint clean

install: $(STAMP)

$(STAMP): requirements/dev.txt layers/common/requirements.txt layers/common/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e layers/common
	rm -f $(VENV)/.installed-* && touch $@

# Debian's Chromium drives the admin-site tests (never a browser downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || sh infra/setup/install-chromium.sh

run: install
	$(PY) -m infra.local

test: install browser
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow and not browser"

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache build .aws-sam

# Called by `sam build` (ApiFunction has BuildMethod: makefile): the API package is app.py alone;
# its dependencies and the domain come from the shared layer.
build-ApiFunction:
	cp app.py "$(ARTIFACTS_DIR)/"
