"""The exposure sweep agrees with individual questions: for every internet-facing address of every
scenario network, a port is listed as open exactly when `internet -> address` on that port is reachable.

The sweep groups interfaces into classes, merges client addresses into cells and enumerates port
segments; the single questions do none of that, so the two are independent routes to the same answer.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from vpcreach.engine import Analyzer, Query
from vpcreach.importers import load_source
from vpcreach.model import ALL_PROTOCOLS, ICMP, TCP, UDP, PortRange

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = sorted(str(p) for p in (ROOT / "fixtures" / "scenarios").glob("*/network.json")) + [
    str(ROOT / "fixtures" / "example")]
PORTS = (0, 21, 22, 23, 53, 79, 80, 81, 123, 442, 443, 444, 1022, 1023, 1024, 3389, 5432, 8080, 65534, 65535)


def listed_open(exposures, address: str, protocol: int, port: int | None) -> bool:
    for e in exposures:
        if e.address != address or e.undecided:
            continue
        if e.protocol == ALL_PROTOCOLS and protocol not in e.except_protocols:
            return True
        if e.protocol == protocol and (e.ports is None or port is None or e.ports.contains(port)):
            return True
    return False


@pytest.mark.parametrize("path", NETWORKS, ids=lambda p: Path(p).parent.name if p.endswith(".json") else "example")
def test_sweep_matches_single_questions(path):
    network = load_source(path)
    analyzer = Analyzer(network)
    exposures = analyzer.exposure()
    addresses = sorted({e.address for e in exposures if not e.undecided} | {
        p.address for eni in network.network_interfaces for p in eni.public_ips if isinstance(p.address, str)})
    disagreements = []
    for address in addresses:
        questions = [(TCP, port) for port in PORTS] + [(UDP, port) for port in PORTS]
        questions += [(ICMP if ":" not in address else 58, None), (50, None)]
        for protocol, port in questions:
            query = Query("internet", address, protocol, PortRange(port, port) if port is not None else None,
                          literal_destination=True)
            answer = analyzer.query(query).verdict
            if answer == "inconclusive":
                continue
            if (answer == "reachable") != listed_open(exposures, address, protocol, port):
                disagreements.append(f"{address} {protocol}/{port}: query says {answer}")
    assert not disagreements, "\n".join(disagreements[:20])


def test_the_example_exposure_is_what_its_groups_and_routes_allow():
    exposures = Analyzer(load_source(str(ROOT / "fixtures" / "example"))).exposure()
    assert [(e.address, e.describe()) for e in exposures] == [
        ("203.0.113.20", "tcp/22"),  # only from the office prefix list
        ("203.0.113.20", "tcp/80"),
        ("203.0.113.20", "tcp/443"),
        ("2600:1f18:6a3:4d00::20", "tcp/443"),  # the only IPv6 rule is 443 from ::/0
    ]
