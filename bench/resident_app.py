"""The resident app as a phone loads it: its first-load JavaScript and its Lighthouse scores.

First-load JavaScript: every script (``<script type="module" src>``) and module preload
(``<link rel="modulepreload" href>``) that build/web/resident/index.html names, each gzipped at
level 9 (as CloudFront compresses), summed; the budget is ``JS_BUDGET_KB`` (issue 15). The CSS and
the service worker are printed beside it, for information.

Lighthouse (pinned in bench/lighthouse/package.json, installed by ``make bench`` with
``npm ci --prefix bench/lighthouse``, never by ``make test``) drives Debian's Chromium through
bench/lighthouse/run.mjs on its default mobile profile (emulated mid-range phone, simulated slow 4G,
4× CPU slowdown), categories performance, accessibility and best practices, each with the goal
≥ ``GOAL``. It measures the resident app served by the whole local stack on free ports (demo content
seeded), signed in as the Сатка resident (a development token in localStorage, as the app keeps its
session) on the poll list and the feed, and signed out on the sign-in screen. Each screen is a cold
first visit: Lighthouse clears the service worker, its caches and the HTTP cache before loading it.

The local static server does not compress, so the performance score is measured on uncompressed
transfers: a conservative figure (production serves gzip or brotli through CloudFront).

A missed budget or goal is reported (``OVER BUDGET``, ``BELOW GOAL``, with the failing audits'
titles), not raised; a part that cannot run says why and how to fix it. The benchmark fails (exit
status 1) only on a real error: the stack or Lighthouse broke while measuring.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "build" / "web" / "resident"
LIGHTHOUSE_DIR = REPO / "bench" / "lighthouse"
CHROMIUM = os.environ.get("AJ74_BENCH_CHROMIUM", "/usr/bin/chromium")
JS_BUDGET_KB = 80
GOAL = 0.9
CATEGORIES = {"performance": "performance", "accessibility": "accessibility", "best-practices": "best practices"}
SESSION_KEY = "aj74.resident.session"
PERSONA = "resident-satka"
PERSONA_NAME = "Жительница Сатки"
# Lighthouse's metrics printed under each screen's scores.
METRICS = (("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"), ("TBT", "total-blocking-time"),
           ("CLS", "cumulative-layout-shift"))
# (hash route, signed in?)
SCREENS = (("#/polls", True), ("#/feed", True), ("#/signin", False))
LIGHTHOUSE_TIMEOUT = 600
# Each screen's Lighthouse report (HTML) and its last frame (JPEG): build output, never committed.
REPORTS = REPO / "build" / "bench" / "lighthouse"


class Unavailable(Exception):
    """A part cannot run here (something is not built or installed); the message says what to do."""


class Failed(RuntimeError):
    """A part broke while measuring: a real error."""


# ------------------------------------------------------------------ first-load JavaScript
class _FirstLoad(HTMLParser):
    """The URLs of the page's module scripts and module preloads, and its stylesheets."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "link" and "modulepreload" in rel and a.get("href"):
            self.scripts.append(a["href"])
        elif tag == "link" and "stylesheet" in rel and a.get("href"):
            self.styles.append(a["href"])


def _file(url: str) -> Path:
    if "://" in url or url.startswith("//"):
        raise Failed(f"index.html loads {url} from another origin; this benchmark measures only the app's own files")
    path = (APP / url.split("?")[0].split("#")[0].lstrip("/")).resolve()
    if not path.is_relative_to(APP.resolve()) or not path.is_file():
        raise Failed(f"index.html names {url}, which is not in {_shown(APP)}")
    return path


def _gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def first_load() -> list[str]:
    index = APP / "index.html"
    if not index.is_file():
        raise Unavailable(f"the resident app is not built ({_shown(index)} is missing): run `make web`")
    parser = _FirstLoad()
    parser.feed(index.read_text(encoding="utf-8"))
    scripts = [_file(u) for u in dict.fromkeys(parser.scripts)]
    if not scripts:
        raise Failed("index.html names no script: is this the built app?")
    total = sum(_gzip_size(p) for p in scripts)
    raw = sum(p.stat().st_size for p in scripts)
    share = total / (JS_BUDGET_KB * 1024)
    verdict = "within budget" if share <= 1 else "OVER BUDGET"
    lines = [f"first-load JavaScript: {_kb(total)} gzip (budget {JS_BUDGET_KB} KB, {share * 100:.0f} %) — {verdict}",
             f"  {len(scripts)} file(s), {_kb(raw)} uncompressed: "
             + ", ".join(f"{p.relative_to(APP)} {_kb(_gzip_size(p))}" for p in scripts)]
    styles = [_file(u) for u in dict.fromkeys(parser.styles)]
    if styles:
        lines.append(f"  CSS (informational): {_kb(sum(_gzip_size(p) for p in styles))} gzip, "
                     f"{_kb(sum(p.stat().st_size for p in styles))} uncompressed")
    worker = APP / "sw.js"
    if worker.is_file():
        lines.append(f"  service worker sw.js (informational, loaded after the page): {_kb(_gzip_size(worker))} gzip, "
                     f"{_kb(worker.stat().st_size)} uncompressed")
    return lines


# ------------------------------------------------------------------ Lighthouse
def _check_lighthouse() -> Path:
    node = shutil.which("node")
    if node is None:
        raise Unavailable("Node.js is not installed (`node` is not on PATH)")
    if not (LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json").is_file():
        raise Unavailable("Lighthouse is not installed: run `npm ci --prefix bench/lighthouse` (`make bench` does)")
    if not Path(CHROMIUM).exists():
        raise Unavailable(f"Debian's Chromium is not installed at {CHROMIUM} (`apt-get install chromium`)")
    if not (APP / "index.html").is_file():
        raise Unavailable("the resident app is not built: run `make web`")
    return Path(node)


def _token(api_url: str) -> str:
    import requests

    got = requests.post(f"{api_url}/dev/token", json={"persona": PERSONA}, timeout=30)
    if got.status_code != 200:
        raise Failed(f"POST /dev/token for {PERSONA} answered {got.status_code}: {got.text[:200]}")
    return got.json()["access_token"]


def _run_lighthouse(node: Path, origin: str, token: str) -> dict:
    session = {"token": token, "name": PERSONA_NAME}
    options = {"origin": origin, "chrome": CHROMIUM, "reportDir": str(REPORTS), "sessionKey": SESSION_KEY,
               "categories": list(CATEGORIES),
               "screens": [{"path": path, "session": session if signed_in else None} for path, signed_in in SCREENS]}
    try:
        done = subprocess.run([str(node), str(LIGHTHOUSE_DIR / "run.mjs"), json.dumps(options)], cwd=LIGHTHOUSE_DIR,
                              capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise Failed(f"Lighthouse did not finish within {LIGHTHOUSE_TIMEOUT} s") from exc
    if done.returncode != 0:
        # The error's message, not the Node frames under it.
        tail = "\n".join(line for line in done.stderr.strip().splitlines()[-25:]
                         if line.strip() and not line.startswith("    at "))
        raise Failed(f"bench/lighthouse/run.mjs exited with status {done.returncode}:\n{tail}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise Failed(f"bench/lighthouse/run.mjs printed no JSON: {done.stdout[-500:]!r}") from exc


def _save_screenshot(screen: dict) -> None:
    data = screen.get("screenshot") or ""
    if screen.get("report") and data.startswith("data:image/jpeg;base64,"):
        Path(screen["report"]).with_suffix(".jpg").write_bytes(base64.b64decode(data.partition(",")[2]))


def _audit_lines(label: str, audits: list[dict]) -> list[str]:
    lines = []
    for audit in audits:
        shown = f" ({audit['displayValue']})" if audit["displayValue"] else ""
        lines.append(f"    {label}: {audit['title']}{shown}")
        lines += [f"      e.g. {example[:200]}" for example in audit.get("examples", [])]
    return lines


def _report(result: dict) -> tuple[list[str], bool]:
    lines, all_met = [], True
    for screen in result["screens"]:
        _save_screenshot(screen)
        parts, failing = [], []
        for category, label in CATEGORIES.items():
            score = screen["scores"].get(category)
            met = score is not None and score >= GOAL
            all_met &= met
            shown = "n/a" if score is None else f"{score:.2f}"
            parts.append(f"{label} {shown} (goal ≥ {GOAL}){'' if met else ' BELOW GOAL'}")
            audits = screen["failing"].get(category, [])
            if not met:
                failing += _audit_lines(label, audits)
            elif audits and category != "performance":  # passed audits of a binary kind: still a defect
                failing += _audit_lines(f"{label} (goal met, still to fix)", audits)
        lines.append(f"lighthouse /{screen['path']}: " + ", ".join(parts))
        metrics = screen.get("metrics") or {}
        shown_metrics = [f"{name} {metrics[key]}" for name, key in METRICS if metrics.get(key)]
        if shown_metrics:
            lines.append(f"    {', '.join(shown_metrics)} ({screen.get('formFactor')} profile)")
        lines += failing
        ended = "#" + screen["url"].partition("#")[2]
        if ended != screen["path"]:
            lines.append(f"    warning: the page ended at {ended}, not {screen['path']} (signed out?)")
        lines += [f"    warning: {w}" for w in screen.get("warnings") or []]
    return lines, all_met


def lighthouse_scores() -> list[str]:
    node = _check_lighthouse()
    from tests.e2e.conftest import stack_on_free_ports

    with tempfile.TemporaryDirectory(prefix="aj74-bench-resident-") as logs:
        started = time.perf_counter()
        try:
            stack = stack_on_free_ports(Path(logs)).start()
        except Exception as exc:
            raise Failed(f"the local stack did not start: {exc}") from exc
        try:
            if "resident" in stack.skipped:
                raise Unavailable(stack.skipped["resident"])
            ready = time.perf_counter() - started
            token = _token(stack.api_url)
            started = time.perf_counter()
            result = _run_lighthouse(node, stack.resident_url, token)
            measured = time.perf_counter() - started
        finally:
            stack.stop()
    lines, all_met = _report(result)
    head = (f"Lighthouse {result.get('lighthouse')} in {CHROMIUM}, mobile profile, uncompressed local transfers "
            f"(stack up in {ready:.0f} s, {len(SCREENS)} screens in {measured:.0f} s)")
    verdict = ("every Lighthouse goal met" if all_met
               else "Lighthouse goals BELOW GOAL on some screens (failing audits listed under each)")
    return [head, *lines, verdict, f"  reports and last frames: {_shown(REPORTS)}/"]


# ------------------------------------------------------------------ both
def run() -> list[str]:
    lines: list[str] = []
    failures: list[str] = []
    for title, part in (("first-load JavaScript", first_load), ("Lighthouse", lighthouse_scores)):
        try:
            lines += part()
        except Unavailable as exc:
            lines.append(f"{title}: NOT MEASURED — {exc}")
        except Failed as exc:
            lines.append(f"{title}: FAILED — {exc}")
            failures.append(title)
    if failures:
        # A real error: print what was measured, then fail the run (python -m bench exits 1).
        for line in lines:
            print(line, flush=True)
        raise Failed(f"{', '.join(failures)} could not be measured (see above)")
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
    sys.exit(0)
