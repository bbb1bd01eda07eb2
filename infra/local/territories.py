"""The territory registry of the local stack, seeded from the packaged file right after the
tables are provisioned (docs/decisions/017-territory-registry.md), as the first API cold start
would in AWS: the stack is ephemeral, so every start begins from the packaged version."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
LOGICAL_ID = "TerritoriesTable"


def seed(resources, dynamodb) -> None:
    """Write the packaged territories into the provisioned registry table, if the template has one."""
    from aj74.territories.repository import write_seed

    table = resources.physical_ids.get(LOGICAL_ID)
    if not table:
        return
    head = write_seed(dynamodb, table)
    log.info("territory registry %s seeded: %s", table, head["source"])
