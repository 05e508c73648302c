"""Structural answers about a network, by Name tag instead of id, so a network built in moto (new ids)
can be compared with the hand-written example fixture (fixed ids). Covers the "shop" and "ops" VPCs."""
from __future__ import annotations

from typing import Any

from vpcreach.model import Network
from vpcreach.model.resources import CidrPeer, GroupPeer, PrefixListRef, Resource

VPCS = ("shop", "ops")


def _name(network: Network, resource_id: object) -> str:
    found = network.get(resource_id)
    if found is None:
        return f"<not in snapshot: {resource_id}>"
    for field in ("group_name", "list_name"):  # security groups and prefix lists have names of their own
        if getattr(found, field, None):
            return str(getattr(found, field))
    if found.name:
        return found.name
    return f"<{type(found).__name__} without a Name>"


def _in_vpcs(network: Network, resource: Resource) -> bool:
    vpc = network.get(getattr(resource, "vpc_id", None))
    return vpc is not None and vpc.name in VPCS


def _peer(network: Network, peer: object) -> str:
    if isinstance(peer, CidrPeer):
        return str(peer.cidr)
    if isinstance(peer, GroupPeer):
        return "sg:" + _name(network, peer.group_id)
    if isinstance(peer, PrefixListRef):
        return "pl:" + _name(network, peer.prefix_list_id)
    return repr(peer)


def _route_target(network: Network, target: Any) -> str:
    if target.kind == "vpc-peering":
        pcx = network.get(target.id)
        return "pcx:" + "-".join(_name(network, side.vpc_id) for side in (pcx.requester, pcx.accepter))
    return f"{target.kind}:{_name(network, target.id)}"


def structure(network: Network) -> dict[str, Any]:
    """Answers that depend only on configuration, keyed by names."""
    subnets = {}
    for subnet in network.subnets:
        if not _in_vpcs(network, subnet):
            continue
        table = network.route_table_for_subnet(subnet.id)
        acl = network.nacl_for_subnet(subnet.id)
        subnets[subnet.name] = {
            "vpc": _name(network, subnet.vpc_id), "cidr": str(subnet.cidr_v4), "zone": subnet.availability_zone,
            "auto_public_ip": subnet.map_public_ip_on_launch,
            "route_table": "main" if table is not None and not network.route_table_is_explicit(subnet.id)
            else _name(network, table.id if table else None),
            "nacl": "default" if acl is not None and acl.is_default else _name(network, acl.id if acl else None),
            "routes_to_internet_gateway": any(r.target.kind == "internet-gateway" and r.state == "active"
                                              for r in (table.routes if table else ())),
        }
    route_tables = {
        table.name: sorted(f"{r.destination} -> {_route_target(network, r.target)}" for r in table.routes
                           if r.target.kind != "local" and r.state == "active")
        for table in network.route_tables if table.name and _in_vpcs(network, table)}
    groups = {
        group.group_name: sorted(f"{rule.protocol}/{rule.ports} from {_peer(network, rule.peer)}"
                                 for rule in group.ingress)
        for group in network.security_groups if not group.is_default and _in_vpcs(network, group)}
    # Only the rules a user writes: moto omits the final "*" deny entries (32767/32768) that AWS lists.
    acls = {
        acl.name: [(e.egress, e.rule_number, e.allow, e.protocol, str(e.ports), str(e.cidr)) for e in acl.entries
                   if e.rule_number < 32767]
        for acl in network.network_acls if acl.name and _in_vpcs(network, acl)}
    instances = {
        instance.name: {"subnet": _name(network, instance.subnet_id), "private_ip": instance.private_ip,
                        "groups": sorted(_name(network, g) for g in instance.security_group_ids),
                        "tier": instance.tag("Tier")}
        for instance in network.instances if _in_vpcs(network, instance)}
    prefix_lists = {pl.list_name: sorted((str(e.cidr), e.description) for e in pl.entries)
                    for pl in network.prefix_lists if not pl.aws_managed}
    peerings = sorted((_name(network, p.requester.vpc_id), _name(network, p.accepter.vpc_id), p.status)
                      for p in network.peering_connections)
    nats = {nat.name: {"subnet": _name(network, nat.subnet_id), "connectivity": nat.connectivity}
            for nat in network.nat_gateways}
    return {"subnets": subnets, "route_tables": route_tables, "security_groups": groups, "network_acls": acls,
            "instances": instances, "prefix_lists": prefix_lists, "peerings": peerings, "nat_gateways": nats}
