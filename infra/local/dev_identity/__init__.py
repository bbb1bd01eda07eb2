"""The development identity provider: Госуслуги 74's stand-in on the local stack, and its routes.

Dev-only code lives outside the Lambda layer (docs/decisions/001-layout-and-shared-layer.md): this
package is importable only from a checkout (the local stack, tests, tools), so no production
artifact can hold it. ``app.py`` registers :mod:`.routes` when the stage is ``local`` and this
package is importable; ``make package`` refuses a layer or function package that holds any of it
(``infra/packaging/build.py``).
"""

# aj74:dev-only: never in a Lambda artifact (infra/packaging/build.py refuses any file holding this tag).
