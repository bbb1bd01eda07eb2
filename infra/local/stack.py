"""The embedded local stack: moto server provisioned from template.yaml, the HTTP API, one runner
process per non-HTTP function, the admin site, and demo content.

Every child runs in its own process group with its output in a log file under ``log_dir``;
``stop()`` terminates the groups (SIGTERM, then SIGKILL) so no process outlives the stack.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests
from botocore.exceptions import BotoCoreError

from infra.local.iam import create_function_identities, create_service_identity, enable_enforcement
from infra.local.provision import (
    REGION,
    Credentials,
    StackResources,
    aws_client,
    provision,
    register_credentials,
)
from infra.template import REPO_ROOT

log = logging.getLogger(__name__)

DEFAULT_AWS_PORT = 4566
DEFAULT_API_PORT = 8000
DEFAULT_ADMIN_PORT = 8080
# The resident web app (its origin is allowed by the API's CORS, AJ74_RESIDENT_PORT).
DEFAULT_RESIDENT_PORT = 8090
OIDC_AUDIENCE = "aj74-local"
# The built web apps (`make web` builds them from web/admin and web/resident with Vite).
ADMIN_SITE_DIR = "build/web/admin"
RESIDENT_APP_DIR = "build/web/resident"
# Region of the local AWS, and moto's dummy keys, which it refuses once it enforces IAM: a child
# that is given no identity of its own (the admin site) can do nothing there. The developer's real
# credentials never reach a child.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}
SCRUBBED_ENV = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


class StackError(RuntimeError):
    """A component of the local stack did not start."""


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log_path: Path
    log_file: IO[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        self.log_file.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# Resolved in the parent: after fork the child should only make the call, not load libraries.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: own process group, and a SIGTERM if the stack process dies
    without stopping its children (SIGKILL, crash). Linux ties this to the thread that started
    the child, so start the stack from a thread that lives as long as the stack."""
    os.setsid()
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Component:
    """Start a child in its own process group, its output going to ``<log_dir>/<name>.log``."""
    log_path = log_dir / f"{name}.log"
    log_file = open(log_path, "ab")  # noqa: SIM115 - owned by the Component, closed by stop()
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    return Component(name, process, log_path, log_file)


def terminate(components: list[Component], timeout: float) -> None:
    """SIGTERM each component's process group, SIGKILL whatever is left after ``timeout``."""
    for component in components:
        _signal_group(component.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for component in components:
        try:
            component.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s; killing it", component.name, timeout)
        # Also catches grandchildren left in the group after the leader exited.
        _signal_group(component.process.pid, signal.SIGKILL)
        component.process.wait()
        component.log_file.close()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def moto_command(host: str, port: int) -> list[str]:
    # moto's server behind a DynamoDB lock: without it, concurrent transactions are not atomic.
    return [sys.executable, "-m", "infra.local.moto_server", "-H", host, "-p", str(port)]


def wait_until(check, component: Component, timeout: float, what: str) -> None:
    """Poll ``check()`` until it is true; fail early with the log tail when the component dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not component.alive():
            raise StackError(f"{component.name} exited with {component.process.returncode}:\n{component.log_tail()}")
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    raise StackError(f"{component.name}: {what} not ready within {timeout:.0f} s:\n{component.log_tail()}")


def moto_ready(endpoint_url: str) -> bool:
    try:
        aws_client("sqs", endpoint_url).list_queues()
    except BotoCoreError:
        return False
    return True


def http_ok(url: str) -> bool:
    return requests.get(url, timeout=2).status_code < 500


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers do: a port whose last connections linger in TIME_WAIT is free to listen on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def service_env(credentials: Credentials | None) -> dict[str, str]:
    """The local Lambda service's keys for a function runner (see function_runner.SERVICE_ENV)."""
    if credentials is None:
        return {}
    return {f"AJ74_LOCAL_SERVICE_{name}": value for name, value in credentials.env().items()}


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(LOCAL_AWS_ENV)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class LocalStack:
    """Start with ``with LocalStack() as stack:`` (or ``start()``/``stop()``)."""

    def __init__(
        self,
        aws_port: int = DEFAULT_AWS_PORT,
        api_port: int = DEFAULT_API_PORT,
        admin_port: int = DEFAULT_ADMIN_PORT,
        host: str = "127.0.0.1",
        log_dir: Path | None = None,
        seed: bool = True,
        retry_delay_seconds: int = 1,
        schedule_tick_seconds: float | None = None,
        start_timeout: float = 60,
        stop_timeout: float = 10,
        admin_auth_mode: str = "dev",
        resident_port: int = DEFAULT_RESIDENT_PORT,
    ) -> None:
        self.host = host
        self.ports = {"aws": aws_port, "api": api_port, "admin": admin_port, "resident": resident_port}
        self.aws_endpoint = f"http://{host}:{aws_port}"
        self.api_url = f"http://{host}:{api_port}"
        self.admin_url = f"http://{host}:{admin_port}"
        self.resident_url = f"http://{host}:{resident_port}"
        self.log_dir = log_dir
        self.seed_on_start = seed
        self.retry_delay_seconds = retry_delay_seconds
        self.schedule_tick_seconds = schedule_tick_seconds
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        # "oidc": the admin site signs in with the production code flow against the dev issuer.
        self.admin_auth_mode = admin_auth_mode
        self.resources: StackResources | None = None
        # The administrator of the local AWS (Allow *): provisioning, seeding, tests, tools.
        self.admin_credentials: Credentials | None = None
        # Per function of the template: a session of its execution role (infra/local/iam.py).
        self.identities: dict[str, Credentials] = {}
        # The local Lambda service's read-only identity: the function runners describe the stack with it.
        self.service_credentials: Credentials | None = None
        self.components: dict[str, Component] = {}
        self.skipped: dict[str, str] = {}

    # -------------------------------------------------------------- lifecycle
    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def pids(self) -> dict[str, int]:
        return {name: c.process.pid for name, c in self.components.items()}

    def exited(self) -> dict[str, Path]:
        """Components that have exited since the start, with their log files."""
        return {name: c.log_path for name, c in self.components.items() if not c.alive()}

    def start(self) -> LocalStack:
        busy = [f"{name} {port}" for name, port in self.ports.items() if not port_free(self.host, port)]
        if busy:
            raise StackError(f"ports in use ({', '.join(busy)}); is another local stack running?")
        if self.log_dir is None:
            self.log_dir = Path(tempfile.mkdtemp(prefix="aj74-local-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log.info("component logs in %s", self.log_dir)
        try:
            self._start_moto()
            self.resources = provision(
                self.aws_endpoint,
                stage="local",
                parameters={
                    "OidcIssuer": f"{self.api_url}/dev",
                    "OidcAudience": OIDC_AUDIENCE,
                    "AdminOrigin": self.admin_url,
                    "ResidentOrigin": self.resident_url,
                    # Ballots drain from the local queue in a second; no need to wait two minutes.
                    "FinaliseGraceSeconds": "3",
                },
            )
            log.info("local AWS provisioned from template.yaml: %d resources", len(self.resources.physical_ids))
            self.identities = create_function_identities(self.resources, self.admin_credentials)
            self.service_credentials = create_service_identity(self.resources, self.admin_credentials)
            log.info("execution roles from template.yaml: %s", ", ".join(sorted(self.identities)))
            waits = [self._start_api(), *self._start_functions(), self._start_admin(), self._start_resident()]
            for wait in filter(None, waits):
                wait()
            if self.seed_on_start:
                from infra.local.seed import seed

                seed(self)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every child (applications first, the local AWS last); safe to call twice."""
        apps = [c for name, c in self.components.items() if name != "moto"]
        terminate(apps, self.stop_timeout)
        if "moto" in self.components:
            terminate([self.components["moto"]], self.stop_timeout)
            register_credentials(self.aws_endpoint, None)
        if self.components:
            log.info("local stack stopped")
        self.components = {}

    # -------------------------------------------------------------- the local AWS
    def aws_client(self, service: str, credentials: Credentials | None = None):
        """A boto3 client for this stack's local AWS, as the administrator unless told otherwise
        (``stack.aws_client("dynamodb", stack.identities["BallotConsumerFunction"])``)."""
        return aws_client(service, self.aws_endpoint, REGION, credentials or self.admin_credentials)

    # -------------------------------------------------------------- components
    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> Component:
        assert self.log_dir is not None
        component = spawn(name, command, env, self.log_dir)
        self.components[name] = component
        return component

    def _aws_env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.aws_endpoint}

    def _start_moto(self) -> None:
        moto = self._spawn("moto", moto_command(self.host, self.ports["aws"]), child_env({}))
        wait_until(lambda: moto_ready(self.aws_endpoint), moto, self.start_timeout, "local AWS")
        # From here on moto authorises every request against IAM; the administrator provisions.
        self.admin_credentials = enable_enforcement(self.aws_endpoint, REGION)
        register_credentials(self.aws_endpoint, self.admin_credentials)
        log.info("local AWS (moto) ready on %s, enforcing IAM", self.aws_endpoint)

    def _start_api(self):
        assert self.resources is not None
        http_functions = [f for f in self.resources.functions.values() if f.is_http]
        if len(http_functions) != 1:
            raise StackError(f"expected one HTTP function in template.yaml, found {len(http_functions)}")
        function = http_functions[0]
        env = self.resources.env_for(
            function.logical_id,
            overrides={
                **self._aws_env(),
                "OIDC_JWKS_URL": f"{self.api_url}/dev/jwks.json",
                **self.identities[function.logical_id].env(),
            },
        )
        api = self._spawn(
            "api",
            [
                sys.executable,
                "-m",
                "infra.local.api_server",
                "--host",
                self.host,
                "--port",
                str(self.ports["api"]),
            ],
            child_env(env),
        )

        def wait() -> None:
            wait_until(
                lambda: requests.get(f"{self.api_url}/v1/health", timeout=2).ok,
                api,
                self.start_timeout,
                "health",
            )
            log.info("API (%s) ready on %s", function.logical_id, self.api_url)

        return wait

    def _start_functions(self):
        assert self.resources is not None and self.log_dir is not None
        waits = []
        for function in self.resources.functions.values():
            if function.is_http or not function.is_driven:
                continue
            if importlib.util.find_spec(function.module) is None:
                self.skipped[function.logical_id] = f"module {function.module} not found"
                log.warning("%s skipped: module %s does not exist yet", function.logical_id, function.module)
                continue
            extra = {
                **self._aws_env(),
                "AJ74_SQS_RETRY_DELAY_SECONDS": str(self.retry_delay_seconds),
                # The handler and its SQS poller run as the function's role; the runner describes
                # the stack as the local Lambda service, and drops these before loading the handler.
                **self.identities[function.logical_id].env(),
                **service_env(self.service_credentials),
            }
            if self.schedule_tick_seconds is not None:
                extra["AJ74_SCHEDULE_TICK_SECONDS"] = str(self.schedule_tick_seconds)
            ready_file = self.log_dir / f"{function.logical_id}.ready"
            ready_file.unlink(missing_ok=True)
            runner = self._spawn(
                function.logical_id,
                [
                    sys.executable,
                    "-m",
                    "infra.local.function_runner",
                    "--function",
                    function.logical_id,
                    "--endpoint-url",
                    self.aws_endpoint,
                    "--stack-name",
                    self.resources.stack_name,
                    "--ready-file",
                    str(ready_file),
                ],
                child_env({**self.resources.env_for(function.logical_id), **extra}),
            )
            waits.append(self._runner_wait(function.logical_id, runner, ready_file))
        return waits

    def _runner_wait(self, name: str, runner: Component, ready_file: Path):
        def wait() -> None:
            wait_until(ready_file.exists, runner, self.start_timeout, "event drivers")
            log.info("%s ready (pid %d)", name, runner.process.pid)

        return wait

    def _start_admin(self):
        if importlib.util.find_spec("infra.local.admin_server") is None or not (REPO_ROOT / ADMIN_SITE_DIR).is_dir():
            self.skipped["admin"] = "the admin site is not built (run `make web`)"
            log.warning("admin site skipped: infra.local.admin_server or %s/ is missing", ADMIN_SITE_DIR)
            return None
        admin = self._spawn(
            "admin",
            [
                sys.executable,
                "-m",
                "infra.local.admin_server",
                "--host",
                self.host,
                "--port",
                str(self.ports["admin"]),
                "--api",
                self.api_url,
                "--site",
                ADMIN_SITE_DIR,
                "--media-origin", self.aws_endpoint,
                *self._admin_auth_args(),
            ],
            child_env({}),
        )

        def wait() -> None:
            wait_until(lambda: http_ok(f"{self.admin_url}/"), admin, self.start_timeout, "admin site")
            log.info("admin site ready on %s", self.admin_url)

        return wait

    def _start_resident(self):
        if not (REPO_ROOT / RESIDENT_APP_DIR).is_dir():
            self.skipped["resident"] = "the resident app is not built (run `make web`)"
            log.warning("resident app skipped: %s/ is missing", RESIDENT_APP_DIR)
            return None
        resident = self._spawn(
            "resident",
            [sys.executable, "-m", "infra.local.admin_server", "--host", self.host,
             "--port", str(self.ports["resident"]), "--api", self.api_url, "--site", RESIDENT_APP_DIR,
             "--media-origin", self.aws_endpoint, *self._resident_auth_args()],
            child_env({}),
        )

        def wait() -> None:
            wait_until(lambda: http_ok(f"{self.resident_url}/"), resident, self.start_timeout, "resident app")
            log.info("resident app ready on %s", self.resident_url)

        return wait

    def _resident_auth_args(self) -> list[str]:
        if self.admin_auth_mode != "oidc":
            return ["--auth-mode", self.admin_auth_mode]
        from infra.local.dev_identity.provider import RESIDENT_CLIENT_ID

        return ["--auth-mode", "oidc", "--oidc-issuer", f"{self.api_url}/dev", "--oidc-client-id", RESIDENT_CLIENT_ID,
                "--oidc-redirect-uri", f"{self.resident_url}/"]

    def _admin_auth_args(self) -> list[str]:
        if self.admin_auth_mode != "oidc":
            return ["--auth-mode", self.admin_auth_mode]
        from infra.local.dev_identity.provider import ADMIN_CLIENT_ID

        # The development provider is the issuer; it registers exactly this client and redirect URI.
        return ["--auth-mode", "oidc", "--oidc-issuer", f"{self.api_url}/dev", "--oidc-client-id", ADMIN_CLIENT_ID,
                "--oidc-redirect-uri", f"{self.admin_url}/"]
