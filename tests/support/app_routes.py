"""The HTTP app's route table as a given stage builds it.

The stage decides which routes exist when ``app`` is imported, and an imported module stays cached,
so the table is read in a fresh interpreter per call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_PRINT_ROUTES = (
    "import json, app; "
    "print(json.dumps({p: sorted(m) for p, m in app.app.routes.items()}))"
)


def routes_under(stage: str) -> dict[str, list[str]]:
    """``app.app.routes`` under ``stage``: path → sorted methods."""
    from aj74.settings import API

    # A deployed stage requires every resource the API names (stand-ins: nothing is called).
    resources = {name: f"aj74-stand-in-{name.lower()}" for name in API.resources}
    env = {**os.environ, **resources, "STAGE": stage, "OIDC_ISSUER": "https://esia.gosuslugi74.ru",
           "OIDC_AUDIENCE": "aj74-mobile", "ADMIN_ORIGIN": "https://admin.aj74.ru"}
    done = subprocess.run([sys.executable, "-c", _PRINT_ROUTES], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
