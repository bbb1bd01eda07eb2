"""The admin site's config.json for a deployed stage signs in through OIDC at the stage's issuer."""

from __future__ import annotations

import json

from infra.admin_config import main


def test_a_deployed_site_signs_in_with_oidc_at_the_stage_issuer(capsys):
    assert main(["--api", "https://abc.execute-api.eu-central-1.amazonaws.com/prod/", "--issuer",
                 "https://esia.gosuslugi74.ru", "--client-id", "aj74-admin",
                 "--site", "https://d1.cloudfront.net"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config == {
        "apiBase": "https://abc.execute-api.eu-central-1.amazonaws.com/prod",
        "auth": {"mode": "oidc", "issuer": "https://esia.gosuslugi74.ru", "client_id": "aj74-admin",
                 "redirect_uri": "https://d1.cloudfront.net/"},
    }
