"""Run one function of template.yaml in its own process and drive its SQS and Schedule events.

One process per function keeps Lambda's isolation: module state, caches and the environment are
never shared between functions. Started by the local stack with ``env_for(function)`` as the
environment; run by hand as::

    python -m infra.local.function_runner --function BallotConsumerFunction

(the local AWS enforces IAM: by hand, export the function role's keys as AWS_* and, to describe the
stack, the administrator's as AJ74_LOCAL_SERVICE_AWS_*; see infra/local/iam.py).

Stops cleanly on SIGTERM or SIGINT, after the batch in flight is settled.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from infra.local.invocation import Invoker, load_handler, logger
from infra.local.provision import STACK_NAME, Credentials, UnresolvedError, attach, aws_client, register_credentials
from infra.local.scheduler import ScheduleDriver
from infra.local.sqs_driver import SqsDriver

DEFAULT_RETRY_DELAY_SECONDS = 1
# The local Lambda service's keys (read-only: describe the stack), given by the local stack. They are
# taken out of the environment first thing, so the handler only ever sees its role's AWS_* keys.
SERVICE_ENV = "AJ74_LOCAL_SERVICE_"


def _pop_credentials(prefix: str) -> Credentials | None:
    values = {name: os.environ.pop(f"{prefix}{name}", None)
              for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    if not values["AWS_ACCESS_KEY_ID"] or not values["AWS_SECRET_ACCESS_KEY"]:
        return None
    return Credentials(values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"], values["AWS_SESSION_TOKEN"])


def _role_credentials() -> Credentials | None:
    """The function's role, from the environment, as Lambda gives it to the function."""
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        return None
    return Credentials(key, secret, os.environ.get("AWS_SESSION_TOKEN"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--function", required=True, help="logical id of the function in template.yaml")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    parser.add_argument("--stack-name", default=STACK_NAME)
    parser.add_argument(
        "--retry-delay-seconds",
        type=int,
        default=int(os.environ.get("AJ74_SQS_RETRY_DELAY_SECONDS", DEFAULT_RETRY_DELAY_SECONDS)),
        help="visibility of a failed SQS record before its retry (the only deviation from Lambda)",
    )
    parser.add_argument("--ready-file", type=Path, help="created once the pollers run")
    args = parser.parse_args(argv)

    service = _pop_credentials(SERVICE_ENV)
    if service is not None:
        register_credentials(args.endpoint_url, service)
    try:
        resources = attach(args.endpoint_url, args.stack_name)
    finally:
        if service is not None:
            register_credentials(args.endpoint_url, None)
    spec = resources.functions.get(args.function)
    if spec is None:
        parser.error(f"{args.function} is not a function of template.yaml")
    # Launched by the stack the environment is complete; by hand, fill what the stack can tell.
    for name, value in resources.env_template(spec.logical_id).items():
        if name not in os.environ:
            try:
                os.environ[name] = str(resources.resolve(value))
            except UnresolvedError as error:
                logger.error("environment incomplete", variable=name, reason=str(error))
                return 2

    # Imported only now, with the environment in place, as Lambda's init phase does.
    invoke = Invoker.for_function(spec, load_handler(spec.module, spec.attribute))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    # Lambda's SQS poller works with the function's role (SAM grants it the poller's actions).
    sqs = aws_client("sqs", args.endpoint_url, resources.region, credentials=_role_credentials())
    drivers = [
        SqsDriver(sqs, source, invoke, resources.region, retry_delay_seconds=args.retry_delay_seconds).run
        for source in spec.sqs_events
        if source.enabled
    ] + [ScheduleDriver(source, invoke, resources.region).run for source in spec.schedule_events if source.enabled]
    if spec.other_event_types:
        logger.warning("events not driven locally", function=spec.logical_id, types=spec.other_event_types)
    # Daemon threads: a crash of the main thread must end the process, not leave pollers running.
    threads = [
        threading.Thread(target=run, args=(stop,), name=f"driver-{i}", daemon=True) for i, run in enumerate(drivers)
    ]
    try:
        for thread in threads:
            thread.start()
        logger.info(
            "function runner ready",
            function=spec.logical_id,
            handler_module=spec.module,
            drivers=len(threads),
        )
        if args.ready_file:
            args.ready_file.write_text(str(os.getpid()), encoding="utf-8")
        while not stop.wait(0.5):
            if not any(t.is_alive() for t in threads):
                break
    finally:
        stop.set()
        for thread in threads:
            # A batch in flight is settled (bounded by the function's timeout) before the process exits.
            thread.join(timeout=spec.timeout_seconds + 5)
    logger.info("function runner stopped", function=spec.logical_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
