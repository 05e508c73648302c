"""Collects resources from describe-* documents, keyed by their top-level keys, into one Network.

Some resources arrive in pieces from different calls and are merged here at the end:
- security groups (describe-security-groups) and their sgr- rules (describe-security-group-rules);
- prefix lists (describe-prefix-lists with Cidrs, describe-managed-prefix-lists without entries, and our
  ManagedPrefixListEntries wrapper of get-managed-prefix-list-entries);
- transit gateway attachments (generic, VPC and peering calls describe the same attachment id);
- transit gateway route tables and their routes / propagations / associations (Batfish's wrappers and ours).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any, Callable

from ..errors import ProblemCollector
from ..model import Diagnostic, Network, Origin, json_pointer
from ..model.resources import (
    PrefixList, PrefixListEntry, Resource, SecurityGroup, SecurityGroupRule, TransitGatewayAttachment,
    TransitGatewayRoute, TransitGatewayRouteTable,
)
from . import describe_parsers as p
from .describe_fields import WRONG_TYPE, Fields
from .describe_files import DescribeFile

Scope = tuple[str | None, str | None]  # (account, region) of the folder a file was read from


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Collector:
    def __init__(self, problems: ProblemCollector):
        self.problems = problems
        self.resources: dict[str, dict[str, Resource]] = defaultdict(dict)
        self.diagnostics: list[Diagnostic] = []
        self.loaded: dict[Scope, set[str]] = defaultdict(set)  # collections each folder scope had a file for
        self.files: list[str] = []
        self.sg_rules: dict[str, list[tuple[str | None, SecurityGroupRule]]] = defaultdict(list)
        self.prefix_lists: dict[str, dict[str, Any]] = {}
        self.prefix_list_entries: dict[str, tuple[tuple[PrefixListEntry, ...], Origin]] = {}
        self.tgw_attachments: dict[str, dict[str, Any]] = {}
        self.tgw_routes: dict[str, list[TransitGatewayRoute]] = defaultdict(list)
        self.tgw_propagations: dict[str, list[str]] = defaultdict(list)
        self.tgw_associations: dict[str, list[str]] = defaultdict(list)
        self.tgw_wrapper_origins: dict[str, Origin] = {}
        self.embedded_enis: list[Resource] = []
        self.file = ""
        self.account: str | None = None
        self.region: str | None = None

    # ------------------------------------------------------------ reading

    def read_document(self, document: dict[str, Any], source: DescribeFile) -> int:
        """Reads every top-level key of one document; returns how many keys vpcreach models."""
        self.file, self.account, self.region = source.path, source.account, source.region
        self.files.append(source.path)
        known = 0
        for key, value in document.items():
            handler = HANDLERS.get(key)
            if key in IGNORED_KEYS:
                continue
            if key == "NextToken":
                if value:
                    self.diagnose("warning", "output is one page of several (NextToken is set): "
                                  "resources on the other pages are missing", source.path, subject=key)
                continue
            if handler is None:
                count = len(value) if isinstance(value, (list, dict)) else 1
                if count:  # an empty answer drops nothing
                    self.diagnose("unmodelled", f"{key}: {plural(count, 'item')} not modelled", source.path,
                                  subject=key)
                continue
            known += 1
            origin = Origin("file", file=source.path, pointer=json_pointer(key),
                            account=source.account, region=source.region)
            if not isinstance(value, list):
                self.problems.add(f"{source.path}#{origin.pointer}", WRONG_TYPE, value, "a JSON array")
                continue
            self.loaded[(source.account, source.region)].add(COLLECTION_OF_KEY.get(key, key))
            for index, item in enumerate(value):
                item_origin = Origin("file", file=source.path, pointer=json_pointer(key, index),
                                     account=source.account, region=source.region)
                if isinstance(item, dict):
                    handler(self, Fields(item, item_origin, self.problems))
                else:
                    self.problems.add(f"{source.path}#{item_origin.pointer}", WRONG_TYPE, item, "a JSON object")
        return known

    def diagnose(self, kind: str, message: str, where: str = "", subject: str = "") -> None:
        self.diagnostics.append(Diagnostic(kind, message, where, subject))

    def add(self, collection: str, resource: Resource | None) -> None:
        if resource is None:
            return
        table = self.resources[collection]
        existing = table.get(resource.id)
        if existing is None:
            table[resource.id] = resource
        elif (existing.origin.account, existing.origin.region) == (resource.origin.account, resource.origin.region):
            self.diagnose("warning", f"{resource.id} is listed twice; using {existing.origin}",
                          str(resource.origin), subject=resource.id)
        # Otherwise the same resource seen from two accounts or regions (peering, RAM sharing): the first
        # read (sorted file order) is kept.

    # ------------------------------------------------------------ building the network

    def network(self) -> Network:
        self._merge_security_group_rules()
        self._build_prefix_lists()
        self._build_tgw_attachments()
        self._build_tgw_route_tables()
        for eni in self.embedded_enis:  # describe-network-interfaces, when present, is the fuller record
            if eni.id not in self.resources["network_interfaces"]:
                self.add("network_interfaces", eni)
        self._fill_folder_accounts()
        collections = {name: tuple(sorted(items.values(), key=lambda r: r.id))
                       for name, items in self.resources.items()}
        return Network(**collections, diagnostics=tuple(self.diagnostics), source_kind="describe")

    def _fill_folder_accounts(self) -> None:
        """A folder that names only a region (aws_configs/us-east-1/) belongs to the account its resources
        state as OwnerId when they all agree; resources whose call reports no owner (NAT gateways,
        Elastic IPs, ...) get that account too."""
        owners: dict[Scope, set[str]] = defaultdict(set)
        for items in self.resources.values():
            for resource in items.values():
                if resource.origin.account is None and resource.account:
                    owners[(None, resource.origin.region)].add(resource.account)
        for items in self.resources.values():
            for resource_id, resource in items.items():
                scope_owners = owners.get((None, resource.origin.region), set())
                if resource.account is None and len(scope_owners) == 1:
                    items[resource_id] = replace(resource, account=next(iter(scope_owners)))

    def _merge_security_group_rules(self) -> None:
        """sgr- rules replace the IpPermissions-derived rules of their group: same rules, plus rule ids."""
        groups = self.resources["security_groups"]
        for group_id, owned_rules in self.sg_rules.items():
            rules = [rule for _, rule in owned_rules]
            ingress = tuple(r for r in rules if not r.egress)
            egress = tuple(r for r in rules if r.egress)
            group = groups.get(group_id)
            if group is not None:
                groups[group_id] = replace(group, ingress=ingress, egress=egress)
                continue
            first = rules[0].origin
            owner = owned_rules[0][0]
            groups[group_id] = SecurityGroup(id=group_id, origin=first, account=owner or first.account,
                                             region=first.region, vpc_id=None, ingress=ingress, egress=egress)
            self.diagnose("unresolved", f"security group {group_id} has rules but is not in describe-security-groups "
                          "(its VPC and name are unknown)", str(first), subject=group_id)

    def _build_prefix_lists(self) -> None:
        for list_id, entries_and_origin in self.prefix_list_entries.items():
            if list_id not in self.prefix_lists:
                entries, origin = entries_and_origin
                self.prefix_lists[list_id] = dict(origin=origin, account=origin.account, region=origin.region)
        for list_id, data in self.prefix_lists.items():
            entries = data.get("entries")
            if list_id in self.prefix_list_entries:
                entries = self.prefix_list_entries[list_id][0]
            family = data.get("address_family")
            if family is None and entries:
                versions = {e.cidr.version for e in entries if hasattr(e.cidr, "version")}
                family = {frozenset({4}): "IPv4", frozenset({6}): "IPv6"}.get(frozenset(versions))
            self.add("prefix_lists", PrefixList(
                id=list_id, origin=data["origin"], tags=data.get("tags", ()), account=data.get("account"),
                region=data.get("region"), list_name=data.get("list_name"), address_family=family,
                entries=entries or (), max_entries=data.get("max_entries"), aws_managed=data.get("aws_managed", False),
                entries_known=entries is not None))

    def _build_tgw_attachments(self) -> None:
        for attachment_id, data in self.tgw_attachments.items():
            if not data.get("transit_gateway_id") or not data.get("resource_type"):
                continue  # the problem was recorded where the field was missing
            self.add("transit_gateway_attachments", TransitGatewayAttachment(id=attachment_id, **data))

    def _build_tgw_route_tables(self) -> None:
        tables = self.resources["transit_gateway_route_tables"]
        for attachment in self.resources["transit_gateway_attachments"].values():
            table_id = attachment.association_route_table_id  # type: ignore[attr-defined]
            if table_id and attachment.id not in self.tgw_associations[table_id]:
                self.tgw_associations[table_id].append(attachment.id)
        for table_id in sorted(set(self.tgw_routes) | set(self.tgw_propagations) | set(self.tgw_associations)):
            if table_id not in tables:
                origin = self.tgw_wrapper_origins.get(table_id)
                if origin is not None:
                    self.diagnose("unresolved", f"transit gateway route table {table_id} is not in "
                                  "describe-transit-gateway-route-tables", str(origin), subject=table_id)
        for table_id, table in list(tables.items()):
            tables[table_id] = replace(
                table, routes=tuple(self.tgw_routes.get(table_id, ())),
                routes_known=table_id in self.tgw_routes,
                associations=tuple(sorted(set(self.tgw_associations.get(table_id, ())))),
                propagations=tuple(sorted(set(self.tgw_propagations.get(table_id, ())))))


# ---------------------------------------------------------------- handlers, one per top-level key

def simple(collection: str, parse: Callable[[Fields, Collector], Resource | None]):
    def handle(ctx: Collector, item: Fields) -> None:
        ctx.add(collection, parse(item, ctx))
    return handle


def handle_reservation(ctx: Collector, item: Fields) -> None:
    owner = item.string("OwnerId")
    for entry in item.objects("Instances"):
        instance, enis = p.parse_instance(entry, ctx, owner)
        if instance is None:
            continue
        if instance.state == "terminated":
            ctx.diagnose("unmodelled", f"terminated instance {instance.id} skipped", str(instance.origin),
                         subject="Instance")
            continue
        ctx.add("instances", instance)
        ctx.embedded_enis.extend(enis)


def handle_security_group_rule(ctx: Collector, item: Fields) -> None:
    parsed = p.parse_security_group_rule(item, ctx)
    if parsed is not None:
        group_id, owner, rule = parsed
        ctx.sg_rules[group_id].append((owner, rule))


def handle_prefix_list(ctx: Collector, item: Fields) -> None:
    """describe-prefix-lists (AWS service lists, with Cidrs) or describe-managed-prefix-lists (no entries)."""
    list_id = item.string("PrefixListId", required=True, expected="a prefix list id such as pl-0123abcd")
    if list_id is None:
        return
    data = ctx.prefix_lists.setdefault(list_id, dict(origin=item.origin, account=ctx.account, region=ctx.region))
    data["list_name"] = data.get("list_name") or item.string("PrefixListName")
    if item.has("Cidrs"):
        data["entries"] = p.parse_prefix_list_entries(item, "Cidrs")
        data["aws_managed"] = True  # describe-prefix-lists only lists AWS service prefix lists
    else:
        owner = item.string("OwnerId")
        data.update(address_family=item.string("AddressFamily"), max_entries=item.integer("MaxEntries"),
                    tags=item.tags(), aws_managed=data.get("aws_managed", False) or owner == "AWS")
        if owner and owner != "AWS" and ctx.account is None:
            data["account"] = owner


def handle_prefix_list_entries(ctx: Collector, item: Fields) -> None:
    """Our wrapper: {"ManagedPrefixListEntries": [{"PrefixListId": ..., "Entries": [...]}]}."""
    list_id = item.string("PrefixListId", required=True, expected="a prefix list id such as pl-0123abcd")
    entries = p.parse_prefix_list_entries(item, "Entries")
    if list_id is not None:
        ctx.prefix_list_entries[list_id] = (entries, item.origin)


def merge_attachment(ctx: Collector, attachment_id: str, item: Fields, **fields: Any) -> None:
    """Fill in the fields one call knows; the first call to describe an attachment sets its origin."""
    data = ctx.tgw_attachments.setdefault(attachment_id, dict(
        origin=item.origin, tags=item.tags(), account=ctx.account, region=ctx.region))
    for key, value in fields.items():
        if value in (None, (), ""):
            continue
        if key == "transit_gateway_id" and data.get(key) and data[key] != value:
            # A peering attachment seen from the other transit gateway's side.
            data.setdefault("peer_transit_gateway_id", value)
            continue
        if not data.get(key):
            data[key] = value


def attachment_id_of(item: Fields) -> str | None:
    return item.string("TransitGatewayAttachmentId", required=True,
                       expected="a transit gateway attachment id such as tgw-attach-0123abcd")


def handle_tgw_attachment(ctx: Collector, item: Fields) -> None:
    attachment_id = attachment_id_of(item)
    tgw_id = item.string("TransitGatewayId", required=True, expected="a transit gateway id such as tgw-0123abcd")
    resource_type = item.string("ResourceType", required=True, expected="vpc, vpn, peering, direct-connect-gateway")
    association = item.obj("Association")
    table = None
    if association is not None and association.string("State") == "associated":
        table = association.string("TransitGatewayRouteTableId")
    if attachment_id is None:
        return
    resource_id = item.string("ResourceId")
    merge_attachment(ctx, attachment_id, item, transit_gateway_id=tgw_id, resource_type=resource_type,
                     resource_id=resource_id, resource_account=item.string("ResourceOwnerId"),
                     state=item.string("State"), association_route_table_id=table,
                     peer_transit_gateway_id=resource_id if resource_type == "peering" else None)
    if table is not None:
        # A peering attachment is described once per side, each with its own side's association; the merged
        # attachment keeps only the first side's, so the route table records every association it has.
        ctx.tgw_associations[table].append(attachment_id)


def handle_tgw_vpc_attachment(ctx: Collector, item: Fields) -> None:
    attachment_id = attachment_id_of(item)
    tgw_id = item.string("TransitGatewayId", required=True, expected="a transit gateway id such as tgw-0123abcd")
    if attachment_id is None:
        return
    merge_attachment(ctx, attachment_id, item, transit_gateway_id=tgw_id, resource_type="vpc",
                     resource_id=item.string("VpcId"), resource_account=item.string("VpcOwnerId"),
                     state=item.string("State"), subnet_ids=item.strings("SubnetIds"))


def handle_tgw_peering_attachment(ctx: Collector, item: Fields) -> None:
    attachment_id = attachment_id_of(item)
    requester = item.obj("RequesterTgwInfo")
    accepter = item.obj("AccepterTgwInfo")
    if attachment_id is None or requester is None or accepter is None:
        if requester is None or accepter is None:
            item.bad("RequesterTgwInfo" if requester is None else "AccepterTgwInfo", "missing required field",
                     None, "a JSON object with TransitGatewayId, OwnerId and Region")
        return
    own, peer = requester.string("TransitGatewayId"), accepter.string("TransitGatewayId")
    merge_attachment(ctx, attachment_id, item, transit_gateway_id=own, resource_type="peering", resource_id=peer,
                     resource_account=accepter.string("OwnerId"), peer_transit_gateway_id=peer,
                     state=item.string("State") or item.state("Status", "Code"))


def handle_tgw_route_table(ctx: Collector, item: Fields) -> None:
    table_id = item.string("TransitGatewayRouteTableId", required=True,
                           expected="a transit gateway route table id such as tgw-rtb-0123abcd")
    tgw_id = item.string("TransitGatewayId", required=True, expected="a transit gateway id such as tgw-0123abcd")
    if table_id is None or tgw_id is None:
        return
    state = item.string("State") or "available"
    if state in ("deleted", "deleting"):
        ctx.diagnose("unmodelled", f"{state} transit gateway route table {table_id} skipped", str(item.origin),
                     subject="TransitGatewayRouteTable")
        return
    ctx.add("transit_gateway_route_tables", TransitGatewayRouteTable(
        **p.base(item, table_id, ctx, None), transit_gateway_id=tgw_id,
        is_default_association=item.boolean("DefaultAssociationRouteTable"),
        is_default_propagation=item.boolean("DefaultPropagationRouteTable")))


def wrapped_table_id(ctx: Collector, item: Fields) -> str | None:
    table_id = item.string("TransitGatewayRouteTableId", required=True,
                           expected="a transit gateway route table id such as tgw-rtb-0123abcd")
    if table_id is not None:
        ctx.tgw_wrapper_origins.setdefault(table_id, item.origin)
    return table_id


def handle_tgw_static_routes(ctx: Collector, item: Fields) -> None:
    """search-transit-gateway-routes output per route table (Batfish's wrapper: static routes only;
    `vpcreach snapshot` writes static and propagated routes under the same name)."""
    table_id = wrapped_table_id(ctx, item)
    routes = [r for route in item.objects("Routes") if (r := p.parse_tgw_route(route)) is not None]
    if item.boolean("AdditionalRoutesAvailable"):  # search-transit-gateway-routes returns at most 1000
        ctx.diagnose("warning", f"transit gateway route table {table_id} has more routes than the snapshot holds",
                     item.where("AdditionalRoutesAvailable"), subject=str(table_id))
    if table_id is not None:
        ctx.tgw_routes[table_id].extend(routes)


def handle_tgw_propagations(ctx: Collector, item: Fields) -> None:
    """Batfish's wrapper: get-transit-gateway-route-table-propagations output per route table."""
    table_id = wrapped_table_id(ctx, item)
    for entry in item.objects("TransitGatewayRouteTablePropagations"):
        attachment_id = attachment_id_of(entry)
        if table_id is not None and attachment_id is not None and entry.string("State") == "enabled":
            ctx.tgw_propagations[table_id].append(attachment_id)


def handle_tgw_associations(ctx: Collector, item: Fields) -> None:
    """Our wrapper: get-transit-gateway-route-table-associations output per route table."""
    table_id = wrapped_table_id(ctx, item)
    for entry in item.objects("Associations"):
        attachment_id = attachment_id_of(entry)
        if table_id is not None and attachment_id is not None and entry.string("State") in (None, "associated"):
            ctx.tgw_associations[table_id].append(attachment_id)


def handle_network_interface(ctx: Collector, item: Fields) -> None:
    ctx.add("network_interfaces", p.parse_network_interface(item, ctx))


HANDLERS: dict[str, Callable[[Collector, Fields], None]] = {
    "Vpcs": simple("vpcs", p.parse_vpc),
    "Subnets": simple("subnets", p.parse_subnet),
    "RouteTables": simple("route_tables", p.parse_route_table),
    "InternetGateways": simple("internet_gateways", p.parse_internet_gateway),
    "EgressOnlyInternetGateways": simple("egress_only_internet_gateways", p.parse_egress_only_gateway),
    "NatGateways": simple("nat_gateways", p.parse_nat_gateway),
    "VpnGateways": simple("vpn_gateways", p.parse_vpn_gateway),
    "SecurityGroups": simple("security_groups", p.parse_security_group),
    "SecurityGroupRules": handle_security_group_rule,
    "NetworkAcls": simple("network_acls", p.parse_network_acl),
    "NetworkInterfaces": handle_network_interface,
    "Reservations": handle_reservation,
    "Addresses": simple("elastic_ips", p.parse_elastic_ip),
    "VpcPeeringConnections": simple("peering_connections", p.parse_peering),
    "PrefixLists": handle_prefix_list,
    "ManagedPrefixListEntries": handle_prefix_list_entries,
    "TransitGateways": simple("transit_gateways", p.parse_transit_gateway),
    "TransitGatewayAttachments": handle_tgw_attachment,
    "TransitGatewayVpcAttachments": handle_tgw_vpc_attachment,
    "TransitGatewayPeeringAttachments": handle_tgw_peering_attachment,
    "TransitGatewayRouteTables": handle_tgw_route_table,
    "TransitGatewayStaticRoutes": handle_tgw_static_routes,
    "TransitGatewayPropagations": handle_tgw_propagations,
    "TransitGatewayRouteTableAssociations": handle_tgw_associations,
    "VpcEndpoints": simple("vpc_endpoints", p.parse_vpc_endpoint),
}
KNOWN_KEYS = frozenset(HANDLERS)
# Keys whose data lands in another collection (for "was this type loaded in this folder?").
COLLECTION_OF_KEY = {
    "Vpcs": "vpcs", "Subnets": "subnets", "RouteTables": "route_tables", "NetworkAcls": "network_acls",
    "NetworkInterfaces": "network_interfaces", "SecurityGroups": "security_groups",
}
# Response envelope fields that carry no network data (boto3 responses, recorded API calls).
IGNORED_KEYS = frozenset({"ResponseMetadata"})
