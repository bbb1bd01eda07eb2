"""Least privilege: every function is granted exactly what its code does, and nothing else.

The manifest (infra/permissions.yaml) is checked against the code, and the template's policies
against what each function's handler reaches (infra/permissions.py explains the derivation).
"""

from __future__ import annotations

import pytest

from infra.permissions import (
    granted_statements,
    load_manifest,
    load_unused,
    manifest_gaps,
    package_modules,
    required_statements,
    scan_module,
)
from infra.template import FUNCTION, load, resources

TEMPLATE = load()
FUNCTIONS = sorted(resources(TEMPLATE, FUNCTION))


def test_the_manifest_declares_every_aws_call_the_code_makes_and_no_other():
    # Given every module of the domain package, When its calls are scanned, Then the manifest agrees
    assert manifest_gaps(load_manifest(), package_modules()) == []


def test_the_scanner_sees_the_ballot_path():
    # A guard against a scanner that silently finds nothing: the known calls of the ballot path.
    assert scan_module("aj74.ballots.queue").actions >= {"sqs:SendMessage"}
    ledger = scan_module("aj74.ballots.repository")
    assert ledger.actions >= {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}
    assert ledger.resources == {"ballots_table", "tallies_table"}


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_policies_use_explicit_statements_only(function_id):
    # SAM policy templates (DynamoDBCrudPolicy, ...) grant Scan, BatchWrite and DeleteItem to
    # functions that never call them.
    _, other = granted_statements(TEMPLATE, function_id)

    assert other == []


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_each_function_is_granted_exactly_what_its_code_uses(function_id):
    needed = required_statements(TEMPLATE, function_id, load_manifest(), load_unused().get(function_id, ()))
    granted, _ = granted_statements(TEMPLATE, function_id)

    assert sorted(granted - needed) == [], f"{function_id} is granted actions its code never performs"
    assert sorted(needed - granted) == [], f"{function_id} lacks permissions its code needs"


def test_only_the_consumer_writes_the_ballot_ledger():
    writers = sorted(f for f in FUNCTIONS
                     if ("dynamodb:PutItem", "BallotsTable") in granted_statements(TEMPLATE, f)[0])

    assert writers == ["BallotConsumerFunction"]


def test_narrowings_name_real_modules_and_actions():
    manifest = load_manifest()
    for function_id, entries in load_unused().items():
        assert function_id in FUNCTIONS
        for module, setting, action in entries:
            assert action in manifest.get(module, {}).get(setting, set()), (function_id, module, setting, action)
