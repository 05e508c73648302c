"""Parity with Checkov on real Terraform plans: every network finding Checkov makes that is true under AWS
semantics is also found by vpcreach, on the same resource address, by a rule the mapping below allows.

The Checkov side is stored data (checkov_findings.json, made by record_checkov_findings.py), so this test
needs no checkov. The findings vpcreach deliberately does not report are listed, each with its reason, in
checkov_disagreements.yaml.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent
CHECKOV = json.loads((HERE / "checkov_findings.json").read_text())
DISAGREEMENTS = yaml.safe_load((HERE / "checkov_disagreements.yaml").read_text())

SG = "vpcreach.checks.security_groups"
NACL = "vpcreach.checks.nacls"
ADDRESSING = "vpcreach.checks.addressing"
EXPOSURE = "vpcreach.checks.exposure"
# Checkov id -> the port it asks about (None: every port), for the "open to 0.0.0.0/0" checks.
WORLD_OPEN_SG_PORT = {"CKV_AWS_24": 22, "CKV_AWS_25": 3389, "CKV_AWS_260": 80, "CKV_AWS_277": None}
WORLD_OPEN_NACL_PORT = {"CKV_AWS_232": 22, "CKV_AWS_231": 3389, "CKV_AWS_229": 21, "CKV_AWS_230": 20,
                        "CKV_AWS_352": None}
# Checkov id -> our check functions, for the checks that are not about one port.
SAME_CHECK = {
    "CKV_AWS_382": {f"{SG}:world_open_egress"},
    "CKV2_AWS_5": {f"{SG}:unused_security_groups"},
    "CKV2_AWS_12": {f"{SG}:default_groups_with_rules"},
    "CKV_AWS_130": {f"{ADDRESSING}:subnets_auto_assigning_public_ips"},
    "CKV_AWS_88": {f"{ADDRESSING}:instances_with_public_ips"},
    "CKV2_AWS_1": {f"{NACL}:unused_nacls"},
}


def covers(rule, check_id: str) -> bool:
    """Does this catalogue rule report what the checkov check reports? (the explicit mapping)"""
    params = rule.params or {}
    if check_id in WORLD_OPEN_SG_PORT:
        port = WORLD_OPEN_SG_PORT[check_id]
        if rule.check == f"{SG}:world_open_all_ports":
            return True
        if port is None:
            return False
        if rule.check in (f"{SG}:world_open_ports", f"{EXPOSURE}:internet_exposed_ports"):
            return port in params.get("ports", ())
        return rule.check == f"{SG}:world_open_unauthorized_ports" and port not in params.get("authorized_ports",
                                                                                               (80, 443))
    if check_id in WORLD_OPEN_NACL_PORT:
        port = WORLD_OPEN_NACL_PORT[check_id]
        return rule.check == f"{NACL}:world_open_all_traffic" or (
            port is not None and rule.check == f"{NACL}:world_open_ports" and port in params.get("ports", ()))
    return rule.check in SAME_CHECK.get(check_id, ())


@dataclass(frozen=True, order=True)
class Item:
    plan: str
    check_id: str
    resource: str

    def __str__(self) -> str:
        return f"{self.plan}: {self.check_id} {self.resource}"


def checkov_items() -> list[Item]:
    return sorted(Item(plan, f["check_id"], f["resource"]) for plan, found in CHECKOV["plans"].items() for f in found)


def disagreed() -> dict[Item, str]:
    return {Item(e["plan"], e["check_id"], e["resource"]): e["reason"] for e in DISAGREEMENTS["entries"]}


def test_stored_checkov_data_says_how_it_was_made() -> None:
    assert CHECKOV["checkov_version"] and CHECKOV["command"].startswith("checkov -f ")
    assert set(f["check_id"] for found in CHECKOV["plans"].values() for f in found) <= set(CHECKOV["network_checks"])


def test_every_disagreement_is_a_stored_checkov_finding_with_a_known_reason() -> None:
    items = set(checkov_items())
    reasons = DISAGREEMENTS["reasons"]
    for item, reason in disagreed().items():
        assert item in items, f"stale disagreement (checkov does not report it): {item}"
        assert reason in reasons, f"{item}: reason {reason!r} is not defined under reasons"
    assert len(disagreed()) == len(DISAGREEMENTS["entries"]), "a disagreement is listed twice"
    unused = set(reasons) - set(disagreed().values())
    assert not unused, f"reasons no entry uses: {sorted(unused)}"


def test_every_checkov_check_is_mapped_or_disagreed_with() -> None:
    disagreed_checks = {item.check_id for item in disagreed()}
    mapped = set(WORLD_OPEN_SG_PORT) | set(WORLD_OPEN_NACL_PORT) | set(SAME_CHECK)
    unmapped = {i.check_id for i in checkov_items()} - mapped - disagreed_checks
    assert not unmapped, f"checkov checks with neither a mapping nor disagreements: {sorted(unmapped)}"


def vpcreach_findings(peer_data: Path, plan: str, rules: list) -> list:
    """vpcreach's findings on a plan, each with the Terraform addresses it concerns."""
    from vpcreach.checks.catalogue import run_rules
    from vpcreach.importers import load_source
    from vpcreach.report.locate import parse_location

    network = load_source(str(peer_data / plan))
    findings = []
    for finding in run_rules(network, rules):
        addresses = {parse_location(finding.location).address}
        addresses |= {getattr(network.get(r), "origin", None) and network.get(r).origin.address
                      for r in finding.resource_ids}
        findings.append((finding, addresses | set(finding.resource_ids)))
    return findings


def matches(found, item: Item, codes: set[str]) -> bool:
    """The same rule family on the same resource: by its address, its id, or where the finding points."""
    finding, addresses = found
    return finding.code in codes and item.resource in addresses


def missing_items(peer_data: Path) -> list[str]:
    from vpcreach.checks.catalogue import load_catalogue

    rules = load_catalogue()
    skip = disagreed()
    missing: list[str] = []
    by_plan: dict[str, list[Item]] = {}
    for item in checkov_items():
        if item not in skip:
            by_plan.setdefault(item.plan, []).append(item)
    for plan, items in sorted(by_plan.items()):
        findings = vpcreach_findings(peer_data, plan, rules)
        for item in items:
            codes = {rule.code for rule in rules if covers(rule, item.check_id)}
            if not codes:
                missing.append(f"{item} (no vpcreach rule maps to {item.check_id} yet)")
            elif not any(matches(f, item, codes) for f in findings):
                missing.append(f"{item} (expected a finding from {', '.join(sorted(codes))})")
    return missing


def test_vpcreach_finds_every_true_checkov_network_finding(peer_data: Path) -> None:
    pytest.importorskip("vpcreach.checks.catalogue", reason="the rule catalogue is not available")
    missing = missing_items(peer_data)
    assert missing == [], "vpcreach misses these checkov findings:\n" + "\n".join(missing)
