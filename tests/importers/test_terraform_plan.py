"""Terraform plan semantics, one small plan per scenario: references, count/for_each, modules,
implied AWS objects, aws_default_* resources, deletes and unmodelled types."""
from __future__ import annotations

from typing import Any

from vpcreach.importers.terraform_address import parse_address
from vpcreach.importers.terraform_plan import load_plan
from vpcreach.model import Unknown

FILE = "plan.json"


def resource(address: str, values: dict, unknown: dict | None = None, actions: tuple = ("create",)) -> dict:
    parsed = parse_address(address)
    return {"address": address, "type": parsed.type, "name": parsed.name, "values": values,
            "index": parsed.key, "unknown": unknown or {}, "actions": list(actions), "module": parsed.module}


def plan(resources: list[dict], config: dict, variables: dict | None = None, deleted: tuple = ()) -> dict:
    """A plan as Terraform writes it: planned values (nested per module instance), changes, configuration."""
    modules: dict[str, dict] = {}
    root: dict[str, Any] = {"resources": []}
    for r in resources:
        entry = {"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"],
                 "provider_name": "registry.terraform.io/hashicorp/aws", "values": r["values"]}
        if r["index"] is not None:
            entry["index"] = r["index"]
        if r["module"]:
            prefix = r["address"].rsplit(".", 2)[0]
            modules.setdefault(prefix, {"address": prefix, "resources": []})["resources"].append(entry)
        else:
            root["resources"].append(entry)
    if modules:
        root["child_modules"] = list(modules.values())
    changes = [{"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"],
                "change": {"actions": r["actions"], "before": None, "after": r["values"],
                           "after_unknown": r["unknown"]}} for r in resources]
    changes += [{"address": a, "mode": "managed", "type": a.split(".")[0], "name": a.split(".")[1],
                 "change": {"actions": ["delete"], "before": {"id": "x"}, "after": None, "after_unknown": {}}}
                for a in deleted]
    document = {"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": {"root_module": root},
                "resource_changes": changes, "configuration": {"root_module": config}}
    if variables is not None:
        document["variables"] = {k: {"value": v} for k, v in variables.items()}
    return document


def refs(*texts: str) -> dict:
    return {"references": list(texts)}


def config_resource(address: str, **expressions: dict) -> dict:
    parsed = parse_address(address)
    return {"address": address, "mode": "managed", "type": parsed.type, "name": parsed.name,
            "expressions": expressions}


VPC = resource("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}, {"id": True, "ipv6_cidr_block": True,
                                                               "main_route_table_id": True})


def test_reference_resolves_to_the_address_while_the_id_is_unknown() -> None:
    subnet = resource("aws_subnet.a", {"cidr_block": "10.0.1.0/24"}, {"id": True, "vpc_id": True})
    config = {"resources": [config_resource("aws_vpc.main"),
                            config_resource("aws_subnet.a", vpc_id=refs("aws_vpc.main.id", "aws_vpc.main"))]}
    network = load_plan(FILE, plan([VPC, subnet], config))
    assert network.subnets[0].vpc_id == "aws_vpc.main"
    assert network.vpcs[0].id == "aws_vpc.main"


def test_count_index_selects_the_same_instance_when_counts_match() -> None:
    subnets = [resource(f"aws_subnet.private[{i}]", {"cidr_block": f"10.0.{i}.0/24", "vpc_id": "vpc-1"},
                        {"id": True}) for i in range(2)]
    tables = [resource(f"aws_route_table.private[{i}]", {"vpc_id": "vpc-1"}, {"id": True}) for i in range(2)]
    assocs = [resource(f"aws_route_table_association.private[{i}]", {},
                       {"id": True, "subnet_id": True, "route_table_id": True}) for i in range(2)]
    config = {"resources": [config_resource("aws_route_table_association.private",
                                            subnet_id=refs("aws_subnet.private", "count.index"),
                                            route_table_id=refs("aws_route_table.private", "count.index"))]}
    network = load_plan(FILE, plan([*subnets, *tables, *assocs], config))
    by_table = {t.id: [a.subnet_id for a in t.associations] for t in network.route_tables}
    assert by_table == {"aws_route_table.private[0]": ["aws_subnet.private[0]"],
                        "aws_route_table.private[1]": ["aws_subnet.private[1]"]}


def test_count_index_with_different_counts_is_unknown_with_the_reason() -> None:
    nat = resource("aws_nat_gateway.this[0]", {"subnet_id": "subnet-1"}, {"id": True})
    routes = [resource(f"aws_route.nat[{i}]", {"route_table_id": "rtb-1", "destination_cidr_block": "0.0.0.0/0"},
                       {"id": True, "nat_gateway_id": True}) for i in range(2)]
    table = resource("aws_route_table.x", {"vpc_id": "vpc-1", "id": "rtb-1"})
    config = {"resources": [config_resource("aws_route.nat", nat_gateway_id=refs("aws_nat_gateway.this", "count.index"))]}
    network = load_plan(FILE, plan([nat, *routes, table], config))
    targets = [r.target.id for r in network.route_tables[0].routes if r.target.kind == "nat-gateway"]
    assert targets[0] == Unknown("aws_nat_gateway.this[count.index] from aws_route.nat[0]: aws_nat_gateway.this has 1 "
                                 "instances and aws_route.nat has 2, so the index cannot be matched")


def test_module_output_and_module_variable_are_followed() -> None:
    inner_vpc = resource("module.net.aws_vpc.this", {"cidr_block": "10.0.0.0/16"}, {"id": True})
    inner_subnet = resource("module.net.aws_subnet.a", {"cidr_block": "10.0.1.0/24"}, {"id": True, "vpc_id": True})
    root_sg = resource("aws_security_group.web", {"name": "web"}, {"id": True, "vpc_id": True})
    root_vpc = resource("aws_vpc.shared", {"cidr_block": "10.9.0.0/16", "id": "vpc-0shared"})
    module = {"resources": [config_resource("aws_vpc.this"),
                            config_resource("aws_subnet.a", vpc_id=refs("var.vpc_id"))],
              "outputs": {"vpc_id": {"expression": refs("aws_vpc.this.id", "aws_vpc.this")}}}
    config = {"resources": [config_resource("aws_security_group.web", vpc_id=refs("module.net.vpc_id", "module.net")),
                            config_resource("aws_vpc.shared")],
              "module_calls": {"net": {"source": "./net", "module": module,
                                       "expressions": {"vpc_id": refs("aws_vpc.shared.id", "aws_vpc.shared")}}}}
    network = load_plan(FILE, plan([inner_vpc, inner_subnet, root_sg, root_vpc], config))
    # module.net.vpc_id -> the module's aws_vpc.this; the module's var.vpc_id -> the caller's aws_vpc.shared
    assert network.security_groups[0].vpc_id == "module.net.aws_vpc.this"
    assert network.subnets[0].vpc_id == "vpc-0shared"


def test_root_variable_value_and_missing_local_become_values_and_unknowns() -> None:
    sg_a = resource("aws_security_group.a", {"name": "a"}, {"id": True, "vpc_id": True})
    sg_b = resource("aws_security_group.b", {"name": "b"}, {"id": True, "vpc_id": True})
    config = {"resources": [config_resource("aws_security_group.a", vpc_id=refs("var.vpc_id")),
                            config_resource("aws_security_group.b", vpc_id=refs("local.vpc_id"))]}
    network = load_plan(FILE, plan([sg_a, sg_b], config, variables={"vpc_id": "vpc-0abc"}))
    groups = {g.id: g.vpc_id for g in network.security_groups}
    assert groups == {"aws_security_group.a": "vpc-0abc",
                      "aws_security_group.b": Unknown("local.vpc_id is not in the plan")}
    assert [(d.kind, d.line()) for d in network.diagnostics] == [
        ("unknown", "plan.json: aws_security_group.b: vpc_id: local.vpc_id is not in the plan")]


def test_new_vpc_implies_main_route_table_default_nacl_and_default_group() -> None:
    network = load_plan(FILE, plan([VPC], {"resources": [config_resource("aws_vpc.main")]}))
    (table,) = network.route_tables
    assert (table.id, [str(r.destination) for r in table.routes], table.is_main) == (
        "aws_vpc.main#main-route-table", ["10.0.0.0/16"], True)
    (acl,) = network.network_acls
    assert [(e.egress, e.rule_number, e.allow, str(e.cidr)) for e in acl.entries] == [
        (False, 100, True, "0.0.0.0/0"), (False, 32767, False, "0.0.0.0/0"),
        (True, 100, True, "0.0.0.0/0"), (True, 32767, False, "0.0.0.0/0")]
    (group,) = network.security_groups
    assert (group.id, [str(r.peer) for r in group.ingress], [str(r.peer) for r in group.egress]) == (
        "aws_vpc.main#default-security-group", ["aws_vpc.main#default-security-group"], ["0.0.0.0/0"])
    assert {r.origin.kind for r in (table, acl, group)} == {"implied"}


def test_default_security_group_resource_keeps_only_what_it_declares() -> None:
    default = resource("aws_default_security_group.d", {"ingress": [], "egress": []},
                       {"id": True, "vpc_id": True})
    config = {"resources": [config_resource("aws_vpc.main"),
                            config_resource("aws_default_security_group.d", vpc_id=refs("aws_vpc.main.id"))]}
    network = load_plan(FILE, plan([VPC, default], config))
    (group,) = network.security_groups
    assert (group.id, group.group_name, group.ingress, group.egress) == ("aws_default_security_group.d", "default", (), ())


def test_self_rule_icmp_and_ignored_ports() -> None:
    rules = [
        {"cidr_blocks": [], "description": "", "from_port": 0, "ipv6_cidr_blocks": [], "prefix_list_ids": [],
         "protocol": "tcp", "security_groups": [], "self": True, "to_port": 65535},
        {"cidr_blocks": ["10.0.0.0/8"], "description": "", "from_port": 8, "ipv6_cidr_blocks": [],
         "prefix_list_ids": [], "protocol": "icmp", "security_groups": [], "self": False, "to_port": -1},
        {"cidr_blocks": ["10.0.0.0/8"], "description": "", "from_port": 10, "ipv6_cidr_blocks": [],
         "prefix_list_ids": [], "protocol": "47", "security_groups": [], "self": False, "to_port": 55},
    ]
    sg = resource("aws_security_group.g", {"name": "g", "vpc_id": "vpc-1", "ingress": rules, "egress": [], "id": "sg-1"})
    network = load_plan(FILE, plan([sg], {"resources": []}))
    assert [(r.protocol, str(r.ports), str(r.icmp), str(r.peer)) for r in network.security_groups[0].ingress] == [
        (6, "0-65535", "None", "sg-1"), (1, "None", "type 8 code any", "10.0.0.0/8"), (47, "None", "None", "10.0.0.0/8")]


def test_deleted_resources_are_not_planned_and_other_types_are_named() -> None:
    bucket = resource("aws_s3_bucket.logs", {"bucket": "logs"}, {"id": True})
    lb = resource("aws_lb.front", {"name": "front"}, {"id": True})
    network = load_plan(FILE, plan([bucket, lb], {"resources": []}, deleted=("aws_vpc.old",)))
    assert network.vpcs == ()
    assert [(d.kind, d.message) for d in network.diagnostics] == [
        ("unmodelled", "aws_lb: 1 resource not modelled"),
        ("unmodelled", "non-network resources not modelled: aws_s3_bucket (1)")]


def test_terraform_012_bare_vpc_reference_from_route_table_id_means_the_main_table() -> None:
    route = resource("aws_route.r", {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"},
                     {"id": True, "route_table_id": True})
    config = {"resources": [config_resource("aws_vpc.main"),
                            config_resource("aws_route.r", route_table_id=refs("aws_vpc.main"))]}
    network = load_plan(FILE, plan([VPC, route], config))
    (table,) = network.route_tables
    assert [(str(r.destination), r.target.kind) for r in table.routes] == [
        ("10.0.0.0/16", "local"), ("0.0.0.0/0", "internet-gateway")]
