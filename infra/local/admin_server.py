"""Serve a static web app on the local stack (the admin site, the resident app), the way its
production hosting will: the same files, a generated ``/config.json`` and the same security headers
on every response.

Run as ``python -m infra.local.admin_server --host 127.0.0.1 --port 8080
--api http://127.0.0.1:8000 --site build/web/admin`` (``make web`` builds it); the resident app is
the same server with ``--site build/web/resident`` on its own port (its own origin, so its service
worker's scope can never reach the admin site).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

AUTH_MODES = ("dev", "oidc")

# Only what the site ships; anything else is not served, so nothing is ever sniffed or guessed.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


def api_origin(api_base: str) -> str:
    """The origin (scheme://host[:port]) of the API, as CSP's connect-src wants it."""
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"API base must be an absolute http(s) URL, got {api_base!r}")
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(api_base: str, issuer: str | None = None, media_origin: str | None = None) -> dict[str, str]:
    # In OIDC mode the site exchanges the authorization code at the issuer's token endpoint.
    # Images are posted straight to the images bucket (``media_origin``, docs/decisions/016-images.md)
    # and shown from it; ``https:`` already admits it to img-src, the local S3 endpoint is plain http.
    media = media_origin and api_origin(media_origin)
    connect = " ".join(dict.fromkeys(filter(None, [api_origin(api_base), issuer and api_origin(issuer), media])))
    img = "'self' data: https:" + (f" {media}" if media and not media.startswith("https://") else "")
    csp = (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {img}; "
        f"connect-src 'self' {connect}; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def site_config(api_base: str, auth_mode: str = "dev", oidc: dict[str, str] | None = None) -> dict:
    """What the site reads from ``/config.json`` at start-up; in ``oidc`` mode, the issuer, client id
    and redirect URI of the authorization-code flow with PKCE (web/shared/oidc.ts)."""
    auth = {"mode": auth_mode}
    if auth_mode == "oidc":
        if not oidc or not all(oidc.get(k) for k in ("issuer", "client_id", "redirect_uri")):
            raise ValueError("oidc mode needs issuer, client_id and redirect_uri")
        auth.update({k: oidc[k] for k in ("issuer", "client_id", "redirect_uri")})
    return {"apiBase": api_base.rstrip("/"), "auth": auth}


class AdminSiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # every response carries Content-Length, so keep-alive is safe
    # Set per server by ``make_server``.
    site_root: Path
    headers_to_send: dict[str, str]
    config_body: bytes

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _reject_method(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain; charset=utf-8", True, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _reject_method

    def version_string(self) -> str:
        return "aj74-admin"

    def log_message(self, format: str, *args) -> None:
        logger.debug("admin site: " + format, *args)

    def _serve(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/config.json":
            self._send(HTTPStatus.OK, self.config_body, CONTENT_TYPES[".json"], send_body)
            return
        file = self._resolve(path)
        if file is None:
            self._send(HTTPStatus.NOT_FOUND, "Страница не найдена.\n".encode(), CONTENT_TYPES[".txt"], send_body)
            return
        self._send(HTTPStatus.OK, file.read_bytes(), CONTENT_TYPES[file.suffix.lower()], send_body)

    def _resolve(self, url_path: str) -> Path | None:
        """Map a URL path to a file inside the site, or None: no traversal, no dotfiles, no listings."""
        decoded = unquote(url_path)
        if "\x00" in decoded or "\\" in decoded or not decoded.startswith("/"):
            return None
        segments = [s for s in decoded.split("/") if s]
        if any(s.startswith(".") for s in segments):  # covers "..", "." and hidden files
            return None
        candidate = self.site_root.joinpath(*segments)
        if candidate.is_dir():
            candidate = candidate / "index.html"
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        # A symlink could still point outside the site.
        if not resolved.is_relative_to(self.site_root) or not resolved.is_file():
            return None
        if resolved.suffix.lower() not in CONTENT_TYPES:
            return None
        return resolved

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        send_body: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # A local development server: always revalidate, so edits show on reload.
        self.send_header("Cache-Control", "no-store" if self.path.startswith("/config.json") else "no-cache")
        for name, value in {**self.headers_to_send, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def make_server(
    host: str, port: int, site_dir: str | os.PathLike[str], api_base: str, auth_mode: str = "dev",
    oidc: dict[str, str] | None = None, media_origin: str | None = None,
) -> ThreadingHTTPServer:
    """A bound (not yet serving) threaded server for the admin site; ``port=0`` picks a free port."""
    root = Path(site_dir).resolve(strict=True)
    if not (root / "index.html").is_file():
        raise ValueError(f"{root} has no index.html")
    if auth_mode not in AUTH_MODES:
        raise ValueError(f"auth mode must be one of {AUTH_MODES}, got {auth_mode!r}")
    handler = type(
        "BoundAdminSiteHandler",
        (AdminSiteHandler,),
        {
            "site_root": root,
            "headers_to_send": security_headers(api_base, (oidc or {}).get("issuer") if auth_mode == "oidc" else None,
                                                media_origin),
            "config_body": json.dumps(site_config(api_base, auth_mode, oidc)).encode(),
        },
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="base URL of the API")
    parser.add_argument("--site", default="build/web/admin", help="folder with the built static site")
    parser.add_argument("--auth-mode", choices=AUTH_MODES, default="dev")
    parser.add_argument("--oidc-issuer", help="oidc mode: the issuer (Госуслуги 74)")
    parser.add_argument("--oidc-client-id", help="oidc mode: the admin site's client id")
    parser.add_argument("--oidc-redirect-uri", help="oidc mode: where the issuer sends the code back")
    parser.add_argument("--media-origin", help="where images are uploaded to and read from (the local S3)")
    args = parser.parse_args(argv)

    oidc = {"issuer": args.oidc_issuer, "client_id": args.oidc_client_id, "redirect_uri": args.oidc_redirect_uri}
    server = make_server(args.host, args.port, args.site, args.api, args.auth_mode, oidc, args.media_origin)

    def stop(signum, frame):
        raise KeyboardInterrupt

    # SIGINT too: a shell without job control starts background children with SIGINT ignored.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"admin site ready on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
