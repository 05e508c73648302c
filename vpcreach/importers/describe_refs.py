"""Reference checks after a describe-* snapshot is loaded.

Partial snapshots are normal (one account of several, a region without its peer, Batfish's test
snapshots), so a reference to a resource that is not in the snapshot is a `Diagnostic("unresolved")`.

The exception is a *model-critical* reference, one without whose target vpcreach cannot place the
referencing resource in the network at all: subnet -> VPC, ENI -> subnet, route table -> VPC,
NACL -> VPC. If the same folder (account/region) of the snapshot contains the target's describe-*
output but not the id, the snapshot contradicts itself (typically resources changed while it was
being taken) and that is an input error (exit 2). If the target's output is absent from that folder,
the snapshot is merely partial and the reference is unresolved.

Associations that point from a route table or NACL to an absent subnet are unresolved, not errors:
the table itself is complete, and only the absent subnet (which nothing else can then reference
without an error of its own) is affected. Batfish's `representation/aws/test` snapshot, trimmed by
hand, has such a NACL association.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import ProblemCollector
from ..model import Diagnostic, Network, Origin, json_pointer
from ..model.resources import GroupPeer, PrefixListRef, Resource

Refs = Iterable[tuple[object, Origin, object]]  # (target id, origin of the referencing object, field or index)


@dataclass(frozen=True)
class Reference:
    source: str  # collection holding the reference
    target: str  # collection that should contain the id
    label: str  # what the target is, for messages ("VPC", "subnet", ...)
    refs: Callable[[Resource], Refs]
    critical: bool = False


def own(field: str, attr: str) -> Callable[[Resource], Refs]:
    def refs(resource: Resource) -> Refs:
        yield getattr(resource, attr), resource.origin, field
    return refs


def each(key: str, attr: str, inner: str | None = None) -> Callable[[Resource], Refs]:
    """References in an array: `"SubnetIds": ["subnet-1"]`, or `"Groups": [{"GroupId": "sg-1"}]` with inner."""
    def refs(resource: Resource) -> Refs:
        for index, value in enumerate(getattr(resource, attr)):
            if inner is None:
                yield value, resource.origin.child(key), index
            else:
                yield value, resource.origin.child(key, index), inner
    return refs


def nacl_associations(acl) -> Refs:
    for index, subnet_id in enumerate(acl.subnet_ids):
        yield subnet_id, acl.origin.child("Associations", index), "SubnetId"


def route_table_associations(table) -> Refs:
    for assoc in table.associations:
        if assoc.kind == "subnet":
            yield assoc.subnet_id, assoc.origin, "SubnetId"


# route target kind -> (collection, label, describe-route-tables field)
ROUTE_TARGET_COLLECTIONS = {
    "internet-gateway": ("internet_gateways", "internet gateway", "GatewayId"),
    "egress-only-internet-gateway": ("egress_only_internet_gateways", "egress-only internet gateway",
                                     "EgressOnlyInternetGatewayId"),
    "nat-gateway": ("nat_gateways", "NAT gateway", "NatGatewayId"),
    "vpc-peering": ("peering_connections", "VPC peering connection", "VpcPeeringConnectionId"),
    "transit-gateway": ("transit_gateways", "transit gateway", "TransitGatewayId"),
    "network-interface": ("network_interfaces", "network interface", "NetworkInterfaceId"),
    "instance": ("instances", "instance", "InstanceId"),
    "vpn-gateway": ("vpn_gateways", "virtual private gateway", "GatewayId"),
    "vpc-endpoint": ("vpc_endpoints", "VPC endpoint", "GatewayId"),
}

CHECKED: tuple[Reference, ...] = (
    Reference("subnets", "vpcs", "VPC", own("VpcId", "vpc_id"), critical=True),
    Reference("network_interfaces", "subnets", "subnet", own("SubnetId", "subnet_id"), critical=True),
    Reference("route_tables", "vpcs", "VPC", own("VpcId", "vpc_id"), critical=True),
    Reference("route_tables", "subnets", "subnet", route_table_associations),
    Reference("network_acls", "vpcs", "VPC", own("VpcId", "vpc_id"), critical=True),
    Reference("network_acls", "subnets", "subnet", nacl_associations),
    Reference("security_groups", "vpcs", "VPC", own("VpcId", "vpc_id")),
    Reference("network_interfaces", "security_groups", "security group",
              each("Groups", "security_group_ids", "GroupId")),
    Reference("instances", "subnets", "subnet", own("SubnetId", "subnet_id")),
    Reference("nat_gateways", "subnets", "subnet", own("SubnetId", "subnet_id")),
    Reference("internet_gateways", "vpcs", "VPC", each("Attachments", "vpc_ids", "VpcId")),
    Reference("egress_only_internet_gateways", "vpcs", "VPC", each("Attachments", "vpc_ids", "VpcId")),
    Reference("vpn_gateways", "vpcs", "VPC", each("VpcAttachments", "vpc_ids", "VpcId")),
    Reference("vpc_endpoints", "vpcs", "VPC", own("VpcId", "vpc_id")),
    Reference("vpc_endpoints", "route_tables", "route table", each("RouteTableIds", "route_table_ids")),
    Reference("vpc_endpoints", "subnets", "subnet", each("SubnetIds", "subnet_ids")),
    Reference("transit_gateway_attachments", "transit_gateways", "transit gateway",
              own("TransitGatewayId", "transit_gateway_id")),
    Reference("transit_gateway_route_tables", "transit_gateways", "transit gateway",
              own("TransitGatewayId", "transit_gateway_id")),
    Reference("elastic_ips", "network_interfaces", "network interface", own("NetworkInterfaceId", "eni_id")),
)


def check_references(network: Network, loaded: dict[tuple[str | None, str | None], set[str]],
                     problems: ProblemCollector) -> list[Diagnostic]:
    """Adds a Problem per broken model-critical reference; returns the unresolved diagnostics."""
    ids = {name: {r.id for r in items} for name, items in network.collections()}
    accounts = {r.account for r in network.all_resources() if r.account}
    diagnostics: list[Diagnostic] = []

    def unresolved(label: str, target_id: object, origin: Origin, field: object) -> None:
        diagnostics.append(Diagnostic("unresolved", f"{label} {target_id} is not in the snapshot",
                                      where(origin, field), subject=str(target_id)))

    for ref in CHECKED:
        for resource in getattr(network, ref.source):
            for target_id, origin, field in ref.refs(resource):
                if not isinstance(target_id, str) or target_id in ids[ref.target]:
                    continue
                scope = (resource.origin.account, resource.origin.region)
                if ref.critical and ref.target in loaded.get(scope, ()):
                    problems.add(where(origin, field), f"reference to a {ref.label} that is not in the snapshot",
                                 target_id, f"a {ref.label} listed in the same folder's describe-* output")
                else:
                    unresolved(ref.label, target_id, origin, field)
    for table in network.route_tables:
        for route in table.routes:
            _check_route(route, ids, unresolved)
    for group in network.security_groups:
        for rule in group.ingress + group.egress:
            _check_peer(rule, ids, accounts, unresolved)
    for pcx in network.peering_connections:
        for side_name, side in (("RequesterVpcInfo", pcx.requester), ("AccepterVpcInfo", pcx.accepter)):
            if side.account in accounts and side.vpc_id not in ids["vpcs"]:
                unresolved("VPC", side.vpc_id, pcx.origin.child(side_name), "VpcId")
    return diagnostics


def where(origin: Origin, field: object) -> str:
    return f"{origin.file}#{(origin.pointer or '') + json_pointer(field)}"


def _check_route(route, ids, unresolved) -> None:
    if isinstance(route.destination, PrefixListRef) and route.destination.prefix_list_id not in ids["prefix_lists"]:
        unresolved("prefix list", route.destination.prefix_list_id, route.origin, "DestinationPrefixListId")
    # A blackhole route already says its target is gone; AWS keeps it only as a tombstone.
    target = ROUTE_TARGET_COLLECTIONS.get(route.target.kind)
    if route.state == "active" and target is not None and route.target.id not in ids[target[0]]:
        unresolved(target[1], route.target.id, route.origin, target[2])


def _check_peer(rule, ids, accounts, unresolved) -> None:
    peer = rule.peer
    if isinstance(peer, PrefixListRef) and peer.prefix_list_id not in ids["prefix_lists"]:
        unresolved("prefix list", peer.prefix_list_id, rule.origin, "PrefixListId")
    # A group in an account the snapshot does not cover is expected to be absent.
    elif isinstance(peer, GroupPeer) and peer.group_id not in ids["security_groups"] and (
            peer.account is None or peer.account in accounts):
        unresolved("security group", peer.group_id, rule.origin, "GroupId")
