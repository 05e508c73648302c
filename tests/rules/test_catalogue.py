"""Catalogue-wide properties (sqlfluff docstring_test / cfn-lint test_rules_collections style)."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from vpcreach.checks.catalogue import load_catalogue
from vpcreach.checks.docs import render_all

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue()
BY_NAME = {rule.name: rule for rule in CATALOGUE}

REQUIRED_NAMES = ["missing-nat-route", "asymmetric-nacl", "blackhole-route", "nat-without-internet-route",
                  "peering-route-missing", "public-ip-without-internet-route", "internet-exposed-admin-port"]
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_the_required_rules_exist_under_their_names():
    assert [name for name in REQUIRED_NAMES if name not in BY_NAME] == []


def test_catalogue_is_broad():
    assert len(CATALOGUE) >= 35


def test_codes_and_names_are_unique_and_sorted():
    codes = [rule.code for rule in CATALOGUE]
    assert codes == sorted(set(codes))
    assert len({rule.name for rule in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.code)
def test_rule_metadata(rule):
    assert KEBAB.match(rule.name) and not rule.name.startswith(("ensure-", "check-"))
    assert rule.path == f"rules/{rule.code}-{rule.name}.yaml"
    assert rule.title.endswith(".") and rule.title[0].isupper()
    assert set(rule.remediation) == {"text", "terraform", "cli"}
    assert rule.references and all(ref["url"].startswith("https://") for ref in rule.references)


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.code)
def test_rule_has_a_bad_example_with_hits_and_a_good_one_without(rule):
    assert set(rule.examples) == {"bad", "good"}
    assert rule.examples["bad"].hits and not rule.examples["good"].hits


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.code)
def test_check_function_exists_and_takes_the_params(rule):
    function = rule.function
    assert function.__module__.startswith("vpcreach.checks.")
    inspect.signature(function).bind(None, **rule.params)


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.code)
def test_example_fixture_paths_exist(rule):
    for example in rule.examples.values():
        if isinstance(example.network, str):
            assert example.network.startswith("fixtures/rules/") and (REPO_ROOT / example.network).is_file()


def test_committed_docs_are_current():
    docs = REPO_ROOT / "docs" / "rules"
    committed = {path.name: path.read_text("utf-8") for path in docs.glob("*.md")}
    generated = render_all(CATALOGUE)
    stale = sorted(name for name in generated.keys() | committed.keys() if generated.get(name) != committed.get(name))
    assert stale == [], "run: python -m vpcreach.checks.docs"
