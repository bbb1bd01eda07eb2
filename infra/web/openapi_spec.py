"""Write the API's OpenAPI document (the one ``GET /v1/openapi.json`` serves, local routes included)
to a file, so that the web apps' typed client is generated from the contract the API really has.

Run as ``python -m infra.web.openapi_spec build/openapi.json`` (``make web`` does).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m infra.web.openapi_spec OUTPUT.json", file=sys.stderr)
        return 2
    # The local stage registers the development identity provider's routes, which the admin
    # site's sign-in calls; nothing here touches AWS.
    # Placeholders only: building the route table reads settings, serving nothing.
    for name, value in {"STAGE": "local", "AWS_DEFAULT_REGION": "eu-central-1",
                        "OIDC_ISSUER": "http://127.0.0.1/dev", "OIDC_AUDIENCE": "aj74",
                        "ADMIN_ORIGIN": "http://127.0.0.1"}.items():
        os.environ.setdefault(name, value)
    from aj74.api import openapi

    import app

    out = Path(args[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(openapi.document_json(app.app.routes), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
