"""Terraform state v4 (and v3 flatmap) semantics on small states and the driftctl fixtures."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcreach.errors import InputError
from vpcreach.importers.terraform_state import load_state, unflatten

DRIFTCTL = "driftctl/pkg/iac/terraform/state/test"


def state(*resources: dict) -> dict:
    return {"version": 4, "terraform_version": "1.9.5", "serial": 1, "lineage": "l", "outputs": {},
            "resources": list(resources)}


def managed(rtype: str, name: str, attributes: dict, module: str | None = None, index_key=None) -> dict:
    instance = {"schema_version": 0, "attributes": attributes}
    if index_key is not None:
        instance["index_key"] = index_key
    entry = {"mode": "managed", "type": rtype, "name": name, "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [instance]}
    if module:
        entry["module"] = module
    return entry


def test_rule_resources_attach_to_their_group_and_self_means_the_group() -> None:
    network = load_state("s.tfstate", state(
        managed("aws_security_group", "g", {"id": "sg-1", "vpc_id": "vpc-1", "name": "g", "ingress": [], "egress": []}),
        managed("aws_security_group_rule", "self", {"type": "ingress", "security_group_id": "sg-1", "protocol": "-1",
                                                   "from_port": 0, "to_port": 0, "self": True}, module='module.m["a"]'),
        managed("aws_security_group_rule", "pl", {"type": "egress", "security_group_id": "sg-1", "protocol": "udp",
                                                 "from_port": 53, "to_port": 53, "prefix_list_ids": ["pl-1"]},
                index_key=0)))
    (group,) = network.security_groups
    assert [(r.protocol, str(r.peer), r.origin.address) for r in group.ingress] == [
        (-1, "sg-1", 'module.m["a"].aws_security_group_rule.self')]
    assert [(r.protocol, str(r.ports), str(r.peer), r.origin.address) for r in group.egress] == [
        (17, "53", "pl-1", "aws_security_group_rule.pl[0]")]


def test_route_to_a_table_outside_the_state_is_an_unresolved_diagnostic() -> None:
    network = load_state("s.tfstate", state(
        managed("aws_route", "r", {"id": "r-1", "route_table_id": "rtb-9", "destination_cidr_block": "0.0.0.0/0",
                                   "gateway_id": "igw-1"})))
    assert [(d.kind, d.line()) for d in network.diagnostics] == [
        ("unresolved", "s.tfstate: aws_route.r: route_table_id rtb-9 is not a route table in the state; "
                       "this aws_route is not modelled")]


def test_data_sources_are_skipped_with_a_diagnostic_when_network_relevant() -> None:
    data = managed("aws_vpc", "x", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}) | {"mode": "data"}
    other = managed("aws_caller_identity", "me", {"id": "1"}) | {"mode": "data"}
    network = load_state("s.tfstate", state(data, other))
    assert network.vpcs == ()
    assert [d.message for d in network.diagnostics] == [
        "data.aws_vpc: 1 data source in the state, not modelled (a state does not say what they were used for)"]


def test_default_network_acl_state_keeps_its_declared_rules(peer_data: Path) -> None:
    path = peer_data / DRIFTCTL / "aws_default_network_acl" / "terraform.tfstate"
    network = load_state(str(path), json.loads(path.read_text()))
    (acl,) = network.network_acls
    assert acl.is_default
    assert [(e.egress, e.rule_number, e.allow, e.protocol, str(e.ports)) for e in acl.entries] == [
        (False, 90, False, 6, "80"), (False, 100, True, 6, "0"), (False, 32767, False, -1, "None"),
        (True, 100, True, 17, "0"), (True, 32767, False, -1, "None")]


def test_vpc_state_knows_account_and_region_from_the_arn(peer_data: Path) -> None:
    path = peer_data / DRIFTCTL / "aws_vpc" / "terraform.tfstate"
    network = load_state(str(path), json.loads(path.read_text()))
    assert {(v.account, v.region) for v in network.vpcs} == {("929327065333", "us-east-1")}


def test_flatmap_unflattens_lists_sets_and_maps_with_dotted_keys() -> None:
    flat = {"id": "sg-1", "ingress.#": "1", "ingress.123.cidr_blocks.#": "1", "ingress.123.cidr_blocks.0": "0.0.0.0/0",
            "ingress.123.from_port": "22", "tags.%": "1", "tags.kubernetes.io/role": "x"}
    assert unflatten(flat) == {"id": "sg-1", "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": "22"}],
                               "tags": {"kubernetes.io/role": "x"}}


def test_unsupported_state_version_is_one_line() -> None:
    with pytest.raises(InputError) as raised:
        load_state("s.tfstate", {"version": 5, "resources": []})
    assert str(raised.value) == ("s.tfstate#/version: unsupported Terraform state version: 5 "
                                 "(expected 3 or 4, as written by Terraform 0.11 and later)")
