"""Run every benchmark (or those named on the command line) and print their reports.

    python -m bench               # all of bench.BENCHMARKS
    python -m bench cold_start    # only the named ones
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

from bench import BENCHMARKS


def main(argv: list[str]) -> int:
    selected = [m for m in BENCHMARKS if not argv or m.rpartition(".")[2] in argv]
    unknown = set(argv) - {m.rpartition(".")[2] for m in BENCHMARKS}
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
              f"known: {', '.join(m.rpartition('.')[2] for m in BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = 0
    for name in selected:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            lines = importlib.import_module(name).run()
        except Exception:  # one broken benchmark must not hide the others' results
            failed += 1
            traceback.print_exc()
            continue
        for line in lines:
            print(line, flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
