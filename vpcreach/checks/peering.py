"""VPC peering checks: both sides must route, only to the peer's CIDRs, and only over a live connection."""
from __future__ import annotations

from typing import Iterator

from ..model import IpNet, PeeringSide, Route, RouteTable, Vpc, VpcPeeringConnection
from .context import CheckContext
from .findings import Hit
from .spaces import IntervalSet, describe_addresses, net_interval

INACTIVE_ROUTE_STATES = {"pending-acceptance", "provisioning", "rejected", "expired", "failed", "deleted",
                         "deleting", "initiating-request"}


def _side_cidrs(ctx: CheckContext, side: PeeringSide, version: int) -> list[IpNet]:
    """The peering's view of a side's CIDRs, else the VPC's own when the VPC is in the snapshot."""
    cidrs = side.cidrs_v4 if version == 4 else side.cidrs_v6
    if not cidrs:
        vpc = ctx.network.get(side.vpc_id, Vpc)
        cidrs = (vpc.cidrs_v4 if version == 4 else vpc.cidrs_v6) if vpc else ()
    return [c for c in cidrs if isinstance(c, IpNet)]


def _peering_routes(ctx: CheckContext, vpc_id: object, peering_id: str) -> list[tuple[RouteTable, Route]]:
    return [(t, r) for t in ctx.network.route_tables if t.vpc_id == vpc_id for r in t.routes
            if r.target.kind == "vpc-peering" and r.target.id == peering_id]


def _sides(peering: VpcPeeringConnection) -> list[tuple[PeeringSide, PeeringSide]]:
    return [(peering.requester, peering.accepter), (peering.accepter, peering.requester)]


def _in_snapshot(ctx: CheckContext, side: PeeringSide) -> bool:
    """Only a VPC whose route tables we have can be judged as missing routes."""
    return any(t.vpc_id == side.vpc_id for t in ctx.network.route_tables)


def peering_routes_missing(ctx: CheckContext) -> Iterator[Hit]:
    """Each side in the snapshot that routes nothing through an active peering (requests or replies both need it)."""
    for peering in ctx.network.peering_connections:
        if not peering.is_active:
            continue
        for side, other in _sides(peering):
            if not _in_snapshot(ctx, side) or _peering_routes(ctx, side.vpc_id, peering.id):
                continue
            if not _in_snapshot(ctx, other):
                state = f"the route tables of {other.vpc_id} are not in the snapshot"
            elif _peering_routes(ctx, other.vpc_id, peering.id):
                state = f"{other.vpc_id} does route to it"
            else:
                state = f"{other.vpc_id} does not either"
            yield Hit((peering.id, str(side.vpc_id)),
                      f"active peering {peering.id} between {peering.requester.vpc_id} and "
                      f"{peering.accepter.vpc_id}: no route table of {side.vpc_id} sends traffic to {other.vpc_id} "
                      f"through it ({state}), so no connection between the two VPCs can work",
                      str(peering.origin), key=str(side.vpc_id))


def peering_routes_broader_than_peer(ctx: CheckContext) -> Iterator[Hit]:
    for peering in ctx.network.peering_connections:
        for side, other in _sides(peering):
            for table, route in _peering_routes(ctx, side.vpc_id, peering.id):
                dest = route.destination
                if not isinstance(dest, IpNet):
                    continue
                peer = IntervalSet(net_interval(c) for c in _side_cidrs(ctx, other, dest.version))
                if not peer:
                    continue  # the peer's CIDRs are not known: nothing to compare with
                outside = IntervalSet([net_interval(dest)]).difference(peer)
                if outside:
                    yield Hit((table.id, peering.id),
                              f"route table {table.id} sends {dest} to {peering.id}, but the peer VPC "
                              f"{other.vpc_id} only has {describe_addresses(dest.version, peer)}: traffic to "
                              f"{describe_addresses(dest.version, outside)} is dropped at the peering (peering is "
                              "not transitive)", str(route.origin), key=str(dest))


def peered_cidr_overlaps(ctx: CheckContext) -> Iterator[Hit]:
    for peering in ctx.network.peering_connections:
        if peering.status in INACTIVE_ROUTE_STATES - {"pending-acceptance", "provisioning", "initiating-request"}:
            continue
        for version in (4, 6):
            for mine in _side_cidrs(ctx, peering.requester, version):
                for theirs in _side_cidrs(ctx, peering.accepter, version):
                    if mine.overlaps(theirs):
                        yield Hit((peering.id, str(peering.requester.vpc_id), str(peering.accepter.vpc_id)),
                                  f"peering {peering.id} joins {peering.requester.vpc_id} ({mine}) and "
                                  f"{peering.accepter.vpc_id} ({theirs}), whose CIDRs overlap: AWS refuses the "
                                  "peering, and routes cannot tell the two sides apart",
                                  str(peering.origin), key=f"{mine}|{theirs}")


def routes_to_inactive_peering(ctx: CheckContext) -> Iterator[Hit]:
    for table in ctx.network.route_tables:
        for route in table.routes:
            if route.target.kind != "vpc-peering" or route.state == "blackhole":
                continue  # a blackhole route is blackhole-route's finding
            peering = ctx.network.get(route.target.id, VpcPeeringConnection)
            if peering is None or peering.status not in INACTIVE_ROUTE_STATES:
                continue
            yield Hit((table.id, peering.id),
                      f"route table {table.id} sends {route.destination} to peering {peering.id}, which is "
                      f"{peering.status}: the traffic is dropped", str(route.origin), key=str(route.destination))

