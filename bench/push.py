"""The CPU cost of one Web Push and the fan-out concurrency it implies for 100,000 subscriptions of
one district in under a minute (docs/decisions/018-web-push.md).

Measured here, on this machine's CPU (``time.process_time``):

- encrypt: RFC 8291 (an ephemeral P-256 key, ECDH with the browser's key, HKDF, AES-128-GCM) of a
  bulletin's payload, as pywebpush does it for every push;
- sign: one VAPID token (ES256), made once per push-service origin and reused for an hour
  (aj74.push.delivery.Signer), so per push it is amortised to nothing;
- send: the whole client side of a push (encrypt, headers, an HTTP POST with requests over a kept
  connection) against a stand-in push service in another process that answers 201 at once, with
  the fan-out's 16 concurrent requests (aj74.push.delivery.Sender).

Network wait is not CPU: at ``LATENCY_S`` per request to a push service and 16 requests in flight,
one instance sends at most 16 / LATENCY_S pushes a second, and at most 1 / cpu pushes a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

N = int(os.environ.get("AJ74_BENCH_PUSHES", "1000"))
TARGET_PUSHES, TARGET_SECONDS = 100_000, 60
LATENCY_S = 0.100  # a push service's answer from eu-central-1 (FCM, autopush: tens of ms; 100 ms assumed)
WORKERS = 16
# Lambda's arm64 vCPU against this machine's core: assumed 1.5x slower, to be safe; memory buys CPU
# share (1,769 MB = one vCPU), so the fan-out's 512 MB is ~0.29 vCPU.
ARM_FACTOR, VCPU_AT_512MB = 1.5, 512 / 1769

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(201); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def _subscriptions(origin: str, n: int):
    from aj74.push.subscriptions import Subscription
    from aj74.push.vapid import b64url
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    out = []
    for i in range(n):
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        out.append(Subscription(f"territory#gp-satka#{i % 8}", f"sub#{i:032x}", f"{origin}/push/{i}", b64url(public),
                                b64url(os.urandom(16))))
    return out


def _cpu_ms(work, n: int) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) * 1000 / n


def run() -> list[str]:
    os.environ.setdefault("STAGE", "local")
    from aj74.clock import utcnow
    from aj74.push import notifications
    from aj74.push.delivery import Sender, Signer
    from aj74.push.vapid import signing_key_from
    from pywebpush import WebPusher

    notification = notifications.bulletin({
        "id": "01JBENCH0000000000000000000", "title": "Штормовое предупреждение по Саткинскому району",
        "severity": "danger", "excerpt": "Ожидается усиление ветра до 25 м/с, гроза, град. " * 4}, utcnow())
    payload = notification.payload()
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        origin = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        subs = _subscriptions(origin, N)
        encrypt = _cpu_ms(lambda: [WebPusher(s.info()).encode(payload, "aes128gcm") for s in subs], N)
        key = signing_key_from("b" * 64)
        sign = _cpu_ms(lambda: [Signer(key, "https://aj74.ru")._sign(origin, int(time.time())) for _ in range(200)],
                       200)
        sender = Sender(Signer(key, "https://aj74.ru"), workers=WORKERS)
        sender.send_all(subs[:20], notification)  # warm the connection pool
        wall = time.perf_counter()
        send = _cpu_ms(lambda: sender.send_all(subs, notification), N)
        wall = time.perf_counter() - wall
    finally:
        server.terminate()
        server.wait()
    lambda_cpu_s = send / 1000 * ARM_FACTOR / VCPU_AT_512MB
    per_instance = min(WORKERS / LATENCY_S, 1 / lambda_cpu_s)
    rate = TARGET_PUSHES / TARGET_SECONDS
    instances = rate / per_instance
    return [
        f"   payload {len(payload)} B, encrypted body {len(payload) + 86 + 17} B (< 4,096)",
        f"   encrypt (RFC 8291)       {encrypt:6.3f} ms CPU per push",
        f"   sign VAPID token (ES256) {sign:6.3f} ms CPU per token (one per push service and hour)",
        f"   send (encrypt+HTTP)      {send:6.3f} ms CPU per push; {N} pushes in {wall:.2f} s wall, "
        f"{WORKERS} in flight, local push service",
        f"   on Lambda arm64 at 512 MB: ~{lambda_cpu_s * 1000:.1f} ms a push (x{ARM_FACTOR} arm, "
        f"{VCPU_AT_512MB:.2f} vCPU) -> {1 / lambda_cpu_s:,.0f} pushes/s CPU-bound; "
        f"{WORKERS / LATENCY_S:,.0f} pushes/s at {LATENCY_S * 1000:.0f} ms latency",
        f"   {TARGET_PUSHES:,} pushes in {TARGET_SECONDS} s = {rate:,.0f}/s -> {instances:.1f} concurrent instances "
        f"at {per_instance:,.0f} pushes/s each (MaximumConcurrency 100 leaves x{100 / instances:.0f})",
    ]
