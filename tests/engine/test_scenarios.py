"""Scenario networks with expected answers stored as data: one network per piece of AWS semantics.

Each fixtures/scenarios/<name>/expected.yaml lists questions and what AWS would answer: the verdict,
and for blocked traffic the explanation codes (and optionally components and directions).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from vpcreach.engine import Analyzer
from vpcreach.cli.query import build_query
from vpcreach.importers import load_source

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "fixtures" / "scenarios"
NETWORKS = {p.parent.name: (p.parent / "network.json", p) for p in sorted(SCENARIOS.glob("*/expected.yaml"))}
NETWORKS["example"] = (ROOT / "fixtures" / "example", ROOT / "fixtures" / "example" / "expected-queries.yaml")


def cases():
    for scenario, (network, expected) in NETWORKS.items():
        for case in yaml.safe_load(expected.read_text()):
            yield pytest.param(scenario, case, id=f"{scenario}: {case['name']}")


_analyzers: dict[str, Analyzer] = {}


def analyzer_for(scenario: str) -> Analyzer:
    if scenario not in _analyzers:
        _analyzers[scenario] = Analyzer(load_source(str(NETWORKS[scenario][0])))
    return _analyzers[scenario]


@pytest.mark.parametrize("scenario, case", list(cases()))
def test_scenario(scenario, case):
    query = build_query("", case["from"], case["to"], case.get("protocol"),
                        None if case.get("port") is None else str(case["port"]), case.get("forward_only", False))
    result = analyzer_for(scenario).query(query)
    assert result.verdict == case["verdict"], result.explanations
    if result.verdict == "reachable":
        assert result.packet is not None and result.forward and (query.forward_only or result.reverse)
        assert not result.explanations
        for key, value in case.get("packet", {}).items():
            assert result.to_dict()["packet"][key] == value
        return
    assert {e.code for e in result.explanations} == set(case["codes"])
    if "components" in case:
        assert {e.component for e in result.explanations} == set(case["components"])
    if "directions" in case:
        assert {e.direction for e in result.explanations} == set(case["directions"])


def test_scenario_networks_are_what_build_py_writes():
    spec = importlib.util.spec_from_file_location("scenario_build", SCENARIOS / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name, text in build.build_all().items():
        assert (SCENARIOS / name / "network.json").read_text() == text, f"run python fixtures/scenarios/build.py ({name})"
