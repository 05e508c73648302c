"""What a check function receives, and the network facts several checks share.

Checks are pure functions of a `CheckContext`: they read `ctx.network` (the model) and, when a judgement
depends on what can really flow, `ctx.analyzer` (the reachability engine, created on first use and shared by
every rule of one run, so its encodings are built once).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable

from ..model import (
    CidrPeer, GroupPeer, IpNet, Network, PrefixList, PrefixListRef, Route, RouteTable, SecurityGroupRule, Subnet,
    Unknown, parse_cidr, parse_ip,
)
from .findings import SEVERITIES, severity_rank
from .spaces import IntervalSet, addresses, net_interval

WORLD = {4: parse_cidr("0.0.0.0/0"), 6: parse_cidr("::/0")}

# Addresses that are not on the public internet (RFC 6890 special-purpose blocks that matter here):
# a rule set that admits every other address is open to the internet even if it never says 0.0.0.0/0.
NOT_INTERNET = {
    4: [parse_cidr(c) for c in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                                "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")],
    6: [parse_cidr(c) for c in ("::/3", "4000::/2", "8000::/1")],  # only 2000::/3 is global unicast
}
PRIVATE_V4 = [parse_cidr(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]


def internet(version: int) -> IntervalSet:
    return IntervalSet([addresses(version)]).difference(net_interval(n) for n in NOT_INTERNET[version])


def covers_internet(version: int, values: IntervalSet) -> bool:
    return not internet(version).difference(values)


class _Run:
    """What every rule of one run shares: the engine Analyzer (made on first use) and the derived facts."""

    def __init__(self, network: Network, analyzer: Any = None):
        self.network = network
        self._analyzer = analyzer

    @property
    def analyzer(self) -> Any:
        if self._analyzer is None:
            from ..engine import Analyzer  # imported only when a check needs the engine

            self._analyzer = Analyzer(self.network)
        return self._analyzer

    @cached_property
    def exposures(self) -> tuple[Any, ...]:
        """The engine's Exposure of every interface the internet reaches (computed once per run)."""
        return tuple(self.analyzer.exposure())

    @cached_property
    def facts(self) -> "Facts":
        return Facts(self.network)


@dataclass(frozen=True)
class CheckContext:
    network: Network
    severity: str = "medium"  # the running rule's default severity, for checks that grade below it
    run: _Run | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.run is None:
            object.__setattr__(self, "run", _Run(self.network))

    @staticmethod
    def create(network: Network, analyzer: Any = None) -> "CheckContext":
        return CheckContext(network, run=_Run(network, analyzer))

    def for_rule(self, severity: str) -> "CheckContext":
        """The same run (analyzer, facts) seen by a rule of another default severity."""
        return replace(self, severity=severity)

    @property
    def analyzer(self) -> Any:
        return self.run.analyzer  # type: ignore[union-attr]

    @property
    def exposures(self) -> tuple[Any, ...]:
        return self.run.exposures  # type: ignore[union-attr]

    @property
    def facts(self) -> "Facts":
        return self.run.facts  # type: ignore[union-attr]

    def capped(self, ceiling: str) -> str:
        """The rule's severity, but no higher than `ceiling` (for hits with less exposure)."""
        return SEVERITIES[min(severity_rank(self.severity), severity_rank(ceiling))]


def undecided(exposure: Any) -> str:
    """Why the engine could not decide an Exposure ("" when it is certain)."""
    return getattr(exposure, "undecided", "") or ""


def via(exposure: Any) -> str:
    """" via igw-..." for an Exposure, or nothing when the engine names no gateway."""
    return f" via {exposure.gateway_id}" if exposure.gateway_id else ""


def is_default_route(route: Route, version: int | None = None) -> bool:
    dest = route.destination
    return isinstance(dest, IpNet) and dest.prefixlen == 0 and (version is None or dest.version == version)


class Facts:
    """Derived, cached lookups over one network that several checks need."""

    def __init__(self, network: Network):
        self.network = network
        self._group_addresses: dict[tuple[str, int], IntervalSet] = {}
        self._memo: dict[tuple, Any] = {}

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """A value several rules of one run derive the same way (e.g. what a group admits from the internet)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ---------------------------------------------------------------- routing

    def igw_ids(self, vpc_id: object) -> set[str]:
        return {g.id for g in self.network.internet_gateways if vpc_id in g.vpc_ids}

    def internet_routes(self, table: RouteTable | None, version: int = 4) -> list[Route]:
        """Active routes of `table` to an internet gateway attached to its VPC, for one address family."""
        if table is None:
            return []
        igws = self.igw_ids(table.vpc_id)
        return [r for r in table.routes if r.state == "active" and r.target.kind == "internet-gateway"
                and r.target.id in igws and _family(r) == version]

    def subnet_internet_route(self, subnet_id: object, version: int = 4) -> Route | None:
        if not isinstance(subnet_id, str):
            return None
        routes = self.internet_routes(self.network.route_table_for_subnet(subnet_id), version)
        return min(routes, key=lambda r: (not is_default_route(r), str(r.destination))) if routes else None

    def default_route(self, table: RouteTable | None, version: int = 4) -> Route | None:
        if table is None:
            return None
        return next((r for r in table.routes if is_default_route(r, version)), None)

    def subnet(self, subnet_id: object) -> Subnet | None:
        return self.network.get(subnet_id, Subnet)

    # ---------------------------------------------------------------- security group peers

    def group_addresses(self, group_id: str, version: int) -> IntervalSet:
        """The private addresses of a group's members (what a rule naming the group admits)."""
        key = (group_id, version)
        if key not in self._group_addresses:
            values = []
            for eni in self.network.group_members(group_id):
                candidates = eni.private_ips if version == 4 else eni.ipv6_addresses
                for text in candidates:
                    if isinstance(text, str):
                        v, number = parse_ip(text)
                        if v == version:
                            values.append((number, number))
            self._group_addresses[key] = IntervalSet(values)
        return self._group_addresses[key]

    def peer_addresses(self, rule: SecurityGroupRule, version: int) -> tuple[IntervalSet, str | None]:
        """The addresses a rule's peer stands for, and why they are unknown if they are."""
        peer = rule.peer
        if isinstance(peer, CidrPeer):
            if isinstance(peer.cidr, Unknown):
                return IntervalSet(), f"its CIDR is {peer.cidr.reason}"
            return (IntervalSet([net_interval(peer.cidr)]) if peer.cidr.version == version else IntervalSet()), None
        if isinstance(peer, PrefixListRef):
            return self.prefix_list_addresses(peer, version)
        if isinstance(peer, GroupPeer) and isinstance(peer.group_id, str):
            return self.group_addresses(peer.group_id, version), None
        return IntervalSet(), "its peer is not known until apply"

    def prefix_list_addresses(self, ref: PrefixListRef, version: int) -> tuple[IntervalSet, str | None]:
        plist = self.network.get(ref.prefix_list_id, PrefixList)
        if plist is None or not plist.entries_known:
            return IntervalSet(), f"the entries of prefix list {ref} are not in the snapshot"
        unknown = [e for e in plist.entries if isinstance(e.cidr, Unknown)]
        values = IntervalSet(net_interval(e.cidr) for e in plist.entries
                             if isinstance(e.cidr, IpNet) and e.cidr.version == version)
        return values, (f"prefix list {ref} has entries not known until apply" if unknown else None)


def _family(route: Route) -> int | None:
    return route.destination.version if isinstance(route.destination, IpNet) else None
