"""``python -m infra.packaging`` (``make package``): build, print each artifact's size and each
function's total (its package and its layers, against Lambda's 250 MiB), fail on leaks."""

from __future__ import annotations

import sys
from pathlib import Path

from infra.packaging.build import LAMBDA_UNZIPPED_LIMIT, MIB, PackagingError, build_all

# The admin site as `make web` built it (Vite); `make deploy` uploads this folder to the site bucket.
SITE = Path(__file__).resolve().parents[2] / "build" / "web" / "admin"


def main() -> int:
    try:
        built = build_all()
    except PackagingError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    for artifact in built.artifacts:
        print(f"{artifact.name:<28} {artifact.files:>6} files {artifact.size / MIB:>8.2f} MiB  {artifact.path}")
    print(f"\nUnzipped, with its layers (Lambda allows {LAMBDA_UNZIPPED_LIMIT / MIB:.0f} MiB):")
    for total in built.totals.values():
        print(f"{total.function_id:<28} {total.size / MIB:>8.2f} MiB  {total.headroom / MIB:>7.2f} MiB free  "
              f"{' + '.join(total.layers)}")
    if not (SITE / "index.html").is_file():
        print(f"package: the admin site is not built at {SITE} (run `make web`)", file=sys.stderr)
        return 1
    site = [f for f in SITE.rglob("*") if f.is_file()]
    print(f"\n{'admin site':<28} {len(site):>6} files {sum(f.stat().st_size for f in site) / MIB:>8.2f} MiB  {SITE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
