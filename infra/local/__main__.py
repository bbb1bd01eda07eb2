"""``make run``: start the embedded local stack, print where everything is, stop on Ctrl-C.

Ports: AJ74_AWS_PORT (4566), AJ74_API_PORT (8000), AJ74_ADMIN_PORT (8080), AJ74_RESIDENT_PORT (8090,
the resident web app, whose origin the API's CORS allows). AJ74_ADMIN_AUTH=oidc
signs in to the admin site with the production code flow (PKCE) against the development issuer
instead of the persona buttons (docs/decisions/002-identity-and-dev-provider.md).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

import requests

from infra.local.stack import (
    DEFAULT_ADMIN_PORT,
    DEFAULT_API_PORT,
    DEFAULT_AWS_PORT,
    DEFAULT_RESIDENT_PORT,
    LocalStack,
    StackError,
)


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def personas_text(api_url: str) -> str:
    personas = requests.get(f"{api_url}/dev/personas", timeout=5).json()["personas"]
    width = max((len(p["persona"]) for p in personas), default=0)
    lines = []
    for p in personas:
        roles = ", ".join(p.get("roles") or []) or "—"
        lines.append(f"  {p['persona']:<{width}}  {p.get('title', '')}  (sub {p.get('sub')}; роли: {roles})")
    return "\n".join(lines)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    stack = LocalStack(
        aws_port=_port("AJ74_AWS_PORT", DEFAULT_AWS_PORT),
        api_port=_port("AJ74_API_PORT", DEFAULT_API_PORT),
        admin_port=_port("AJ74_ADMIN_PORT", DEFAULT_ADMIN_PORT),
        resident_port=_port("AJ74_RESIDENT_PORT", DEFAULT_RESIDENT_PORT),
        admin_auth_mode=os.environ.get("AJ74_ADMIN_AUTH", "dev"),
    )
    try:
        stack.start()
    except StackError as error:
        print(f"Локальный стенд не запустился: {error}", file=sys.stderr)
        return 1
    try:
        admin = stack.admin_url if "admin" not in stack.skipped else f"не запущен ({stack.skipped['admin']})"
        resident = (stack.resident_url if "resident" not in stack.skipped
                    else f"не запущено ({stack.skipped['resident']})")
        functions = [name for name in stack.pids if name not in ("moto", "api", "admin", "resident")]
        admin_key = stack.admin_credentials
        functions += [f"{name} — не запущена ({reason})" for name, reason in stack.skipped.items()
                      if name not in ("admin", "resident")]
        print(
            "\nАктивный житель 74 — локальный стенд запущен\n"
            f"  API:            {stack.api_url}\n"
            f"  Админка:        {admin}  (вход: {stack.admin_auth_mode})\n"
            f"  Приложение жителя: {resident}  (войдите жителем из списка ниже)\n"
            f"  Локальный AWS:  {stack.aws_endpoint}  (moto с проверкой IAM, регион eu-central-1)\n"
            f"                  администратор: AWS_ACCESS_KEY_ID={admin_key.access_key_id} "
            f"AWS_SECRET_ACCESS_KEY={admin_key.secret_access_key}\n"
            "                  функции работают под ролями из template.yaml; ключи testing/testing отклоняются\n"
            f"  Функции:        {', '.join(functions) or '—'}\n"
            f"  Журналы:        {stack.log_dir}\n"
            "\nПерсоны для входа (токен: POST /dev/token):\n"
            f"{personas_text(stack.api_url)}\n"
            "\nСтенд эфемерный: данные пересоздаются при каждом запуске.\n"
            "Остановить: Ctrl-C\n",
            flush=True,
        )
        reported: set[str] = set()
        while not stop.wait(1):
            for name, log_path in stack.exited().items():
                if name not in reported:
                    reported.add(name)
                    print(f"Компонент {name} остановился; журнал: {log_path}", file=sys.stderr, flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
