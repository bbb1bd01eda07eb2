"""The local admin-site server: security headers, generated config, no way out of the site folder."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.admin_server import make_server

# The admin-site server is started on 127.0.0.1 by the module's fixture and read over HTTP.
pytestmark = pytest.mark.loopback

API = "http://127.0.0.1:18123"
PAGE = '<!doctype html>\n<html lang="ru"><head><meta charset="utf-8"><title>Вход</title></head><body></body></html>\n'


def built_site(root: Path) -> Path:
    """A small built site (as vite writes build/web/admin) with a secret file beside it, outside it."""
    (root / "app.py").write_text("import os\nSECRET = 1\n", encoding="utf-8")
    site = root / "site"
    (site / "assets").mkdir(parents=True)
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    for name in ("index.html", "me.html"):
        (site / name).write_text(PAGE, encoding="utf-8")
    (site / "assets" / "app.js").write_text("export const ok = 1;\n", encoding="utf-8")
    (site / "assets" / "site.css").write_text("body { margin: 0; }\n", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, int]]:
    server = make_server("127.0.0.1", 0, built_site(tmp_path_factory.mktemp("admin-site")), API)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[:2]
    server.shutdown()
    server.server_close()


def fetch(address: tuple[str, int], path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw request: http.client sends the path verbatim, so traversal attempts reach the server."""
    conn = http.client.HTTPConnection(*address, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/", "/me.html", "/assets/app.js", "/config.json", "/missing.html"])
def test_every_response_carries_the_security_headers(site, path):
    _, headers, _ = fetch(site, path)

    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert f"connect-src 'self' {API};" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_root_serves_the_sign_in_page_as_html(site):
    status, headers, body = fetch(site, "/")

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'lang="ru"' in body.decode()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/assets/app.js", "text/javascript; charset=utf-8"), ("/assets/site.css", "text/css; charset=utf-8")],
)
def test_assets_have_their_content_types(site, path, content_type):
    status, headers, _ = fetch(site, path)

    assert status == 200
    assert headers["Content-Type"] == content_type


def test_config_is_generated_from_the_arguments(site):
    status, headers, body = fetch(site, "/config.json?x=1")

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"apiBase": API, "auth": {"mode": "dev"}}


@pytest.mark.parametrize(
    "path",
    [
        "/../app.py",
        "/%2e%2e/app.py",
        "/assets/../../app.py",
        "/assets/%2e%2e%2f%2e%2e%2fapp.py",
        "/..%5capp.py",
        "/assets/",
        "/.git/config",
        "/nope.html",
        "/index.html%00.png",
    ],
)
def test_paths_outside_the_site_directories_and_unknown_files_are_not_found(site, path):
    status, _, body = fetch(site, path)

    assert status == 404
    assert b"import" not in body and b"<li>" not in body


def test_head_has_headers_and_no_body_and_writes_are_refused(site):
    status, headers, body = fetch(site, "/", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) > 0

    status, headers, _ = fetch(site, "/", method="POST")
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


def test_a_relative_or_non_http_api_base_is_refused(tmp_path):
    with pytest.raises(ValueError):
        make_server("127.0.0.1", 0, built_site(tmp_path), "javascript:alert(1)")


def test_oidc_mode_configures_the_pkce_flow_and_lets_the_site_reach_the_issuer(tmp_path):
    from infra.local.admin_server import security_headers, site_config

    oidc = {"issuer": "https://esia.gosuslugi74.ru", "client_id": "aj74-admin", "redirect_uri": "https://admin.aj74.ru/"}

    config = site_config("https://api.aj74.ru/v1", "oidc", oidc)
    csp = security_headers("https://api.aj74.ru/v1", oidc["issuer"])["Content-Security-Policy"]

    assert config["auth"] == {"mode": "oidc", **oidc}
    assert "connect-src 'self' https://api.aj74.ru https://esia.gosuslugi74.ru;" in csp
    assert "unsafe-inline" not in csp
