"""Settings per function (aj74.settings): each function's handler validates, at import, every
variable it needs, with typed errors; what a function needs agrees with template.yaml and with the
resources its code reaches (infra/permissions.yaml)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from aj74.settings import (
    API,
    AUDIT_ANCHOR,
    BALLOT_CONSUMER,
    FUNCTIONS,
    POLL_SCHEDULER,
    SettingsError,
    load_settings,
)

from infra import permissions
from infra import template as sam

REPO_ROOT = sam.REPO_ROOT
BASE = {"STAGE": "prod", "OIDC_ISSUER": "https://esia.gosuslugi74.ru", "OIDC_AUDIENCE": "aj74-mobile",
        "ADMIN_ORIGIN": "https://admin.aj74.ru"}
HANDLERS = {"ApiFunction": "app", "BallotConsumerFunction": "functions.ballot_consumer",
            "PollSchedulerFunction": "functions.poll_scheduler", "AuditAnchorFunction": "functions.audit_anchor",
            "PushFanoutFunction": "functions.push_fanout"}


def complete(spec, **overrides) -> dict[str, str]:
    env = {**{name: f"aj74-{name.lower()}" for name in spec.variables}, **BASE}
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


@pytest.fixture(scope="module")
def template() -> dict:
    return sam.load()


def test_every_function_of_the_template_has_its_settings(template):
    assert set(FUNCTIONS) == set(sam.resources(template, sam.FUNCTION))
    assert {f.function_id: f.import_path for f in sam.functions(template).values()} == HANDLERS


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_the_template_sets_every_variable_a_function_needs(template, function_id):
    env = sam.environment(template, function_id)

    missing = [name for name in FUNCTIONS[function_id].variables if name not in env]
    assert missing == [], f"{function_id} needs {missing}, which template.yaml does not set for it"


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_a_function_declares_exactly_the_resources_its_code_reaches(template, function_id):
    # The resources derived the way infra/permissions.py grants them: the manifest entries of every
    # module the handler imports, less what the function declares it never calls.
    manifest, unused = permissions.load_manifest(), permissions.load_unused().get(function_id, set())
    reached = set()
    for module in permissions.import_closure(HANDLERS[function_id]):
        for setting, actions in manifest.get(module, {}).items():
            if not all((module, setting, action) in unused for action in actions):
                reached.add(setting.upper())

    declared = {n for n in FUNCTIONS[function_id].resources if n.lower().endswith(permissions.RESOURCE_SUFFIXES)}
    assert declared == reached


@pytest.mark.parametrize("spec", [API, BALLOT_CONSUMER, POLL_SCHEDULER, AUDIT_ANCHOR], ids=lambda s: s.function_id)
def test_a_deployed_function_without_one_of_its_variables_fails_naming_it(spec):
    assert load_settings(complete(spec), spec).function_id == spec.function_id
    for name in spec.variables:
        with pytest.raises(SettingsError, match=name):
            load_settings(complete(spec, **{name: None}), spec)
        with pytest.raises(SettingsError, match=name):
            load_settings(complete(spec, **{name: "  "}), spec)


def test_the_local_stage_may_run_without_resources_and_they_read_as_none_not_empty():
    settings = load_settings({**BASE, "STAGE": "local"}, API)

    assert settings.polls_table is None and settings.media_bucket is None and settings.ballot_queue_url is None
    with pytest.raises(SettingsError, match="OIDC_ISSUER"):  # what the API always needs, it needs locally too
        load_settings({**BASE, "STAGE": "local", "OIDC_ISSUER": ""}, API)


def test_a_function_needs_only_its_own_variables():
    # The anchor knows no identity provider and no table but the audit log's.
    env = {"STAGE": "prod", "AUDIT_TABLE": "aj74-audit", "AUDIT_ANCHOR_BUCKET": "aj74-anchors"}

    settings = load_settings(env, AUDIT_ANCHOR)
    assert settings.audit_anchor_bucket == "aj74-anchors" and settings.oidc_issuer is None
    with pytest.raises(SettingsError, match="OIDC_ISSUER"):
        load_settings(env, API)


@pytest.mark.parametrize("name,value,message", [
    ("OIDC_CLOCK_SKEW_SECONDS", "thirty", "must be an integer"),
    ("POINTS_PER_BALLOT", "10.5", "must be an integer"),
    ("FINALISE_GRACE_SECONDS", "-1", "must be at least 0"),
    ("BALLOT_QUEUE_RETENTION_SECONDS", "30", "must be at least 60"),
    ("ORDER_CANCEL_WINDOW_MINUTES", "1h", "must be an integer"),
    ("SMALL_CELL_THRESHOLD", "0", "must be at least 1"),
    ("FOUND_NOTICE_VISIBLE_HOURS", "", None),  # blank: the default
])
def test_integers_are_parsed_with_typed_errors_naming_the_variable(name, value, message):
    env = complete(API, **{name: value})
    if message is None:
        assert isinstance(getattr(load_settings(env, API), name.lower()), int)
        return
    with pytest.raises(SettingsError, match=f"{name} {message}"):
        load_settings(env, API)


def test_integers_and_names_are_read_typed():
    settings = load_settings(complete(API, SMALL_CELL_THRESHOLD=" 5 ", POLLS_TABLE=" aj74-polls "), API)

    assert settings.small_cell_threshold == 5 and settings.polls_table == "aj74-polls"


@pytest.mark.parametrize("function_id,missing", [
    ("ApiFunction", "MEDIA_BUCKET"), ("BallotConsumerFunction", "BALLOT_MESSAGE_KEY_ARN"),
    ("PollSchedulerFunction", "FEED_TABLE"), ("AuditAnchorFunction", "AUDIT_ANCHOR_BUCKET"),
])
def test_each_handler_fails_at_cold_start_naming_the_missing_variable(function_id, missing):
    # Given a deployed stage's environment that lacks one variable the function needs
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TABLE", "_ARN", "_URL", "_BUCKET"))}
    env.update(complete(FUNCTIONS[function_id], **{missing: None}))

    # When Lambda imports the handler module
    done = subprocess.run([sys.executable, "-c", f"import {HANDLERS[function_id]}"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)

    # Then the import fails with SettingsError naming it
    assert done.returncode != 0
    assert "SettingsError" in done.stderr and missing in done.stderr, done.stderr[-2000:]
