"""A stand-in for a browser vendor's push service (FCM, Mozilla autopush, Apple), on 127.0.0.1.

It receives the server's Web Push requests exactly as a vendor's push service would (RFC 8030
POSTs with RFC 8291 ``aes128gcm`` bodies and RFC 8292 VAPID ``Authorization``), answers with the
statuses a test scripts (201 by default; 410, 429, …), and plays the browser's part too: each
``Browser`` holds the subscription's private key and auth secret, generated here with
``cryptography``, and decrypts what it received. Nothing here is the product's code.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Browser:
    """One subscribed browser: its endpoint at the stand-in push service and its RFC 8291 keys."""

    endpoint: str
    private_key: object
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict:
        """What ``PushSubscription.toJSON()`` gives the resident app."""
        from cryptography.hazmat.primitives import serialization

        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}}

    def decrypt(self, received: Received) -> dict:
        """The notification's JSON, decrypted with this browser's keys (RFC 8291, aes128gcm)."""
        import http_ece

        assert received.headers.get("content-encoding") == "aes128gcm"
        plain = http_ece.decrypt(received.body, private_key=self.private_key, auth_secret=self.auth_secret,
                                 version="aes128gcm")
        return json.loads(plain.decode("utf-8"))


class PushServiceStandIn:
    """The push service's HTTP side: ``/push/<name>`` endpoints, scripted answers, what arrived."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.scripts: dict[str, list[tuple[int, dict]]] = {}
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    outer.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    script = outer.scripts.get(self.path) or []
                    status, headers = script.pop(0) if script else (201, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushServiceStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def browser(self, name: str) -> Browser:
        from cryptography.hazmat.primitives.asymmetric import ec

        return Browser(f"{self.origin}/push/{name}-{b64url(os.urandom(6))}", ec.generate_private_key(ec.SECP256R1()))

    def answer(self, browser: Browser, *statuses: int | tuple[int, dict]) -> None:
        """Script the next answers to ``browser``'s endpoint (then 201 again)."""
        path = browser.endpoint.removeprefix(self.origin)
        self.scripts[path] = [s if isinstance(s, tuple) else (s, {}) for s in statuses]

    def to(self, browser: Browser) -> list[Received]:
        path = browser.endpoint.removeprefix(self.origin)
        with self._lock:
            return [r for r in self.received if r.path == path]


def verify_vapid(received: Received, public_key: str, audience: str) -> dict:
    """The VAPID token's claims, after checking its ES256 signature against ``public_key`` (the one
    GET /v1/push/key gives), its audience and expiry (RFC 8292)."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(p.split("=", 1) for p in params.split(","))
    assert parts["k"] == public_key
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
    claims = jwt.decode(parts["t"], key, algorithms=["ES256"], audience=audience)
    assert claims["sub"].startswith(("https://", "mailto:"))
    return claims
