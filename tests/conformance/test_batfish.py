"""Conformance with the reachability answers Batfish and pybatfish state for their AWS snapshots.

Every case is asked of the z3 engine and of the concrete evaluator on the same literal packet: the two
must agree (else vpcreach has a bug). The comparison with the stated answer gives a status (agree, skip,
disagree) that must equal the one recorded, with its reason, in batfish_expectations.yaml; the summary
line `batfish conformance: N agree, M skipped, K disagree of 67` is printed at the end of the session.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import batfish_cases as bc
import conformance_summary
from vpcreach.engine.concrete import Packet, security_groups_allow
from vpcreach.model import NetworkInterface, SecurityGroup, parse_ip

HERE = Path(__file__).parent
PEER_DATA = HERE.parent.parent.parent / "shared" / "peer-data"
BATFISH = PEER_DATA / "batfish"
PYBATFISH = PEER_DATA / "pybatfish"
HYBRID_CLOUD = PYBATFISH / "jupyter_notebooks" / "networks" / "hybrid-cloud"
EXPECTATIONS = yaml.safe_load((HERE / "batfish_expectations.yaml").read_text())


def _load(path: Path) -> dict:
    if not path.is_file():
        pytest.skip(f"peer data not found at {path}")
    return json.loads(path.read_text())


def _batfish_cases() -> list[dict]:
    path = BATFISH / "expected_answers.json"
    return json.loads(path.read_text())["cases"] if path.is_file() else []


def _pybatfish_cells() -> list[dict]:
    path = PYBATFISH / "expected_answers.json"
    return json.loads(path.read_text())["cases"] if path.is_file() else []


def _check(source: str, total: int, case_id: str, outcome: bc.Outcome, recorded: dict) -> None:
    conformance_summary.record(source, total, case_id, outcome.status)
    assert outcome.engines_agree, f"z3 and the concrete evaluator disagree: {outcome.engines_detail}"
    assert outcome.status == recorded["status"], (
        f"{case_id}: now {outcome.status} ({outcome.detail}), recorded {recorded['status']}: "
        f"{recorded.get('reason', '')}")
    assert (outcome.status == "agree") == ("reason" not in recorded), "a skip or disagree needs a reason"


# ---------------------------------------------------------------- Batfish's end-to-end tests


def test_every_batfish_case_is_recorded():
    cases = _load(BATFISH / "expected_answers.json")["cases"]
    assert len(cases) == 67
    assert [bc.case_id(c) for c in cases] == list(EXPECTATIONS["batfish"])


@pytest.mark.parametrize("case", _batfish_cases(), ids=bc.case_id)
def test_batfish_case(case):
    snapshot = BATFISH / case["snapshot_dir"]
    if not snapshot.is_dir():
        pytest.skip(f"peer data not found at {snapshot}")
    case_id = bc.case_id(case)
    _check("batfish", len(_batfish_cases()), case_id, bc.answer(case, str(snapshot)), EXPECTATIONS["batfish"][case_id])


# ---------------------------------------------------------------- pybatfish's hybrid-cloud notebook

def _cell_id(cell: dict) -> str:
    return f"hybrid-cloud:cell-{cell['cell']}"


def test_every_pybatfish_cell_is_recorded():
    cells = _load(PYBATFISH / "expected_answers.json")["cases"]
    assert [_cell_id(c) for c in cells] == list(EXPECTATIONS["pybatfish"])


@pytest.mark.parametrize("cell", _pybatfish_cells(), ids=_cell_id)
def test_pybatfish_cell(cell):
    if not HYBRID_CLOUD.is_dir():
        pytest.skip(f"peer data not found at {HYBRID_CLOUD}")
    _check("pybatfish hybrid-cloud", len(_pybatfish_cells()), _cell_id(cell), _answer_cell(cell),
           EXPECTATIONS["pybatfish"][_cell_id(cell)])


def _answer_cell(cell: dict) -> bc.Outcome:
    network, analyzer = bc.load_snapshot(str(HYBRID_CLOUD))
    aliases = _load(PYBATFISH / "expected_answers.json")["instances"]
    if cell.get("start") == "srv-101" or "srv-101" in cell["question"] or cell["question"].startswith(
            ("ipsecSessionStatus", "bgpSessionStatus")):
        return bc.Outcome("skip", "the datacenter host, its routers, IPsec and BGP are not modelled")
    if cell["question"] == "traceroute" or cell["question"] == "reachability example flow":
        return bc.answer(bc.pybatfish_flow_case(cell), str(HYBRID_CLOUD))
    if cell["cell"] == 26:
        expected = {aliases[name] for name in cell["expected"]["reachable_from_internet"]}
        found = bc.exposed_instances(analyzer)
        return bc.Outcome("agree" if found == expected else "disagree", f"vpcreach exposure: {sorted(found)}")
    if cell["cell"] == 30:
        expected = {aliases[name] for name in cell["expected"]["reachable_from_internet_non_ssh"]}
        found = bc.exposed_instances(analyzer, only_tcp_except=22)
        return bc.Outcome("agree" if found == expected else "disagree", f"vpcreach exposure: {sorted(found)}")
    if cell["cell"] == 34:
        return _security_group_decision(network)
    raise AssertionError(f"cell {cell['cell']} is not mapped to a vpcreach question")


def _security_group_decision(network) -> bc.Outcome:
    """testFilters: which ingress rule of eni-01997085076a9b98a permits 8.8.8.8:49152 -> 10.20.1.207:3306."""
    eni = network.get("eni-01997085076a9b98a", NetworkInterface)
    packet = Packet(4, parse_ip("8.8.8.8")[1], parse_ip("10.20.1.207")[1], 6, 49152, 3306)
    allowed, group, rule = security_groups_allow(network, eni, packet, egress=False)
    name = group.tag("Name") or getattr(network.get(group.id, SecurityGroup), "group_name", "") if group else ""
    detail = f"vpcreach: {'permit' if allowed else 'deny'} by {group.id if group else None} {name} " \
             f"rule {rule.description if rule else None!r}"
    agrees = allowed and rule is not None and rule.description == "Connectivity test" \
        and rule.protocol == 6 and rule.ports is not None and rule.ports.contains(3306)
    return bc.Outcome("agree" if agrees else "disagree", detail)
