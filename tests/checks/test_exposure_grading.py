"""Security group findings are graded by what the reachability engine says is really exposed."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vpcreach.checks.catalogue import find_rule, load_catalogue, run_rules
from vpcreach.importers.describe import load_describe
from vpcreach.model import CidrPeer, Network, Unknown

pytest.importorskip("vpcreach.engine", reason="engine not available yet")
REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN = find_rule(load_catalogue(), "sg-ingress-admin-port-open-to-world")


def network(name: str) -> Network:
    return load_describe(str(REPO_ROOT / "fixtures" / "rules" / name))


def graded(net: Network) -> list[tuple[str, str]]:
    return [(f.severity, f.message) for f in run_rules(net, [ADMIN])]


def test_reachable_from_the_internet_keeps_the_rules_severity_and_says_where():
    assert graded(network("exposure-bad.json")) == [(
        "high", "security group sg-admin (admin) allows tcp/22 from 0.0.0.0/0; i-web is reachable from the internet "
                "at 203.0.113.20 via igw-1")]


def test_attached_but_unreachable_is_medium():
    assert graded(network("exposure-good.json")) == [(
        "medium", "security group sg-admin (admin) allows tcp/22 from 0.0.0.0/0; it is attached to 1 network "
                  "interface, none reachable from the internet on these ports today")]


def with_pending_public_ip(net: Network) -> Network:
    eni = net.network_interfaces[0]
    pending = replace(eni.public_ips[0], address=Unknown("known after apply"))
    return replace(net, network_interfaces=(replace(eni, public_ips=(pending,)),))


def test_a_public_ip_known_only_after_apply_is_said_not_guessed():
    assert graded(with_pending_public_ip(network("exposure-bad.json"))) == [(
        "high", "security group sg-admin (admin) allows tcp/22 from 0.0.0.0/0; i-web is reachable from the internet "
                "at (unknown until apply) via igw-1")]


def test_an_unresolved_peer_is_named_in_the_finding():
    net = network("exposure-good.json")
    group = net.security_groups[0]
    unknown = replace(group.ingress[1], peer=CidrPeer(Unknown("known after apply")))
    net = replace(net, security_groups=(replace(group, ingress=(group.ingress[0], unknown)),))
    [(_, message)] = graded(net)
    assert message.endswith("; not resolved: <unknown: known after apply>: its CIDR is known after apply")
