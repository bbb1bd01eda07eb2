"""Benchmarks run by ``make bench`` (``python -m bench``). Each module in ``BENCHMARKS`` exposes
``run() -> list[str]``, the lines of its report."""

BENCHMARKS = [
    "bench.cold_start",
    "bench.feed",
    "bench.ballots",
    "bench.resident_app",
    "bench.push",
]
