"""Cold start: what importing each Lambda handler module costs, against a bare ``import boto3``.

Every handler named in template.yaml is imported in a fresh interpreter, the way Lambda loads it:
the working directory and ``sys.path[0]`` are the function's ``CodeUri``, and the environment is
the one the template gives the function (intrinsics resolved to plausible stand-ins). Only the
import statement is timed, not interpreter start-up. Each import is measured ``REPEATS`` times and
the median reported, in milliseconds and as a ratio to ``import boto3`` measured in the same run.
The goal is a ratio ≤ 1.0: a handler should cost no more to load than the AWS SDK alone.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from infra import template as sam
from infra.template import REPO_ROOT

REPEATS = 7
GOAL_RATIO = 1.0

# Runs inside the measured interpreter; everything but the timed import happens outside the timer.
_PROBE = """
import importlib, sys, time
name = sys.argv[1]
started = time.perf_counter()
importlib.import_module(name)
elapsed = time.perf_counter() - started
print(f"IMPORT_MS {elapsed * 1000:.3f}")
"""


def _base_environment() -> dict[str, str]:
    # Only what the interpreter needs: nothing from the caller's shell (a STAGE=local, say) leaks in.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ}


def measure_import(module: str, cwd: Path, env: dict[str, str], repeats: int = REPEATS) -> float:
    """Median milliseconds of ``import module`` in fresh interpreters (after one warm-up run)."""
    samples = []
    for attempt in range(repeats + 1):
        done = subprocess.run([sys.executable, "-c", _PROBE, module], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"import {module} failed: {last}")
        line = next(x for x in done.stdout.splitlines() if x.startswith("IMPORT_MS "))
        if attempt:  # the first run writes bytecode caches and warms the file cache
            samples.append(float(line.split()[1]))
    return statistics.median(samples)


def run(repeats: int = REPEATS) -> list[str]:
    """Measure every handler of template.yaml against bare boto3; return the report lines."""
    template = sam.load()
    baseline = measure_import("boto3", REPO_ROOT, _base_environment(), repeats)
    width = 60
    lines = [
        f"cold start: import time in a fresh interpreter, median of {repeats} "
        f"(goal: ratio to bare boto3 ≤ {GOAL_RATIO:.1f})",
        f"  {'import boto3 (baseline)':<{width}} {baseline:8.1f} ms  1.00",
    ]
    for handler in sam.functions(template).values():
        label = f"{handler.import_path} ({handler.function_id})"
        if not handler.source.is_file():
            lines.append(f"  {label:<{width}} skipped: {handler.source.relative_to(REPO_ROOT)} not present")
            continue
        env = {**_base_environment(), **sam.stand_in_environment(template, handler.function_id)}
        try:
            elapsed = measure_import(handler.module, handler.code_dir, env, repeats)
        except RuntimeError as exc:
            lines.append(f"  {label:<{width}} FAILED: {exc}")
            continue
        ratio = elapsed / baseline
        verdict = "ok" if ratio <= GOAL_RATIO else "OVER GOAL"
        lines.append(f"  {label:<{width}} {elapsed:8.1f} ms  {ratio:4.2f}  {verdict}")
    return lines
