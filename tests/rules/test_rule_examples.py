"""Every rule's `bad` example yields exactly its listed hits and its `good` example none (sqlfluff-style runner)."""
from __future__ import annotations

import pytest
from rule_examples import actual_hits, engine_available, example_network, expected_hits, needs_engine

from vpcreach.checks.catalogue import load_catalogue, run_rules

CATALOGUE = load_catalogue()
CASES = [pytest.param(rule, name, id=f"{rule.code}-{rule.name}-{name}")
         for rule in CATALOGUE for name in ("bad", "good")]


@pytest.mark.parametrize("rule, example", CASES)
def test_example(rule, example):
    if needs_engine(rule) and not engine_available():
        pytest.skip("engine not available yet")
    findings = run_rules(example_network(rule, example), [rule])
    assert actual_hits(findings) == expected_hits(rule, example)
