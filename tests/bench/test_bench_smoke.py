"""Smoke test of the benchmarks in bench/: the generator writes a loadable, deterministic network whose questions
have the answers its design promises, and every measurement's code path runs (no timing assertions)."""
from __future__ import annotations

import filecmp
import json
import sys
from pathlib import Path

import pytest

from vpcreach.engine import Analyzer, Query
from vpcreach.importers import load_source
from vpcreach.model import PortRange

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import generate  # noqa: E402
import run  # noqa: E402

# 7 VPCs (the hub and spokes 1-6) so that every deliberate defect of generate.Defects occurs once at least.
SIZE = dict(enis=90, vpcs=7, azs=3, seed=3)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "net"
    generate.generate(str(out), SIZE["enis"], SIZE["vpcs"], SIZE["azs"], SIZE["seed"])
    return out


@pytest.fixture(scope="module")
def network(snapshot):
    return load_source(str(snapshot))


@pytest.fixture(scope="module")
def analyzer(network):
    return Analyzer(network)


def test_the_snapshot_loads_cleanly_with_the_requested_size(network):
    assert len(network.network_interfaces) == SIZE["enis"]
    assert len(network.vpcs) == SIZE["vpcs"]
    assert len(network.subnets) == SIZE["vpcs"] * 3 * SIZE["azs"]
    assert len(network.nat_gateways) == SIZE["vpcs"] * SIZE["azs"]
    assert {r.account for r in network.vpcs} == set(generate.ACCOUNTS)
    assert network.diagnostics == ()  # every reference resolves, nothing is unmodelled


def test_the_snapshot_mixes_every_kind_of_rule_and_route(network):
    rules = [r for g in network.security_groups for r in g.ingress + g.egress]
    peers = {type(r.peer).__name__ for r in rules}
    assert peers == {"CidrPeer", "GroupPeer", "PrefixListRef"}
    assert any(str(r.peer) == "::/0" for r in rules)
    assert any(getattr(r.peer, "vpc_id", None) not in (None, g.vpc_id)  # a cross-VPC group reference
               for g in network.security_groups for r in g.ingress)
    routes = [r for t in network.route_tables for r in t.routes]
    assert {r.target.kind for r in routes} >= {"local", "internet-gateway", "nat-gateway", "vpc-peering",
                                                "egress-only-internet-gateway"}
    assert any(r.state == "blackhole" for r in routes)
    assert {p.status for p in network.peering_connections} == {"active", "pending-acceptance"}
    assert any(not e.allow and e.rule_number < 32767 for a in network.network_acls for e in a.entries)
    assert {p.kind for e in network.network_interfaces for p in e.public_ips} == {"auto", "eip"}
    assert any(e.ipv6_addresses for e in network.network_interfaces)


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(snapshot, tmp_path):
    generate.generate(str(tmp_path / "again"), SIZE["enis"], SIZE["vpcs"], SIZE["azs"], SIZE["seed"])
    generate.generate(str(tmp_path / "other"), SIZE["enis"], SIZE["vpcs"], SIZE["azs"], SIZE["seed"] + 1)
    folder = Path("aws_configs/accounts") / generate.ACCOUNTS[1] / generate.REGION
    names = sorted(p.name for p in (snapshot / folder).iterdir())
    match, mismatch, errors = filecmp.cmpfiles(snapshot / folder, tmp_path / "again" / folder, names, shallow=False)
    assert (mismatch, errors) == ([], []) and match == names
    assert (snapshot / folder / "SecurityGroups.json").read_bytes() != \
        (tmp_path / "other" / folder / "SecurityGroups.json").read_bytes()


# Questions whose answers follow from the generator's design (see generate.py): the source and destination are
# the first instance ENI with the given facts ("internet" stands for itself); spoke-N is VPC N.
SCENARIOS = [
    # (what, source, destination, protocol, port, verdict, explanation code or None)
    ("web tier is open on 443", "internet", dict(vpc="spoke-002", role="public", public=True), 6, 443,
     "reachable", None),
    ("app hosts have no public address", "internet", dict(vpc="spoke-002", role="app"), 6, 8080,
     "unreachable", "NO_PUBLIC_IP"),
    ("app reaches the internet through its AZ's NAT", dict(vpc="spoke-002", role="app"), "internet", 6, 443,
     "reachable", None),
    ("spoke 1's AZ a NAT route is a blackhole", dict(vpc="spoke-001", role="app", az="us-east-1a"), "internet",
     6, 443, "unreachable", "BAD_STATE_ROUTE"),
    ("databases have no internet route", dict(vpc="spoke-002", role="db"), "internet", 6, 443,
     "unreachable", "NO_ROUTE_TO_DESTINATION"),
    ("the load balancers reach the app tier", dict(vpc="spoke-002", role="public"), dict(vpc="spoke-002", role="app"),
     6, 8080, "reachable", None),
    ("the app tier reaches Postgres", dict(vpc="spoke-002", role="app"), dict(vpc="spoke-002", role="db"), 6, 5432,
     "reachable", None),
    ("the db NACL denies the public tier even where the SG allows the whole VPC",
     dict(vpc="spoke-001", role="public"), dict(vpc="spoke-001", role="db"), 6, 5432,
     "unreachable", "SUBNET_ACL_RESTRICTION"),
    ("the app SG admits SSH from the hub's bastions only", dict(vpc="spoke-002", role="public"),
     dict(vpc="spoke-002", role="app"), 6, 22, "unreachable", "ENI_SG_RULES_MISMATCH"),
    ("bastions reach spoke hosts through the hub peering", dict(role="bastion"), dict(vpc="spoke-001", role="app"),
     6, 22, "reachable", None),
    # Routed on the spoke's side only: the hub's public table sends 10.2.0.0/16 to its IGW, which drops it.
    ("spoke 2's hub peering has no route on the hub side", dict(role="bastion"),
     dict(vpc="spoke-002", role="app"), 6, 22, "unreachable", "PRIVATE_ADDRESS_NOT_ROUTABLE"),
    ("spoke 3's db NACL drops the replies to the hub", dict(role="bastion"), dict(vpc="spoke-003", role="db"),
     6, 22, "unreachable", "SUBNET_ACL_RESTRICTION"),
    ("spokes 4 and 5 peer, but the peering is pending", dict(vpc="spoke-004", role="app"),
     dict(vpc="spoke-005", role="app"), 6, 8080, "unreachable", "BAD_STATE"),
    # The db tables route only locally and to peers (an app table would send it to the NAT and the internet).
    ("spokes 1 and 3 are not peered", dict(vpc="spoke-001", role="db"), dict(vpc="spoke-003", role="app"),
     6, 8080, "unreachable", "NO_ROUTE_TO_DESTINATION"),
]


def endpoint(facts: list[dict], spec) -> str:
    if spec == "internet":
        return spec
    return next(f["eni"] for f in facts if all(f[k] == v for k, v in spec.items()))


@pytest.mark.parametrize("what, source, destination, protocol, port, verdict, code", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_questions_have_the_designed_answers(network, analyzer, what, source, destination, protocol, port,
                                              verdict, code):
    facts = run.endpoint_facts(network)
    result = analyzer.query(Query(endpoint(facts, source), endpoint(facts, destination), protocol,
                                  PortRange(port, port)))
    assert result.verdict == verdict
    if code is not None:
        assert code in {e.code for e in result.explanations}


def test_the_query_measurement_asks_varied_questions(snapshot):
    out = run.measure_queries(str(snapshot), count=36, seed=1)
    assert out["queries"] == 36
    assert set(out["verdicts"]) == {"reachable", "unreachable"}
    assert {"ENI_SG_RULES_MISMATCH", "SUBNET_ACL_RESTRICTION", "NO_ROUTE_TO_DESTINATION"} <= set(
        out["explanation_codes"])
    assert {kind.split(":")[0] for kind in out["by_kind"]} == set(run.QuestionMaker.KINDS)
    assert out["query_median_ms"] <= out["query_p90_ms"] <= out["query_max_ms"]


def test_the_load_and_exposure_measurements_run(snapshot, network):
    load = run.measure_load(str(snapshot))
    assert (load["enis"], load["diagnostics"]) == (SIZE["enis"], 0)
    assert load["security_group_rules"] == sum(len(g.ingress) + len(g.egress) for g in network.security_groups)
    exposure = run.measure_exposure(str(snapshot))
    public = {e.id for e in network.network_interfaces if e.public_ips and e.interface_type == "interface"}
    assert 0 < exposure["exposed_enis"] <= len(public | {e.id for e in network.network_interfaces
                                                             if e.ipv6_addresses})


def test_the_runner_measures_in_a_child_and_writes_its_report(tmp_path, capsys):
    output = tmp_path / "latest.json"
    status = run.main(["--quick", "--only", "load", "--load-enis", "60", "--work", str(tmp_path / "networks"),
                       "--output", str(output)])
    report = json.loads(output.read_text())
    assert status == 0
    assert report["measurements"]["load"]["enis"] == 60
    assert report["summary"]["load_s"]["result"] == "n/a (quick)"
    assert report["summary"]["peak_rss_mb"]["value"] > 0
    assert "load, 60 ENIs" in capsys.readouterr().out
