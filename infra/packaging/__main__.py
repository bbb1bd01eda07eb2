"""``python -m infra.packaging`` (``make package``): build, print sizes, fail on leaks."""

from __future__ import annotations

import sys
from pathlib import Path

from infra.packaging.build import LeakError, build_all

# The admin site as `make web` built it (Vite); `make deploy` uploads this folder to the site bucket.
SITE = Path(__file__).resolve().parents[2] / "build" / "web" / "admin"


def main() -> int:
    try:
        artifacts = build_all()
    except LeakError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    for artifact in artifacts:
        print(f"{artifact.name:<28} {artifact.files:>6} files {artifact.size / 1e6:>8.2f} MB  {artifact.path}")
    if not (SITE / "index.html").is_file():
        print(f"package: the admin site is not built at {SITE} (run `make web`)", file=sys.stderr)
        return 1
    site = [f for f in SITE.rglob("*") if f.is_file()]
    print(f"{'admin site':<28} {len(site):>6} files {sum(f.stat().st_size for f in site) / 1e6:>8.2f} MB  {SITE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
