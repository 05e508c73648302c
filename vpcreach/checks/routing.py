"""Route table checks: dead routes, missing default routes, gateways that cannot do their job."""
from __future__ import annotations

import re
from typing import Iterator

from ..model import NatGateway, Resource, RouteTable, Subnet, Unknown
from .context import CheckContext, is_default_route
from .findings import Hit

# States in which a route target no longer forwards anything (AWS then shows the route as a blackhole).
GONE_STATES = {"deleting", "deleted", "failed", "detached", "detaching", "rejected", "expired"}


def _label(resource: Resource) -> str:
    return f"{resource.id} ({resource.name})" if resource.name else resource.id


def _target_gone(ctx: CheckContext, target_id: object) -> str | None:
    """Why a target that is in the snapshot no longer forwards, if it does not."""
    target = ctx.network.get(target_id)
    state = getattr(target, "state", None) or getattr(target, "status", None)
    return f"it is {state}" if state in GONE_STATES else None


def blackhole_routes(ctx: CheckContext) -> Iterator[Hit]:
    """Blackhole routes, and active-looking routes to a gateway the snapshot shows deleted or failed.

    Routes to a peering that is not active are route-to-inactive-peering's finding.
    """
    for table in ctx.network.route_tables:
        for route in table.routes:
            if route.state == "blackhole":
                why = "its target no longer exists (AWS reports the route as a blackhole)"
            elif route.target.kind not in ("local", "vpc-peering") and (gone := _target_gone(ctx, route.target.id)):
                why = f"its target is gone: {gone}"
            else:
                continue
            yield Hit((table.id, str(route.target)),
                      f"{_label(table)}: route {route.destination} -> {route.target} drops all traffic: {why}",
                      str(route.origin), key=str(route.destination))


# ---------------------------------------------------------------- NAT

def _has_public_nat(ctx: CheckContext, vpc_id: object) -> bool:
    return any(n.state == "available" and n.connectivity == "public"
               and getattr(ctx.facts.subnet(n.subnet_id), "vpc_id", None) == vpc_id for n in ctx.network.nat_gateways)


AZ_SUFFIX = re.compile(r"[-_.](?:[a-z]{2}-[a-z]+-\d[a-z]|[a-z]{3,4}\d-az\d|az\d|\d?[a-f])$", re.IGNORECASE)


def tier_name(subnet: Subnet) -> str | None:
    """A subnet's Name without its AZ suffix ("app-b" -> "app", "db-use1-az2" -> "db"), or None."""
    if not subnet.name:
        return None
    stem = AZ_SUFFIX.sub("", subnet.name)
    return stem if stem and stem != subnet.name else None


def _non_default_routes(table: RouteTable) -> frozenset[tuple[str, str]]:
    return frozenset((str(r.destination), str(r.target)) for r in table.routes
                     if r.target.kind != "local" and not is_default_route(r))


def _are_peers(ctx: CheckContext, subnet: Subnet, other: Subnet) -> bool:
    """Same tier in another AZ: the same Name apart from the AZ suffix, or the same non-default routes.

    Identical *local-only* tables do not make peers: an isolated tier is usually meant to have no default route.
    """
    if subnet.availability_zone == other.availability_zone or isinstance(subnet.availability_zone, Unknown):
        return False
    if tier_name(subnet) is not None and tier_name(subnet) == tier_name(other):
        return True
    mine = ctx.network.route_table_for_subnet(subnet.id)
    theirs = ctx.network.route_table_for_subnet(other.id)
    return (mine is not None and theirs is not None and bool(_non_default_routes(mine))
            and _non_default_routes(mine) == _non_default_routes(theirs))


def missing_nat_routes(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    for subnet in ctx.network.subnets:
        table = ctx.network.route_table_for_subnet(subnet.id)
        if table is None or subnet.cidr_v4 is None or facts.default_route(table, 4) is not None:
            continue
        if not _has_public_nat(ctx, subnet.vpc_id):
            continue
        for other in sorted(ctx.network.vpc_subnets(subnet.vpc_id), key=lambda s: s.id):  # type: ignore[arg-type]
            other_table = ctx.network.route_table_for_subnet(other.id)
            route = facts.default_route(other_table, 4)
            if route is None or route.target.kind != "nat-gateway" or not _are_peers(ctx, subnet, other):
                continue
            yield Hit((subnet.id, table.id),
                      f"subnet {_label(subnet)} in {subnet.availability_zone} has no default route (via "
                      f"{table.id}), but its peer {_label(other)} in {other.availability_zone} sends 0.0.0.0/0 to "
                      f"{route.target}; workloads here cannot reach the internet",
                      str(table.origin), key=other.id)
            break


def nats_without_internet_route(ctx: CheckContext) -> Iterator[Hit]:
    for nat in ctx.network.nat_gateways:
        if nat.connectivity != "public" or nat.state in GONE_STATES:
            continue
        if isinstance(nat.subnet_id, Unknown):
            continue  # the subnet is decided at apply time; nothing to judge
        if ctx.facts.subnet_internet_route(nat.subnet_id, 4) is not None:
            continue
        table = ctx.network.route_table_for_subnet(nat.subnet_id)
        via = f"its route table {table.id} has" if table else "it has"
        yield Hit((nat.id, str(nat.subnet_id)),
                  f"public NAT gateway {_label(nat)} is in subnet {nat.subnet_id}, but {via} no route to an "
                  f"internet gateway: traffic sent to it never reaches the internet",
                  str(nat.origin))


def cross_az_nat_routes(ctx: CheckContext) -> Iterator[Hit]:
    """A subnet whose NAT route leaves its AZ: it loses internet access when that AZ fails, and pays cross-AZ."""
    for subnet in ctx.network.subnets:
        table = ctx.network.route_table_for_subnet(subnet.id)
        route = ctx.facts.default_route(table, 4)
        if table is None or route is None or route.target.kind != "nat-gateway":
            continue
        nat = ctx.network.get(route.target.id, NatGateway)
        nat_subnet = ctx.facts.subnet(nat.subnet_id) if nat else None
        if nat is None or nat_subnet is None:
            continue
        here, there = subnet.availability_zone, nat_subnet.availability_zone
        if isinstance(here, str) and isinstance(there, str) and here != there:
            yield Hit((subnet.id, table.id, nat.id),
                      f"subnet {_label(subnet)} in {here} sends 0.0.0.0/0 via {table.id} to {nat.id} in {there}",
                      str(route.origin))


def unused_nat_gateways(ctx: CheckContext) -> Iterator[Hit]:
    targeted = {r.target.id for t in ctx.network.route_tables for r in t.routes if r.target.kind == "nat-gateway"}
    for nat in ctx.network.nat_gateways:
        if nat.state == "available" and nat.id not in targeted:
            yield Hit((nat.id,), f"NAT gateway {_label(nat)} is not the target of any route: it is billed "
                                 "hourly but forwards nothing", str(nat.origin))


# ---------------------------------------------------------------- internet gateways

def main_table_internet_routes(ctx: CheckContext) -> Iterator[Hit]:
    for table in ctx.network.route_tables:
        if not table.is_main:
            continue
        for version in (4, 6):
            for route in ctx.facts.internet_routes(table, version):
                if is_default_route(route):
                    yield Hit((table.id,),
                              f"main route table {_label(table)} sends {route.destination} to {route.target}: every "
                              "subnet without an explicit association is public", str(route.origin),
                              key=str(route.destination))


def private_subnet_ipv6_internet_routes(ctx: CheckContext) -> Iterator[Hit]:
    """IPv4 leaves through a NAT (outbound only) but IPv6 through an IGW (both ways): the intent is lost on IPv6."""
    for table in ctx.network.route_tables:
        v4 = ctx.facts.default_route(table, 4)
        if v4 is None or v4.target.kind != "nat-gateway":
            continue
        for route in ctx.facts.internet_routes(table, 6):
            if is_default_route(route):
                yield Hit((table.id,),
                          f"route table {_label(table)} sends 0.0.0.0/0 to NAT gateway {v4.target} (outbound only) "
                          f"but ::/0 to internet gateway {route.target}, so its subnets accept IPv6 connections "
                          "from the internet", str(route.origin))


def _has_public_address(ctx: CheckContext, subnet: Subnet) -> bool:
    if subnet.map_public_ip_on_launch or subnet.assign_ipv6_on_creation:
        return True
    return any(eni.public_ips or eni.ipv6_addresses for eni in ctx.network.subnet_interfaces(subnet.id))


def internet_routes_without_public_addresses(ctx: CheckContext) -> Iterator[Hit]:
    for subnet in ctx.network.subnets:
        route = ctx.facts.subnet_internet_route(subnet.id, 4) or ctx.facts.subnet_internet_route(subnet.id, 6)
        if route is None or _has_public_address(ctx, subnet):
            continue
        table = ctx.network.route_table_for_subnet(subnet.id)
        yield Hit((subnet.id, table.id),  # type: ignore[union-attr]
                  f"subnet {_label(subnet)} routes {route.destination} to {route.target}, but nothing in it has a "
                  "public address and none is assigned at launch: the route only widens what a mistake exposes",
                  str(route.origin))


def unattached_internet_gateways(ctx: CheckContext) -> Iterator[Hit]:
    for igw in ctx.network.internet_gateways:
        if not igw.vpc_ids:
            yield Hit((igw.id,), f"internet gateway {_label(igw)} is not attached to any VPC", str(igw.origin))


def subnets_on_main_route_table(ctx: CheckContext) -> Iterator[Hit]:
    for subnet in ctx.network.subnets:
        table = ctx.network.route_table_for_subnet(subnet.id)
        if table is not None and not ctx.network.route_table_is_explicit(subnet.id):
            yield Hit((subnet.id, table.id),
                      f"subnet {_label(subnet)} has no route table association and follows main route table "
                      f"{table.id}: a change to the main table silently changes this subnet", str(subnet.origin))


def unneeded_source_dest_check_off(ctx: CheckContext) -> Iterator[Hit]:
    """Source/destination checking off on an ENI that no route sends traffic to: it may forward and spoof."""
    routed = {r.target.id for t in ctx.network.route_tables for r in t.routes
              if r.target.kind in ("network-interface", "instance")}
    for eni in ctx.network.network_interfaces:
        if eni.source_dest_check or eni.interface_type != "interface" or eni.requester_managed:
            continue
        if eni.id in routed or (isinstance(eni.instance_id, str) and eni.instance_id in routed):
            continue
        yield Hit((eni.id,) + ((eni.instance_id,) if isinstance(eni.instance_id, str) else ()),
                  f"network interface {_label(eni)} has source/destination checking disabled, but no route "
                  "sends traffic through it", str(eni.origin))


def transit_gateway_blackhole_routes(ctx: CheckContext) -> Iterator[Hit]:
    for table in ctx.network.transit_gateway_route_tables:
        for route in table.routes:
            if route.state == "blackhole":
                yield Hit((table.id,), f"transit gateway route table {_label(table)}: route {route.destination} "
                                       "is a blackhole and drops matching traffic", str(route.origin),
                          key=str(route.destination))


def gateway_endpoints_without_routes(ctx: CheckContext) -> Iterator[Hit]:
    for endpoint in ctx.network.vpc_endpoints:
        if endpoint.endpoint_type.lower() == "gateway" and not endpoint.route_table_ids \
                and endpoint.state == "available":
            yield Hit((endpoint.id,), f"gateway endpoint {_label(endpoint)} ({endpoint.service_name}) is associated "
                                      "with no route table, so no subnet uses it", str(endpoint.origin))

