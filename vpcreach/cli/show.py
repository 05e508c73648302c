"""`vpcreach show SOURCE`: what vpcreach understood of an input, before asking it anything.

Text: counts per resource type; each VPC with its CIDRs, subnets (AZ, CIDRs, effective route table and
NACL), route tables with their routes, and gateways; transit gateways, peering, prefix lists; then the
diagnostics (what was not modelled or not resolved), grouped. `--format json` dumps the model.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable, Sequence

import typer

from ..errors import InputError
from ..importers import load_source
from ..model import Network
from ..model.resources import RESOURCE_TYPES, Resource, Route, RouteTable, Subnet, Vpc
from ..model.serialize import network_to_json
from .main import app

INDENT = "  "


FORMATS = ("text", "json")


@app.command("show")
def show(
    source: str = typer.Argument(..., help="describe-* folder or file, Terraform plan/state JSON, or aws:..."),
    output_format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Show the normalized network read from SOURCE, and everything that could not be modelled."""
    if output_format not in FORMATS:  # checked before reading, which may take long for aws: sources
        raise InputError.at("--format", "unknown format", output_format, " or ".join(FORMATS))
    network = load_source(source)
    if output_format == "json":
        typer.echo(network_to_json(network), nl=False)
    else:
        typer.echo("\n".join(render_text(network)))


# ---------------------------------------------------------------- text rendering

def render_text(network: Network) -> list[str]:
    lines = [f"source: {', '.join(network.sources)} ({network.source_kind or 'unknown'})", ""]
    lines += render_counts(network)
    vpc_ids = {vpc.id for vpc in network.vpcs}
    for vpc in network.vpcs:
        lines += [""] + render_vpc(network, vpc)
    orphans = [s for s in network.subnets if s.vpc_id not in vpc_ids]
    if orphans:
        lines += ["", "subnets of VPCs not in the snapshot"] + indent(subnet_table(network, orphans))
    orphan_tables = [t for t in network.route_tables if t.vpc_id not in vpc_ids]
    if orphan_tables:
        lines += ["", "route tables of VPCs not in the snapshot"] + indent(route_table_lines(orphan_tables))
    lines += render_shared(network)
    lines += render_diagnostics(network)
    return lines


def label(resource: Resource) -> str:
    return f"{resource.id} {resource.name}" if resource.name else resource.id


ACRONYMS = {"vpc": "VPC", "acl": "ACL", "nat": "NAT", "ip": "IP", "vpn": "VPN"}
SPECIAL_LABELS = {"EgressOnlyInternetGateway": "egress-only internet gateways", "ElasticIp": "Elastic IPs"}


def type_label(cls: type) -> str:
    """VpcPeeringConnection -> "VPC peering connections", NetworkAcl -> "network ACLs"."""
    if cls.__name__ in SPECIAL_LABELS:
        return SPECIAL_LABELS[cls.__name__]
    words = [ACRONYMS.get(w, w) for w in re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower().split()]
    return " ".join(words) + "s"


def render_counts(network: Network) -> list[str]:
    counts = {type(items[0]): len(items) for _, items in network.collections() if items}
    rows = [[type_label(cls), str(counts[cls])] for cls in RESOURCE_TYPES if cls in counts]
    if not rows:
        return ["resources: none"]
    return ["resources"] + indent(align(rows, right=(1,)))


def render_vpc(network: Network, vpc: Vpc) -> list[str]:
    cidrs = ", ".join(str(c) for c in vpc.cidrs_v4 + vpc.cidrs_v6)
    where = "/".join(x for x in (vpc.account, vpc.region) if x)
    head = f"VPC {label(vpc)}  {cidrs}" + (f"  ({where})" if where else "")
    head += "  default VPC" if vpc.is_default else ""
    lines = [head]
    subnets = network.vpc_subnets(vpc.id)
    lines += indent(["subnets"] + indent(subnet_table(network, sorted(subnets, key=lambda s: s.id)))
                    if subnets else ["subnets: none"])
    tables = [t for t in network.route_tables if t.vpc_id == vpc.id]
    if tables:
        lines += indent(["route tables"] + indent(route_table_lines(tables, frozenset({vpc.id}))))
    gateways = gateway_rows(network, vpc.id)
    if gateways:
        lines += indent(["gateways"] + indent(align(gateways)))
    return lines


def subnet_table(network: Network, subnets: Sequence[Subnet]) -> list[str]:
    rows = [["subnet", "AZ", "IPv4", "IPv6", "route table", "NACL", "ENIs"]]
    for subnet in subnets:
        rows.append([
            label(subnet), str(subnet.availability_zone or "-"), str(subnet.cidr_v4 or "-"),
            ", ".join(str(c) for c in subnet.cidrs_v6) or "-", subnet_route_table(network, subnet),
            subnet_nacl(network, subnet), str(len(network.subnet_interfaces(subnet.id))),
        ])
    return align(rows, right=(6,))


def subnet_route_table(network: Network, subnet: Subnet) -> str:
    table = network.route_table_for_subnet(subnet.id)
    if table is None:
        return "none known"
    return f"{table.id} ({'explicit' if network.route_table_is_explicit(subnet.id) else 'main'})"


def subnet_nacl(network: Network, subnet: Subnet) -> str:
    acl = network.nacl_for_subnet(subnet.id)
    if acl is None:
        return "none known"
    # describe-network-acls lists every subnet of the default NACL too, so "default" is the useful mark.
    if acl.is_default:
        return f"{acl.id} (default)" if subnet.id in acl.subnet_ids else f"{acl.id} (default, implied)"
    return acl.id


def route_table_lines(tables: Iterable[RouteTable], known_vpcs: frozenset[str] = frozenset()) -> list[str]:
    """Each table with its role and routes; the VPC is named unless the table is listed under it."""
    lines = []
    for table in tables:
        roles = ["main"] if table.is_main else []
        subnets = sum(1 for a in table.associations if a.kind == "subnet")
        if subnets:
            roles.append(f"{subnets} subnet{'s' if subnets != 1 else ''}")
        roles += [f"edge {a.gateway_id}" for a in table.associations if a.kind == "gateway"]
        vpc = f" in {table.vpc_id}" if table.vpc_id not in known_vpcs else ""
        lines.append(f"{label(table)}{vpc}" + (f" ({', '.join(roles)})" if roles else " (not associated)"))
        lines += indent(align([route_row(route) for route in table.routes]) or ["no routes"])
    return lines


def route_row(route: Route) -> list[str]:
    notes = [] if route.state == "active" else [route.state]
    if route.origin_kind == "EnableVgwRoutePropagation":
        notes.append("propagated")
    return [str(route.destination), "->", str(route.target), ", ".join(notes)]


def gateway_rows(network: Network, vpc_id: str) -> list[list[str]]:
    rows = [["internet gateway", label(g), ""] for g in network.internet_gateways if vpc_id in g.vpc_ids]
    rows += [["egress-only internet gateway", label(g), ""] for g in network.egress_only_internet_gateways
             if vpc_id in g.vpc_ids]
    subnet_vpc = {s.id: s.vpc_id for s in network.subnets}
    for nat in network.nat_gateways:
        if nat.vpc_id == vpc_id or (nat.vpc_id is None and subnet_vpc.get(nat.subnet_id) == vpc_id):
            addresses = ", ".join(f"{a.private_ip or '?'}" + (f" / {a.public_ip}" if a.public_ip else "")
                                  for a in nat.addresses)
            state = "" if nat.state == "available" else f", {nat.state}"
            rows.append(["NAT gateway", label(nat), f"{nat.connectivity}{state}, in {nat.subnet_id}"
                         + (f", {addresses}" if addresses else "")])
    rows += [["virtual private gateway", label(g), ""] for g in network.vpn_gateways if vpc_id in g.vpc_ids]
    rows += [["VPC endpoint", label(e), f"{e.endpoint_type} {e.service_name or ''}".strip()]
             for e in network.vpc_endpoints if e.vpc_id == vpc_id]
    for pcx in network.peering_connections:
        for side, other in ((pcx.requester, pcx.accepter), (pcx.accepter, pcx.requester)):
            if side.vpc_id == vpc_id:
                rows.append(["peering", label(pcx), f"{pcx.status}, to {other.vpc_id}"
                             + (f" ({other.account})" if other.account and other.account != side.account else "")])
    for attachment in network.transit_gateway_attachments:
        if attachment.resource_type == "vpc" and attachment.resource_id == vpc_id:
            rows.append(["transit gateway attachment", attachment.id, f"to {attachment.transit_gateway_id}"])
    return [[r[0], r[1], r[2]] if r[2] else r[:2] for r in rows]


def render_shared(network: Network) -> list[str]:
    lines: list[str] = []
    if network.transit_gateways or network.transit_gateway_route_tables:
        lines += ["", "transit gateways"]
        for tgw in network.transit_gateways:
            lines += indent([f"{label(tgw)}" + (f" (ASN {tgw.asn})" if tgw.asn is not None else "")])
            attachments = [[a.id, a.resource_type, str(a.resource_id or "-"), a.state]
                           for a in network.transit_gateway_attachments if a.transit_gateway_id == tgw.id]
            lines += indent(indent(align(attachments)))
        for table in network.transit_gateway_route_tables:
            routes = "routes not in the snapshot" if not table.routes_known else f"{len(table.routes)} static routes"
            lines += indent([f"{label(table)} of {table.transit_gateway_id}: {len(table.associations)} associated, "
                             f"{len(table.propagations)} propagating, {routes}"])
    if network.prefix_lists:
        lines += ["", "prefix lists"]
        rows = []
        for pl in network.prefix_lists:
            entries = (", ".join(str(e.cidr) for e in pl.entries) or "no entries") if pl.entries_known \
                else "entries not in the snapshot"
            rows.append([label(pl) if not pl.list_name else f"{pl.id} {pl.list_name}", entries])
        lines += indent(align(rows))
    return lines


def render_diagnostics(network: Network) -> list[str]:
    if not network.diagnostics:
        return ["", "diagnostics: none"]
    groups: dict[str, list[str]] = defaultdict(list)
    for diagnostic in network.diagnostics:
        groups[diagnostic.kind].append(diagnostic.line())
    lines = ["", "diagnostics"]
    for kind in sorted(groups):
        lines += indent([f"{kind} ({len(groups[kind])})"] + indent(groups[kind]))
    return lines


# ---------------------------------------------------------------- layout helpers

def indent(lines: Iterable[str]) -> list[str]:
    return [INDENT + line for line in lines]


def align(rows: Sequence[Sequence[str]], right: tuple[int, ...] = ()) -> list[str]:
    """Columns padded to their widest cell, two spaces apart, trailing spaces removed."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(len(r) for r in rows))]
    lines = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines
