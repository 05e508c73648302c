"""The whole normalized snapshot, with the lookups AWS semantics need (pure, derived on demand)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Iterable, TypeVar

from .resources import (
    RESOURCE_TYPES, ElasticIp, EgressOnlyInternetGateway, Instance, InternetGateway, NatGateway,
    NetworkAcl, NetworkInterface, PrefixList, Resource, RouteTable, SecurityGroup, Subnet,
    TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable, Vpc, VpcEndpoint,
    VpcPeeringConnection, VpnGateway,
)

R = TypeVar("R", bound=Resource)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """Something about the input that the model could not represent or resolve.

    kind:
      "unmodelled"  a resource type or construct vpcreach does not model (named, with a count)
      "unresolved"  a reference to a resource that is not in the snapshot
      "unknown"     a value that is not known until apply
      "warning"     anything else a user should know (an ICMP rule AWS would never match, ...)
    """

    kind: str
    message: str
    where: str = ""
    subject: str = ""  # the resource type or id it concerns

    def line(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class Network:
    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    internet_gateways: tuple[InternetGateway, ...] = ()
    egress_only_internet_gateways: tuple[EgressOnlyInternetGateway, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    vpn_gateways: tuple[VpnGateway, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    instances: tuple[Instance, ...] = ()
    elastic_ips: tuple[ElasticIp, ...] = ()
    peering_connections: tuple[VpcPeeringConnection, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    transit_gateways: tuple[TransitGateway, ...] = ()
    transit_gateway_attachments: tuple[TransitGatewayAttachment, ...] = ()
    transit_gateway_route_tables: tuple[TransitGatewayRouteTable, ...] = ()
    vpc_endpoints: tuple[VpcEndpoint, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: tuple[str, ...] = ()  # the inputs it was read from, for reports
    source_kind: str = ""  # "describe", "terraform-plan", "terraform-state", "live", or "+"-joined
    # Calls a live snapshot could not make ("<account>/<region>/ec2:DescribeNatGateways"): answers that
    # depend on their data are inconclusive. Read from the snapshot's manifest.json.
    missing: tuple[str, ...] = ()

    # ------------------------------------------------------------ generic access

    def collections(self) -> Iterable[tuple[str, tuple[Resource, ...]]]:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("diagnostics", "sources", "source_kind", "missing"):
                yield f.name, value

    def all_resources(self) -> Iterable[Resource]:
        for _, items in self.collections():
            yield from items

    @cached_property
    def by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in self.all_resources()}

    def get(self, resource_id: object, kind: type[R] | None = None) -> R | None:
        if not isinstance(resource_id, str):
            return None
        found = self.by_id.get(resource_id)
        if found is not None and kind is not None and not isinstance(found, kind):
            return None
        return found  # type: ignore[return-value]

    # ------------------------------------------------------------ AWS semantics lookups

    @cached_property
    def _subnet_route_table(self) -> dict[str, RouteTable]:
        explicit: dict[str, RouteTable] = {}
        main: dict[str, RouteTable] = {}
        for table in self.route_tables:
            for assoc in table.associations:
                if assoc.kind == "subnet" and isinstance(assoc.subnet_id, str):
                    explicit[assoc.subnet_id] = table
                elif assoc.kind == "main" and isinstance(table.vpc_id, str):
                    main[table.vpc_id] = table
        result: dict[str, RouteTable] = {}
        for subnet in self.subnets:
            table = explicit.get(subnet.id) or (main.get(subnet.vpc_id) if isinstance(subnet.vpc_id, str) else None)
            if table is not None:
                result[subnet.id] = table
        return result

    def route_table_for_subnet(self, subnet_id: str) -> RouteTable | None:
        """The explicitly associated table, else the VPC's main table (None if neither is known)."""
        return self._subnet_route_table.get(subnet_id)

    def route_table_is_explicit(self, subnet_id: str) -> bool:
        table = self.route_table_for_subnet(subnet_id)
        return table is not None and any(
            a.kind == "subnet" and a.subnet_id == subnet_id for a in table.associations)

    @cached_property
    def _subnet_nacl(self) -> dict[str, NetworkAcl]:
        explicit: dict[str, NetworkAcl] = {}
        default: dict[str, NetworkAcl] = {}
        for acl in self.network_acls:
            for subnet_id in acl.subnet_ids:
                if isinstance(subnet_id, str):
                    explicit[subnet_id] = acl
            if acl.is_default and isinstance(acl.vpc_id, str):
                default[acl.vpc_id] = acl
        result: dict[str, NetworkAcl] = {}
        for subnet in self.subnets:
            acl = explicit.get(subnet.id) or (default.get(subnet.vpc_id) if isinstance(subnet.vpc_id, str) else None)
            if acl is not None:
                result[subnet.id] = acl
        return result

    def nacl_for_subnet(self, subnet_id: str) -> NetworkAcl | None:
        """The associated NACL, else the VPC's default NACL (None if neither is known)."""
        return self._subnet_nacl.get(subnet_id)

    @cached_property
    def _index(self) -> dict[str, dict[str, list[Resource]]]:
        """Reverse indexes: members of a group, interfaces of a subnet, subnets of a VPC."""
        index: dict[str, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
        for eni in self.network_interfaces:
            for sg in eni.security_group_ids:
                if isinstance(sg, str):
                    index["sg_members"][sg].append(eni)
            if isinstance(eni.subnet_id, str):
                index["subnet_enis"][eni.subnet_id].append(eni)
        for subnet in self.subnets:
            if isinstance(subnet.vpc_id, str):
                index["vpc_subnets"][subnet.vpc_id].append(subnet)
        for instance in self.instances:
            for eni_id in instance.eni_ids:
                if isinstance(eni_id, str):
                    index["eni_instance"][eni_id].append(instance)
        return index

    def group_members(self, group_id: str) -> list[NetworkInterface]:
        return self._index["sg_members"].get(group_id, [])  # type: ignore[return-value]

    def subnet_interfaces(self, subnet_id: str) -> list[NetworkInterface]:
        return self._index["subnet_enis"].get(subnet_id, [])  # type: ignore[return-value]

    def vpc_subnets(self, vpc_id: str) -> list[Subnet]:
        return self._index["vpc_subnets"].get(vpc_id, [])  # type: ignore[return-value]

    def internet_gateway_for_vpc(self, vpc_id: str) -> InternetGateway | None:
        for igw in self.internet_gateways:
            if vpc_id in igw.vpc_ids:
                return igw
        return None

    def counts(self) -> dict[str, int]:
        return {name: len(items) for name, items in self.collections()}


__all__ = ["Diagnostic", "Network", "RESOURCE_TYPES"]
