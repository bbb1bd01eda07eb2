"""``python -m infra.packaging`` (``make package``): build, print sizes, fail on leaks."""

from __future__ import annotations

import sys

from infra.packaging.build import LeakError, build_all


def main() -> int:
    try:
        artifacts = build_all()
    except LeakError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    for artifact in artifacts:
        print(f"{artifact.name:<28} {artifact.files:>6} files {artifact.size / 1e6:>8.2f} MB  {artifact.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
