"""Serve the Chalice app over HTTP on the local stack (what `chalice local` does, without its
reloader, whose child process can outlive its parent).

Run as ``python -m infra.local.api_server --host 127.0.0.1 --port 8000``; configuration comes from
the environment, exactly as API Gateway + Lambda would provide it. Run from the checkout, it puts
the development identity provider (``infra.local.dev_identity``, never in a Lambda artifact) on the
path, and app.py registers its routes on the local stage.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys

from aj74.api import problems
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGateway


class PreflightToAppGateway(LocalGateway):
    """Sends OPTIONS to the app, as template.yaml routes it to the function: the middleware answers
    preflights for both web origins (Chalice's local gateway would answer from one CORSConfig)."""

    def _has_user_defined_options_method(self, lambda_event) -> bool:
        return True


class RequestHandler(ChaliceRequestHandler):
    """Answers what API Gateway answers itself (unknown route or method) as problem+json, like the
    GatewayResponses in template.yaml, and keeps request lines (which may carry query strings with
    personal data) out of the log."""

    def __init__(self, request, client_address, server, app_object, config) -> None:
        self.local_gateway = PreflightToAppGateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def _send_error_response(self, error) -> None:
        body = problems.problem_body(error.CODE, "Ошибка запроса",
                                     "Запрос не может быть выполнен: неизвестный адрес или метод.", "gateway-error")
        self._send_http_response(error.CODE, {"Content-Type": problems.PROBLEM_CONTENT_TYPE},
                                 problems.dumps(body).encode("utf-8"))

    def log_message(self, *args, **kwargs) -> None:
        pass

    def send_error(self, code, message=None, explain=None) -> None:
        # http.server answers a method it has no handler for (TRACE, QUERY, ...) with an HTML 501,
        # and a broken request line with HTML too. API Gateway answers a method no route declares
        # with its DEFAULT_4XX problem (403), and so do we; anything else keeps its status.
        status = 403 if code == 501 else code
        self.close_connection = True
        body = problems.problem_body(status, "Ошибка запроса",
                                     "Запрос не может быть выполнен: неизвестный адрес или метод.", "gateway-error")
        payload = problems.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", problems.PROBLEM_CONTENT_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and status >= 200 and status not in (204, 304):
            self.wfile.write(payload)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    logging.getLogger("chalice").setLevel(logging.WARNING)
    from app import (
        app,  # imported here so that the environment is read at start-up, as in Lambda
        settings,
    )

    # The stack's tokens come from the development identity provider (its JWKS is OIDC_JWKS_URL),
    # which app.py registers from this package (infra.local.dev_identity) on the local stage only.
    if settings.is_local and "/dev/jwks.json" not in app.routes:
        raise SystemExit("the local API has no development identity provider: infra.local.dev_identity "
                         "did not import")

    config = Config.create(chalice_stage="local", app_name="aj74", chalice_app=app)
    server = LocalDevServer(app, config, args.host, args.port, handler_cls=RequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"api ready on http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
