"""Print a web app's ``/config.json`` for a deployed stage (used by ``make deploy`` for the admin
site and for the resident app, each with its own OIDC client id and origin).

Locally the site server generates the same document (``infra.local.admin_server.site_config``);
in AWS it is a file uploaded next to the app, pointing the OIDC sign-in at the stage's issuer.

    python -m infra.admin_config --api https://…/prod --issuer https://… --client-id aj74-admin \
        --site https://d123.cloudfront.net
"""

from __future__ import annotations

import argparse
import json
import sys

from infra.local.admin_server import site_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="base URL of the stage's API (stack output ApiUrl)")
    parser.add_argument("--issuer", required=True, help="the OIDC issuer (stack parameter OidcIssuer)")
    parser.add_argument("--client-id", required=True, help="the app's OIDC client id (aj74-admin, aj74-resident)")
    parser.add_argument("--site", required=True, help="the app's origin (stack output AdminSiteUrl or ResidentSiteUrl)")
    args = parser.parse_args(argv)
    config = site_config(args.api, "oidc", {"issuer": args.issuer, "client_id": args.client_id,
                                            "redirect_uri": args.site.rstrip("/") + "/"})
    json.dump(config, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
