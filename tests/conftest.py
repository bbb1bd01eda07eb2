"""Environment defaults for every test tier, set before anything imports ``app`` or reads settings.

Only defaults (``setdefault``): a tier's own conftest or the caller's shell may override them. The
values describe the local stage, the one stage on which the development identity provider exists.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# `app.py` and `functions/` live at the repository root, which plain `pytest` does not put on sys.path.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

for _name, _value in {
    "STAGE": "local",
    "OIDC_ISSUER": "http://127.0.0.1:8000/dev",
    "OIDC_AUDIENCE": "aj74-mobile",
    "ADMIN_ORIGIN": "http://127.0.0.1:8080",
    "RESIDENT_ORIGIN": "http://127.0.0.1:8090",
    "AWS_DEFAULT_REGION": "eu-central-1",
}.items():
    os.environ.setdefault(_name, _value)

# pytest-xdist hands out whole files (`--dist loadfile`, in collection order with
# `--no-loadscope-reorder`). The files that take longest go first, so that no worker is left with one
# of them at the end while the other has finished: the poll cycle and the decision cycle mostly wait
# for their voting windows, during which the other worker runs the CPU-bound tests.
LONG_FIRST = (
    "tests/e2e/test_poll_cycle.py",
    "tests/e2e/test_decision_cycle_browser.py",
    "tests/unit/test_disclosure_property.py",
    "tests/e2e/test_api_fuzzing.py",
    "tests/e2e/test_resident_polls_browser.py",
)


def pytest_collection_modifyitems(items) -> None:
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(LONG_FIRST)))
