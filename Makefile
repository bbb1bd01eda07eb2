# Активный житель 74 — developer entry points. `make run` and `make test` are the two commands.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements/dev.txt requirements/checkov.txt layers/common/requirements.txt layers/common/pyproject.toml | sha1sum | cut -c1-12)
# make deploy: the stage, and the SAM and AWS CLIs (installed separately; they need an AWS account).
STAGE  ?= dev
SAM    ?= sam
AWS    ?= aws
ADMIN_CLIENT_ID ?= aj74-admin

.PHONY: install browser run test test-fast bench lint clean package deploy

install: $(STAMP)

$(STAMP): requirements/dev.txt requirements/checkov.txt layers/common/requirements.txt layers/common/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e layers/common
	# checkov pins an older boto3 and packaging than the app: it gets a venv of its own.
	test -x $(VENV)/checkov/bin/python || $(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	rm -f $(VENV)/.installed-* && touch $@

# Debian's Chromium drives the admin-site tests (never a browser downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || sh infra/setup/install-chromium.sh

# axe-core (accessibility checks run inside the browser), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

run: install
	$(PY) -m infra.local

test: install browser node_modules/.installed
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow and not browser"

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache build .aws-sam node_modules

# The artifacts SAM would deploy, built offline for Lambda's arm64 Python 3.12 (no Docker, no
# account): build/layer, build/functions/<Function>; prints sizes, fails on anything unexpected.
package: install
	$(PY) -m infra.packaging

# Deploy a stage (needs an AWS account, the SAM CLI and the AWS CLI; see README). Pass the
# secrets as PARAMS, e.g. PARAMS="BallotKeySecret=... OidcIssuer=https://...".
deploy: package
	$(SAM) build --template template.yaml
	$(SAM) deploy --stack-name aj74-$(STAGE) --capabilities CAPABILITY_IAM --resolve-s3 \
		--no-fail-on-empty-changeset --parameter-overrides Stage=$(STAGE) $(PARAMS)
	out() { $(AWS) cloudformation describe-stacks --stack-name aj74-$(STAGE) --output text --query "$$1"; } && \
		bucket=$$(out "Stacks[0].Outputs[?OutputKey=='AdminSiteBucketName'].OutputValue") && \
		$(PY) -m infra.admin_config --client-id $(ADMIN_CLIENT_ID) \
			--api "$$(out "Stacks[0].Outputs[?OutputKey=='ApiUrl'].OutputValue")" \
			--site "$$(out "Stacks[0].Outputs[?OutputKey=='AdminSiteUrl'].OutputValue")" \
			--issuer "$$(out "Stacks[0].Parameters[?ParameterKey=='OidcIssuer'].ParameterValue")" \
			> build/admin-config.json && \
		$(AWS) s3 sync admin_site "s3://$$bucket" --delete --exclude config.json && \
		$(AWS) s3 cp build/admin-config.json "s3://$$bucket/config.json" --content-type application/json

# Called by `sam build` (ApiFunction has BuildMethod: makefile): the API package is app.py alone;
# its dependencies and the domain come from the shared layer.
build-ApiFunction:
	cp app.py "$(ARTIFACTS_DIR)/"
