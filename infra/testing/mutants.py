"""`make mutants`: mutation testing of the critical modules with mutmut, and the triage check.

Each group of `[tool.aj74-mutants.groups]` in pyproject.toml (its modules and the fast-tier tests
that guard them) runs in a copy of the work tree of its own, build/mutation/<group>, so the real tree
is never touched. The copy has the domain package at src/aj74, where mutmut imports the mutated code
from (it only looks under ./, src/ and source/). mutmut then picks, for each mutant, the tests that
call the mutated function (it records coverage once), so a mutant of `scope.py` runs only the scope
tests. The report lists every surviving mutant per module; a survivor that has no entry in
tests/mutation/triage.toml (why it is equivalent or harmless, docs/testing.md) fails the run, and so
does an entry for a mutant that no longer survives (a stale triage).

    python infra/testing/mutants.py                 # every group
    python infra/testing/mutants.py tokens scope    # some groups
    python infra/testing/mutants.py --report tokens # the report of the last run, without running
    python infra/testing/mutants.py --list          # the groups
    python infra/testing/mutants.py --keep ledger --again 'aj74.ballots.repository.*'  # retest after a new test
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "mutation"
TRIAGE = ROOT / "tests" / "mutation" / "triage.toml"
PACKAGE = Path("layers/common/aj74")
STATUS_LINE = re.compile(r"^\s+(?P<name>[\w.]+__mutmut_\d+): (?P<status>.+)$")
# A mutant that makes the tests run past mutmut's time limit (an endless loop) is caught: the suite
# would hang on it instead of passing.
NOT_A_SURVIVOR = {"killed", "caught by type check", "timeout"}


def settings() -> tuple[dict, dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["mutmut"], data["tool"]["aj74-mutants"]["groups"]


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def work_tree_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]


def prepare(group: str, common: dict, spec: dict, keep: bool = False) -> Path:
    """A fresh copy of the work tree for the group, with its mutmut configuration. With ``keep``, the
    copy of an earlier run is kept (mutmut resumes where it stopped) and only the tests and the
    package's changed modules are renewed."""
    work = BUILD / group
    if keep and (work / "mutants").is_dir():
        for rel in work_tree_files():
            if rel.startswith("tests/"):
                for dest in (work / rel, work / "mutants" / rel):
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / rel, dest)
            elif rel.startswith(f"{PACKAGE}/"):
                # The package as it is now: mutmut mutates a module again when its source is newer than
                # its mutants, and tests again the mutants of the functions that changed.
                for dest in (work / rel, work / "src" / "aj74" / Path(rel).relative_to(PACKAGE)):
                    if not dest.exists() or dest.read_bytes() != (ROOT / rel).read_bytes():
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(ROOT / rel, dest)
        configure(work, common, spec)  # the group's test list may have grown
        return work
    if work.exists():
        shutil.rmtree(work)
    for rel in work_tree_files():
        if rel.startswith(("node_modules/", "bench/")):
            continue
        dest = work / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    shutil.copytree(work / PACKAGE, work / "src" / "aj74")
    configure(work, common, spec)
    return work


def configure(work: Path, common: dict, spec: dict) -> None:
    """The copy's pyproject.toml: the common mutmut settings, the group's modules and its tests."""
    config = dict(common)
    config["source_paths"] = ["src/aj74"]
    config["only_mutate"] = [f"src/aj74/{m}" for m in spec["modules"]]
    config["pytest_add_cli_args_test_selection"] = list(spec["tests"])
    pyproject = work / "pyproject.toml"
    text = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", pyproject.read_text("utf-8"))
    text += "\n[tool.mutmut]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in config.items())
    pyproject.write_text(text, "utf-8")


def mutmut(work: Path, *args: str, capture: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=work, env=env, text=True,
                          capture_output=capture, check=False)


@contextmanager
def shared_moto(spec: dict, work: Path) -> Iterator[dict[str, str]]:
    """For a group whose tests run on a moto server (tests/integration): one server for the whole run,
    reset by each mutant's pytest session (tests/integration/conftest.py), instead of a server started
    and provisioned afresh per mutant, which is most of such a mutant's time here."""
    if not any(t.startswith("tests/integration/") for t in spec["tests"]):
        yield {}
        return
    sys.path.insert(0, str(ROOT))
    from infra.local.moto_process import moto_server

    (work / "moto-log").mkdir(exist_ok=True)
    with moto_server(work / "moto-log") as endpoint:
        yield {"AJ74_TEST_MOTO_ENDPOINT": endpoint}


def survivors(work: Path) -> dict[str, str]:
    out = mutmut(work, "results", capture=True)
    found = {}
    for line in out.stdout.splitlines():
        match = STATUS_LINE.match(line)
        if match and match["status"] not in NOT_A_SURVIVOR:
            found[match["name"]] = match["status"]
    return found


def module_of(name: str) -> str:
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith(("x_", "xǁ")):
            return ".".join(parts[:i])
    return name


def report(group: str, spec: dict, triage: dict[str, str]) -> tuple[int, int]:
    """Prints the group's survivors per module; (untriaged survivors, stale triage entries)."""
    work = BUILD / group
    if not (work / "mutants").is_dir():
        print(f"[{group}] not run")
        return 0, 0
    found = survivors(work)
    per_module: dict[str, list[str]] = {}
    for name in sorted(found):
        per_module.setdefault(module_of(name), []).append(name)
    untriaged = 0
    print(f"[{group}] {len(found)} survivor(s) in {', '.join(spec['modules'])}")
    for module, names in per_module.items():
        print(f"  {module}: {len(names)}")
        for name in names:
            reason = triage.get(name)
            if reason:
                print(f"    {name} ({found[name]}): triaged — {reason}")
            else:
                untriaged += 1
                print(f"    {name} ({found[name]}): UNTRIAGED")
                diff = mutmut(work, "show", name, capture=True).stdout
                print("      " + "\n      ".join(diff.strip().splitlines()[1:]))
    prefixes = tuple("aj74." + m.removesuffix(".py").removesuffix("*").replace("/", ".") for m in spec["modules"])
    stale = [n for n in triage if n.startswith(prefixes) and n not in found]
    for name in stale:
        print(f"  stale triage entry (the mutant is killed or gone): {name}")
    return untriaged, len(stale)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*")
    parser.add_argument("--report", action="store_true", help="only report the last run")
    parser.add_argument("--list", action="store_true", help="list the groups")
    parser.add_argument("--keep", action="store_true",
                        help="resume in the copies of the last run (mutants already tested keep their result)")
    parser.add_argument("--again", nargs="+", metavar="MUTANT", default=[],
                        help="with --keep: test these mutants again (names or globs, as `mutmut results` lists "
                             "them), e.g. the survivors after a test was added")
    args = parser.parse_args()
    common, groups = settings()
    if args.list:
        for name, spec in groups.items():
            extra = "" if spec.get("default", True) else "  (by name only)"
            print(f"{name}: {', '.join(spec['modules'])}  <-  {', '.join(spec['tests'])}{extra}")
        return 0
    if args.again and not args.keep:
        parser.error("--again tests mutants of the last run again: it needs --keep")
    unknown = set(args.groups) - set(groups)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    # A group marked `default = false` runs only when named (none is, now that every group is triaged).
    chosen = args.groups or [name for name, spec in groups.items() if spec.get("default", True)]
    triage = {name: entry["reason"] for name, entry in tomllib.loads(TRIAGE.read_text("utf-8")).items()}
    timings = {}
    if not args.report:
        for group in chosen:
            started = time.monotonic()
            work = prepare(group, common, groups[group], keep=args.keep)
            if args.again:
                # A test that changed may now call functions it did not: mutmut records again which
                # tests call which function (its results for the other mutants are kept).
                (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
            print(f"[{group}] mutmut run in {work.relative_to(ROOT)}", flush=True)
            # A group's `env` (e.g. the fast tier's smaller property searches) reaches its test runs.
            with shared_moto(groups[group], work) as moto_env:
                result = mutmut(work, "run", "--max-children", str(common.get("max_children", 1)), *args.again,
                                env={**groups[group].get("env", {}), **moto_env})
            timings[group] = time.monotonic() - started
            if result.returncode != 0:
                print(f"[{group}] mutmut failed ({result.returncode})")
                return 2
    untriaged = stale = 0
    print("\n== Surviving mutants ==")
    for group in chosen:
        u, s = report(group, groups[group], triage)
        untriaged, stale = untriaged + u, stale + s
        if group in timings:
            print(f"[{group}] wall time {timings[group] / 60:.1f} min")
    if untriaged or stale:
        print(f"\nFAIL: {untriaged} untriaged survivor(s), {stale} stale triage entr(y/ies): "
              "kill them with a test or triage them in tests/mutation/triage.toml (docs/testing.md)")
        return 1
    print("\nOK: every survivor is triaged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
