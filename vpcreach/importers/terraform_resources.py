"""One way to read each Terraform AWS resource type into the model, shared by plan and state.

The plan and state importers hand every managed resource instance to `NetworkBuilder.add` as a
`TfResource` (its address, attribute dict, the unknown-until-apply marks and, for plans, a
reference resolver). Resources that contribute to another object (a route, a rule, an
association) are applied after every object exists; AWS's implied objects (a VPC's main route
table, default NACL and default security group, local routes, the final 32767 deny entries)
are added once every resource is read, unless an `aws_default_*` resource manages them.

Only the modelled fields are ever read from the attribute dicts, so nothing else a plan or
state holds (user data, passwords, keys) can reach the output.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from ..errors import ProblemCollector
from ..model import (
    ALL_PROTOCOLS, Diagnostic, IcmpMatch, IpNet, Network, Origin, PortRange, Unknown, ValueProblem,
    parse_cidr, parse_ip, parse_protocol,
)
from ..model.resources import (
    CidrPeer, EgressOnlyInternetGateway, ElasticIp, GroupPeer, Instance, InternetGateway, NatGateway,
    NatGatewayAddress, NetworkAcl, NetworkAclEntry, NetworkInterface, PeeringSide, PrefixList,
    PrefixListEntry, PrefixListRef, PublicIp, Route, RouteTable, RouteTableAssociation, RouteTarget,
    SecurityGroup, SecurityGroupRule, Subnet, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRoute, TransitGatewayRouteTable, Vpc, VpcEndpoint, VpcPeeringConnection, VpnGateway,
)
from ..model.values import ICMP_PROTOCOLS, PORTED_PROTOCOLS

KNOWN_AFTER_APPLY = "known after apply"
CIDR_EXPECTED = "a CIDR block such as 10.0.0.0/16 or 2001:db8::/56"

# A resolver answers "what does this attribute's configuration expression refer to?" for a plan:
# it gets the attribute path and what the attribute holds ("id": one resource id, "ids": a list
# of them, "value": anything else), and returns the resolved values (str or Unknown), or None
# when there is no usable expression.
Resolver = Callable[[tuple, str], "list[Any] | None"]

# Implied objects of a VPC: which of its attributes names each, and the suffix of the id we
# give it when that attribute is unknown (a VPC planned from nothing).
VPC_IMPLIED = {
    "main_route_table_id": "main-route-table",
    "default_route_table_id": "main-route-table",
    "default_network_acl_id": "default-network-acl",
    "default_security_group_id": "default-security-group",
}


def implied_id(vpc_id: str, what: str) -> str:
    return f"{vpc_id}#{what}"


@dataclass
class TfResource:
    """One managed resource instance as the plan or state gives it."""

    address: str
    type: str
    values: dict
    origin: Origin  # kind "terraform", pointer at the resource object
    values_path: tuple = ("values",)  # where the attributes are under `origin.pointer`
    unknown: Any = None  # the plan's after_unknown for this instance
    resolver: Resolver | None = None

    @property
    def where(self) -> str:
        return f"{self.origin.file}: {self.address}"


def _path_text(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class Attrs:
    """Typed access to one resource's (or one nested block's) attributes.

    Unknown values become Unknown("known after apply") unless the plan's configuration says what
    they refer to; malformed values are reported to the collector with the file, address,
    attribute, value and expectation.
    """

    def __init__(self, resource: TfResource, builder: "NetworkBuilder", values: dict | None = None,
                 unknown: Any = None, path: tuple = ()):
        self.resource = resource
        self.builder = builder
        self.values = resource.values if values is None and not path else (values or {})
        self.unknown_marks = resource.unknown if not path else unknown
        self.path = path

    # ---------------------------------------------------------------- basics

    @property
    def origin(self) -> Origin:
        return self.resource.origin.child(*self.resource.values_path, *self.path)

    def _mark(self, key: str) -> Any:
        marks = self.unknown_marks
        return marks.get(key) if isinstance(marks, dict) else None

    def is_unknown(self, key: str) -> bool:
        return self._mark(key) is True

    def raw(self, key: str) -> Any:
        return self.values.get(key) if isinstance(self.values, dict) else None

    def problem(self, key: str, value: object, expected: str) -> None:
        self.builder.problems.add(self.resource.where, f"invalid {_path_text(self.path + (key,))}", value, expected)

    def configured(self, key: str) -> bool:
        """Whether the plan's configuration sets this attribute (a state has no configuration)."""
        return self.resource.resolver is not None and self.resource.resolver(self.path + (key,), "exists") is not None

    def missing(self, key: str) -> None:
        """A required attribute is absent (anonymised or hand-trimmed inputs): say so, model the rest."""
        self.builder.diagnostic("warning", f"{_path_text(self.path + (key,))} is missing; this "
                                f"{'block' if self.path else self.resource.type} is not modelled", self.resource)

    def _resolve(self, key: str, kind: str) -> list[Any] | None:
        if self.resource.resolver is None:
            return None
        resolved = self.resource.resolver(self.path + (key,), kind)
        if resolved:
            for value in resolved:
                self._note_unknown(key, value)
        return resolved

    def _note_unknown(self, key: str, value: Any) -> None:
        if isinstance(value, Unknown) and value.reason != KNOWN_AFTER_APPLY:
            self.builder.diagnostic(
                "unknown", f"{_path_text(self.path + (key,))}: {value.reason}", self.resource)

    # ---------------------------------------------------------------- typed getters

    def text(self, key: str) -> str | Unknown | None:
        if self.is_unknown(key):
            resolved = self._resolve(key, "value")
            return _single(resolved, key) if resolved else Unknown(KNOWN_AFTER_APPLY)
        value = self.raw(key)
        if value is None or value == "":
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.problem(key, value, "a string")
            return None
        return str(value)

    def plain(self, key: str) -> str | None:
        """A descriptive string (name, description, type); None when unknown or absent."""
        value = self.text(key)
        return value if isinstance(value, str) else None

    def ref(self, key: str, optional_computed: bool = False) -> str | Unknown | None:
        """An attribute holding one resource id: the id, the referenced resource's id or address,
        or Unknown; None when absent.

        optional_computed: the provider fills the attribute in at apply when the configuration
        leaves it out (e.g. every target of aws_route), so unknown-and-unconfigured means absent.
        """
        value = self.raw(key)
        if self.is_unknown(key):
            # A plan leaves references unknown until apply; its configuration says what they name.
            resolved = self._resolve(key, "id")
            if resolved:
                return _single(resolved, key)
            return None if optional_computed and not self.configured(key) else Unknown(KNOWN_AFTER_APPLY)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.problem(key, value, "a resource id string")
            return None
        return value

    def refs(self, key: str) -> tuple[str | Unknown, ...]:
        """An attribute holding a list (or set) of resource ids."""
        value = self.raw(key)
        mark = self._mark(key)
        if mark is True:
            resolved = self._resolve(key, "ids")
            if resolved:
                return tuple(v for v in resolved if isinstance(v, (str, Unknown)))
            return (Unknown(KNOWN_AFTER_APPLY),) if mark is True else ()
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, value, "a list of resource ids")
            return ()
        known = [v for v in value if isinstance(v, str) and v]
        bad = [v for v in value if not isinstance(v, str)]
        for item in bad:
            self.problem(key, item, "a resource id string")
        if isinstance(mark, list) and any(m is True for m in mark):
            # Some elements are unknown: what the configuration refers to fills the gaps.
            resolved = [v for v in (self._resolve(key, "ids") or []) if v not in known]
            missing = sum(1 for m in mark if m is True)
            fill = resolved[:missing] + [Unknown(KNOWN_AFTER_APPLY)] * (missing - len(resolved[:missing]))
            return tuple(known) + tuple(fill)
        return tuple(known)

    def cidr(self, key: str, optional_computed: bool = False) -> IpNet | Unknown | None:
        if self.is_unknown(key):
            if optional_computed and not self.configured(key):
                return None
            resolved = self._resolve(key, "value")
            value = _single(resolved, key) if resolved else Unknown(KNOWN_AFTER_APPLY)
            return self._parse_cidr(key, value) if isinstance(value, str) else value
        value = self.raw(key)
        if value is None or value == "":
            return None
        return self._parse_cidr(key, value)

    def _parse_cidr(self, key: str, value: object) -> IpNet | None:
        try:
            return parse_cidr(value)
        except ValueProblem as problem:
            self.problem(key, value, problem.expected)
            return None

    def cidrs(self, key: str) -> tuple[IpNet | Unknown, ...]:
        value = self.raw(key)
        if self.is_unknown(key):
            return (Unknown(KNOWN_AFTER_APPLY),)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, value, "a list of CIDR blocks")
            return ()
        marks = self._mark(key)
        result: list[IpNet | Unknown] = []
        for item in value:
            parsed = self._parse_cidr(key, item)
            if parsed is not None:
                result.append(parsed)
        if isinstance(marks, list):
            result += [Unknown(KNOWN_AFTER_APPLY)] * sum(1 for m in marks if m is True)
        return tuple(result)

    def ip(self, key: str) -> str | Unknown | None:
        value = self.text(key)
        if isinstance(value, str):
            try:
                parse_ip(value)
            except ValueProblem as problem:
                self.problem(key, value, problem.expected)
                return None
        return value

    def ips(self, key: str, optional_computed: bool = False) -> tuple[str | Unknown, ...]:
        if self.is_unknown(key):
            if optional_computed and not self.configured(key):
                return ()
            return (Unknown(KNOWN_AFTER_APPLY),)
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, value, "a list of IP addresses")
            return ()
        result: list[str | Unknown] = []
        for item in value:
            try:
                parse_ip(item)
                result.append(item)
            except ValueProblem as problem:
                self.problem(key, item, problem.expected)
        marks = self._mark(key)
        if isinstance(marks, list):
            result += [Unknown(KNOWN_AFTER_APPLY)] * sum(1 for m in marks if m is True)
        return tuple(result)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw(key)
        if value is None or self.is_unknown(key):
            return default
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):  # flatmap-era states store booleans as strings
            return value == "true"
        self.problem(key, value, "true or false")
        return default

    def number(self, key: str, low: int, high: int, default: int | None = None) -> int | None:
        value = self.raw(key)
        if value is None or self.is_unknown(key):
            return default
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, value, f"an integer from {low} to {high}")
            return default
        return value

    def protocol(self, key: str) -> int | None:
        value = self.raw(key)
        if self.is_unknown(key):
            self.problem(key, "(known after apply)", "a protocol known at plan time")
            return None
        if value is None:
            self.missing(key)
            return None
        try:
            return parse_protocol(value)
        except ValueProblem as problem:
            self.problem(key, value, problem.expected)
            return None

    def tags(self) -> tuple[tuple[str, str], ...]:
        for key in ("tags_all", "tags"):
            value = self.raw(key)
            if isinstance(value, dict) and not self.is_unknown(key):
                return tuple(sorted((str(k), str(v)) for k, v in value.items() if v is not None))
        return ()

    def blocks(self, key: str) -> list["Attrs"]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, value, "a list of blocks")
            return []
        marks = self._mark(key)
        return [Attrs(self.resource, self.builder, item,
                      marks[i] if isinstance(marks, list) and i < len(marks) else None,
                      self.path + (key, i))
                for i, item in enumerate(value)]

    def account_region(self) -> tuple[str | None, str | None]:
        """From the ARN (arn:aws:ec2:REGION:ACCOUNT:...) or owner_id, when the input has them."""
        account = region = None
        arn = self.raw("arn")
        if isinstance(arn, str) and arn.startswith("arn:") and arn.count(":") >= 5:
            parts = arn.split(":")
            region, account = parts[3] or None, parts[4] or None
        owner = self.raw("owner_id")
        if isinstance(owner, str) and owner.isdigit():
            account = owner
        return account, region


def _single(resolved: list[Any], key: str) -> Any:
    distinct = list(dict.fromkeys(resolved))
    if len(distinct) == 1:
        value = distinct[0]
        return value if isinstance(value, (str, Unknown)) else str(value)
    return Unknown(f"{key} refers to one of several resources: " + ", ".join(map(str, distinct)))


# ------------------------------------------------------------------------------------- builder

@dataclass
class _Pending:
    """A resource that adds to another object once every object exists."""

    attrs: Attrs
    apply: Callable[[Attrs], None]


@dataclass
class NetworkBuilder:
    """Collects model objects as mutable keyword dicts, then freezes them into a Network."""

    file: str
    source_kind: str
    problems: ProblemCollector = field(default_factory=ProblemCollector)
    objects: dict[str, dict[str, dict]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unmodelled: Counter = field(default_factory=Counter)
    # aws_default_* resources, keyed by the id of the implied object they take over
    managed_defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    new_vpcs: set = field(default_factory=set)

    # ---------------------------------------------------------------- registry

    def put(self, collection: str, kwargs: dict) -> dict:
        self.objects.setdefault(collection, {})[kwargs["id"]] = kwargs
        return kwargs

    def canon(self, value: Any) -> Any:
        seen = 0
        while isinstance(value, str) and value in self.aliases and seen < 10:
            value, seen = self.aliases[value], seen + 1
        return value

    def find(self, collection: str, object_id: Any) -> dict | None:
        if not isinstance(object_id, str):
            return None
        return self.objects.get(collection, {}).get(self.canon(object_id))

    def owner(self, object_id: Any) -> tuple[str, dict] | tuple[None, None]:
        object_id = self.canon(object_id)
        for collection, items in self.objects.items():
            if isinstance(object_id, str) and object_id in items:
                return collection, items[object_id]
        return None, None

    def diagnostic(self, kind: str, message: str, resource: TfResource | None = None) -> None:
        where = resource.where if resource else self.file
        subject = resource.type if resource else ""
        self.diagnostics.append(Diagnostic(kind, message, where, subject))

    def target(self, attrs: Attrs, key: str, collection: str, what: str) -> dict | None:
        """The object an attribute such as route_table_id names, or an "unresolved" diagnostic."""
        object_id = attrs.ref(key)
        found = self.find(collection, object_id)
        if object_id is None:
            self.diagnostic("unresolved", f"no {key}; this {attrs.resource.type} is not modelled", attrs.resource)
        elif found is None:
            in_input = "the plan" if self.source_kind == "terraform-plan" else "the state"
            self.diagnostic("unresolved", f"{key} {object_id} is not a {what} in {in_input}; "
                            f"this {attrs.resource.type} is not modelled", attrs.resource)
        return found

    # ---------------------------------------------------------------- intake

    def add(self, resource: TfResource) -> None:
        handler = HANDLERS.get(resource.type)
        if handler is None:
            self.unmodelled[resource.type] += 1
            return
        attrs = Attrs(resource, self)
        resource_id = attrs.ref("id")
        attrs.id = resource_id if isinstance(resource_id, str) else resource.address  # type: ignore[attr-defined]
        handler(attrs, self)

    def later(self, attrs: Attrs, apply: Callable[[Attrs], None]) -> None:
        self.pending.append(_Pending(attrs, apply))

    def base(self, attrs: Attrs, **kwargs: Any) -> dict:
        account, region = attrs.account_region()
        return {"id": attrs.id, "origin": attrs.resource.origin, "tags": attrs.tags(),
                "account": account, "region": region, **kwargs}

    # ---------------------------------------------------------------- output

    def build(self) -> Network:
        self._add_implied_vpc_objects()
        for item in self.pending:
            item.apply(item.attrs)
        self._finish()
        self.problems.raise_if_any()
        self._report_unmodelled()
        return self._freeze()

    def _add_implied_vpc_objects(self) -> None:
        for vpc in list(self.objects.get("vpcs", {}).values()):
            _imply_main_route_table(self, vpc)
            _imply_default_network_acl(self, vpc)
            _imply_default_security_group(self, vpc)

    def _finish(self) -> None:
        vpcs = self.objects.get("vpcs", {})
        subnets = self.objects.get("subnets", {})
        for table in self.objects.get("route_tables", {}).values():
            _add_local_routes(table, vpcs.get(self.canon(table["vpc_id"])))
        for acl in self.objects.get("network_acls", {}).values():
            _add_final_denies(acl, vpcs.get(self.canon(acl["vpc_id"])))
        _default_acl_takes_the_rest(self)
        for collection in ("nat_gateways", "network_interfaces", "instances"):
            for item in self.objects.get(collection, {}).values():
                if item.get("vpc_id") is None and item.get("subnet_id") is not None:
                    subnet = subnets.get(self.canon(item["subnet_id"]))
                    item["vpc_id"] = subnet["vpc_id"] if subnet else None
        for peering in self.objects.get("peering_connections", {}).values():
            for side in ("requester", "accepter"):
                vpc = vpcs.get(self.canon(peering[side]["vpc_id"]))
                if vpc is not None:
                    peering[side].setdefault("cidrs_v4", tuple(vpc["cidrs_v4"]))
                    peering[side].setdefault("cidrs_v6", tuple(vpc["cidrs_v6"]))
        _apply_subnet_public_ip_defaults(self)
        _resolve_instance_group_names(self)
        _link_elastic_ips(self)
        _link_gateway_endpoint_routes(self)

    def _report_unmodelled(self) -> None:
        network_types = sorted(t for t in self.unmodelled if is_network_relevant(t))
        for rtype in network_types:
            count = self.unmodelled[rtype]
            self.diagnostics.append(Diagnostic(
                "unmodelled", f"{rtype}: {count} resource{'s' if count != 1 else ''} not modelled",
                self.file, rtype))
        others = sorted(t for t in self.unmodelled if not is_network_relevant(t))
        if others:
            listed = ", ".join(f"{t} ({self.unmodelled[t]})" for t in others)
            self.diagnostics.append(Diagnostic(
                "unmodelled", f"non-network resources not modelled: {listed}", self.file, "non-network"))

    def _freeze(self) -> Network:
        canon = self.canon
        built: dict[str, tuple] = {}
        for collection, (cls, convert) in FREEZERS.items():
            items = self.objects.get(collection, {}).values()
            built[collection] = tuple(sorted((convert(cls, dict(item), canon) for item in items),
                                             key=lambda r: r.id))
        return Network(**built, diagnostics=tuple(sorted(set(self.diagnostics))),
                       sources=(self.file,), source_kind=self.source_kind)


# ------------------------------------------------------------------------------------- freezing

def _canon_all(values: Any, canon: Callable[[Any], Any]) -> tuple:
    return tuple(dict.fromkeys(canon(v) for v in values))


def _freeze_plain(cls: type, item: dict, canon: Callable) -> Any:
    for key in ("vpc_id", "subnet_id", "transit_gateway_id", "instance_id", "eni_id"):
        if key in item and isinstance(item[key], str):
            item[key] = canon(item[key])
    for key in ("vpc_ids", "subnet_ids", "security_group_ids", "route_table_ids", "eni_ids",
                "associations", "propagations"):
        if key in item:
            item[key] = _canon_all(item[key], canon)
    for key in ("cidrs_v4", "cidrs_v6", "addresses", "public_ips", "private_ips", "ipv6_addresses",
                "propagating_vgws"):
        if key in item:
            item[key] = tuple(item[key])
    return cls(**{k: v for k, v in item.items() if not k.startswith("_")})


def _freeze_route_table(cls: type, item: dict, canon: Callable) -> RouteTable:
    item["routes"] = tuple(_dedupe(item["routes"], lambda r: (r.destination, r.target)))
    item["associations"] = tuple(
        RouteTableAssociation(kind=a.kind, subnet_id=canon(a.subnet_id), gateway_id=canon(a.gateway_id),
                              id=a.id, origin=a.origin)
        for a in item["associations"])
    return _freeze_plain(cls, item, canon)


def _rule_key(rule: SecurityGroupRule) -> tuple:
    return (rule.egress, rule.protocol, rule.ports, rule.icmp, rule.peer)


def _freeze_security_group(cls: type, item: dict, canon: Callable) -> SecurityGroup:
    def canon_peer(rule: SecurityGroupRule) -> SecurityGroupRule:
        if isinstance(rule.peer, GroupPeer) and isinstance(rule.peer.group_id, str):
            rule = _replace(rule, peer=GroupPeer(canon(rule.peer.group_id), rule.peer.account,
                                                 rule.peer.vpc_id, rule.peer.peering_status))
        return rule
    for direction in ("ingress", "egress"):
        # Inline rules and aws_security_group_rule resources describe the same AWS permissions
        # (a state's group lists the rules its separate rule resources added): one each.
        item[direction] = tuple(_merge_rule_copies([canon_peer(r) for r in item[direction]]))
    return _freeze_plain(cls, item, canon)


def _merge_rule_copies(rules: list[SecurityGroupRule]) -> list[SecurityGroupRule]:
    """One rule per AWS permission. When a group's state echoes a standalone rule resource, keep the
    echo's values (AWS filled in its rule id) but the standalone resource's origin: it is what a user
    edits, so findings point at it."""
    merged: dict = {}
    for rule in rules:
        key = _rule_key(rule)
        kept = merged.get(key)
        if kept is None:
            merged[key] = rule
        elif _is_standalone_rule(rule) and not _is_standalone_rule(kept):
            merged[key] = _replace(kept, origin=rule.origin)
    return list(merged.values())


def _is_standalone_rule(rule: SecurityGroupRule) -> bool:
    address = rule.origin.address or ""
    return ".aws_security_group_rule." in f".{address}" or ".aws_vpc_security_group_" in f".{address}"


def _freeze_network_acl(cls: type, item: dict, canon: Callable) -> NetworkAcl:
    entries = _dedupe(item["entries"], lambda e: (e.egress, e.rule_number, _family(e.cidr)))
    item["entries"] = tuple(sorted(entries, key=lambda e: (e.egress, e.rule_number, _family(e.cidr))))
    return _freeze_plain(cls, item, canon)


def _freeze_prefix_list(cls: type, item: dict, canon: Callable) -> PrefixList:
    item["entries"] = tuple(_dedupe(item["entries"], lambda e: e.cidr))
    return _freeze_plain(cls, item, canon)


def _freeze_tgw_route_table(cls: type, item: dict, canon: Callable) -> TransitGatewayRouteTable:
    item["routes"] = tuple(item["routes"])
    return _freeze_plain(cls, item, canon)


def _freeze_peering(cls: type, item: dict, canon: Callable) -> VpcPeeringConnection:
    for side in ("requester", "accepter"):
        values = dict(item[side])
        values["vpc_id"] = canon(values["vpc_id"])
        item[side] = PeeringSide(**values)
    return _freeze_plain(cls, item, canon)


def _family(cidr: Any) -> int:
    return cidr.version if isinstance(cidr, IpNet) else 0


def _dedupe(items: list, key: Callable) -> list:
    seen: dict = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def _replace(obj: Any, **changes: Any) -> Any:
    return replace(obj, **changes)


FREEZERS: dict[str, tuple[type, Callable]] = {
    "vpcs": (Vpc, _freeze_plain),
    "subnets": (Subnet, _freeze_plain),
    "route_tables": (RouteTable, _freeze_route_table),
    "internet_gateways": (InternetGateway, _freeze_plain),
    "egress_only_internet_gateways": (EgressOnlyInternetGateway, _freeze_plain),
    "nat_gateways": (NatGateway, _freeze_plain),
    "vpn_gateways": (VpnGateway, _freeze_plain),
    "security_groups": (SecurityGroup, _freeze_security_group),
    "network_acls": (NetworkAcl, _freeze_network_acl),
    "network_interfaces": (NetworkInterface, _freeze_plain),
    "instances": (Instance, _freeze_plain),
    "elastic_ips": (ElasticIp, _freeze_plain),
    "peering_connections": (VpcPeeringConnection, _freeze_peering),
    "prefix_lists": (PrefixList, _freeze_prefix_list),
    "transit_gateways": (TransitGateway, _freeze_plain),
    "transit_gateway_attachments": (TransitGatewayAttachment, _freeze_plain),
    "transit_gateway_route_tables": (TransitGatewayRouteTable, _freeze_tgw_route_table),
    "vpc_endpoints": (VpcEndpoint, _freeze_plain),
}


# ------------------------------------------------------------------------------------- relevance

NETWORK_PREFIXES = (
    "aws_vpc", "aws_default_", "aws_subnet", "aws_route", "aws_internet_gateway", "aws_egress_only",
    "aws_nat_gateway", "aws_eip", "aws_security_group", "aws_network", "aws_ec2_", "aws_instance",
    "aws_vpn", "aws_customer_gateway", "aws_dx_", "aws_lb", "aws_alb", "aws_elb", "aws_flow_log",
    "aws_networkfirewall", "aws_launch_", "aws_autoscaling_group", "aws_db_", "aws_rds_",
    "aws_elasticache", "aws_eks_", "aws_ecs_service", "aws_lambda_function", "aws_globalaccelerator",
    "aws_spot_", "aws_emr_cluster", "aws_redshift_", "aws_mq_broker", "aws_msk_", "aws_opensearch",
    "aws_elasticsearch", "aws_directory_service", "aws_transfer_server", "aws_api_gateway_vpc_link",
)


def is_network_relevant(resource_type: str) -> bool:
    """Resource types that can carry traffic or change reachability (named one by one when not modelled)."""
    return resource_type.startswith(NETWORK_PREFIXES)


# ------------------------------------------------------------------------------------- VPCs

def _vpc(a: Attrs, b: NetworkBuilder, is_default: bool = False) -> None:
    cidrs_v6: list = []
    ipv6 = a.cidr("ipv6_cidr_block")
    if ipv6 is not None and not (isinstance(ipv6, Unknown) and not _wants_ipv6(a)):
        cidrs_v6.append(ipv6)
    primary = a.cidr("cidr_block")
    vpc = b.put("vpcs", b.base(a, cidrs_v4=[primary] if primary is not None else [],
                               cidrs_v6=cidrs_v6, is_default=is_default))
    # Where AWS's implied objects get their ids: the VPC's own attribute, else derived from its id.
    # default_route_table_id is the table AWS created (main until aws_main_route_table_association moves it).
    sources = {"main-route-table": ("default_route_table_id", "main_route_table_id"),
               "default-network-acl": ("default_network_acl_id",),
               "default-security-group": ("default_security_group_id",)}
    implied = {}
    for what, attributes in sources.items():
        known = [v for v in (a.ref(attribute) for attribute in attributes) if isinstance(v, str)]
        implied[what] = known[0] if known else implied_id(a.id, what)
        if implied[what] != implied_id(a.id, what):
            b.aliases[implied_id(a.id, what)] = implied[what]
    vpc["_implied"] = implied
    b.aliases.setdefault(a.resource.address, a.id)


def _wants_ipv6(a: Attrs) -> bool:
    """An unknown ipv6_cidr_block is only a block when the VPC asks AWS (or IPAM) for one."""
    return a.flag("assign_generated_ipv6_cidr_block") or a.raw("ipv6_ipam_pool_id") not in (None, "")


def _vpc_cidr_association(a: Attrs, b: NetworkBuilder, key: str, family: str) -> None:
    def apply(a: Attrs) -> None:
        vpc = b.target(a, "vpc_id", "vpcs", "VPC")
        cidr = a.cidr(key)
        if vpc is not None and cidr is not None:
            vpc[family].append(cidr)
    b.later(a, apply)


def _subnet(a: Attrs, b: NetworkBuilder, is_default: bool = False) -> None:
    b.put("subnets", b.base(
        a, vpc_id=a.ref("vpc_id") or Unknown(KNOWN_AFTER_APPLY), availability_zone=a.text("availability_zone"),
        cidr_v4=a.cidr("cidr_block"), cidrs_v6=tuple(c for c in [a.cidr("ipv6_cidr_block", optional_computed=True)] if c is not None),
        map_public_ip_on_launch=a.flag("map_public_ip_on_launch", default=is_default),
        assign_ipv6_on_creation=a.flag("assign_ipv6_address_on_creation"), is_default=is_default))


# ------------------------------------------------------------------------------------- routing

ROUTE_DESTINATIONS = (("cidr_block", "destination_cidr_block"), ("ipv6_cidr_block", "destination_ipv6_cidr_block"))
ROUTE_TARGETS = (
    ("nat_gateway_id", "nat-gateway"), ("egress_only_gateway_id", "egress-only-internet-gateway"),
    ("transit_gateway_id", "transit-gateway"), ("vpc_peering_connection_id", "vpc-peering"),
    ("network_interface_id", "network-interface"), ("vpc_endpoint_id", "vpc-endpoint"),
    ("core_network_arn", "core-network"), ("carrier_gateway_id", "carrier-gateway"),
    ("local_gateway_id", "local-gateway"), ("instance_id", "instance"), ("gateway_id", "gateway"),
)
GATEWAY_PREFIXES = {"igw-": "internet-gateway", "vgw-": "vpn-gateway", "vpce-": "vpc-endpoint"}


def _route(a: Attrs, b: NetworkBuilder, inline: bool) -> Route | None:
    destination: Any = None
    for inline_key, resource_key in ROUTE_DESTINATIONS:
        destination = destination or a.cidr(inline_key if inline else resource_key)
    prefix_list = a.ref("destination_prefix_list_id")
    if destination is None and prefix_list is not None:
        destination = PrefixListRef(prefix_list)
    if destination is None:
        a.problem("destination_cidr_block" if not inline else "cidr_block", None,
                  "one of a destination IPv4 CIDR, IPv6 CIDR or prefix list")
        return None
    target = RouteTarget("unknown", Unknown("no route target"))
    for key, kind in ROUTE_TARGETS:
        value = a.ref(key, optional_computed=True)
        if value is not None:
            target = RouteTarget(kind, value)
            break
    # aws_route reads back the route's state: "blackhole" once its target is gone.
    state = a.plain("state") if not inline else None
    return Route(destination=destination, target=target, state=state if state in ("active", "blackhole") else "active",
                 origin=a.origin)


def _gateway_kind(b: NetworkBuilder, value: Any) -> str:
    """gateway_id names an internet gateway, a virtual private gateway, a gateway endpoint or `local`."""
    if value == "local":
        return "local"
    collection, _ = b.owner(value)
    by_collection = {"internet_gateways": "internet-gateway", "vpn_gateways": "vpn-gateway",
                     "vpc_endpoints": "vpc-endpoint"}
    if collection in by_collection:
        return by_collection[collection]
    if isinstance(value, str):
        for prefix, kind in GATEWAY_PREFIXES.items():
            if value.startswith(prefix):
                return kind
    return "unknown"


def _settle_target(b: NetworkBuilder, route: Route) -> Route:
    target = route.target
    if target.kind == "gateway":
        kind = _gateway_kind(b, target.id)
        target = RouteTarget(kind, None if kind == "local" else b.canon(target.id))
    elif isinstance(target.id, str):
        target = RouteTarget(target.kind, b.canon(target.id))
    return _replace(route, target=target)


def _route_table(a: Attrs, b: NetworkBuilder, managed_default: bool = False) -> None:
    vpc_id = a.ref("vpc_id")
    table = b.put("route_tables", b.base(
        a, vpc_id=vpc_id if vpc_id is not None else Unknown(KNOWN_AFTER_APPLY), routes=[], associations=[],
        propagating_vgws=[v for v in a.refs("propagating_vgws") if isinstance(v, str)]))
    if managed_default:
        # aws_default_route_table adopts the VPC's main route table and replaces its routes.
        default_id = a.ref("default_route_table_id")
        if isinstance(default_id, str) and default_id != a.id:
            b.aliases[default_id] = a.id
        table["_adopts"] = default_id
    routes = a.blocks("route")

    def apply(a: Attrs) -> None:
        for route_attrs in routes:
            route = _route(route_attrs, b, inline=True)
            if route is not None:
                table["routes"].append(_settle_target(b, route))
    b.later(a, apply)


def _route_resource(a: Attrs, b: NetworkBuilder) -> None:
    route = _route(a, b, inline=False)

    def apply(a: Attrs) -> None:
        table = b.target(a, "route_table_id", "route_tables", "route table")
        if table is not None and route is not None:
            table["routes"].append(_settle_target(b, route))
    b.later(a, apply)


def _route_table_association(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        table = b.target(a, "route_table_id", "route_tables", "route table")
        if table is None:
            return
        subnet_id, gateway_id = a.ref("subnet_id"), a.ref("gateway_id")
        kind = "gateway" if gateway_id is not None and subnet_id is None else "subnet"
        _drop_subnet_association(b, subnet_id)
        table["associations"].append(RouteTableAssociation(
            kind=kind, subnet_id=subnet_id if kind == "subnet" else None,
            gateway_id=gateway_id if kind == "gateway" else None, id=a.id, origin=a.resource.origin))
    b.later(a, apply)


def _drop_subnet_association(b: NetworkBuilder, subnet_id: Any) -> None:
    """A subnet has one route table: a later association replaces an earlier one."""
    if not isinstance(subnet_id, str):
        return
    for table in b.objects.get("route_tables", {}).values():
        table["associations"] = [x for x in table["associations"]
                                 if not (x.kind == "subnet" and b.canon(x.subnet_id) == b.canon(subnet_id))]


def _main_route_table_association(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        table = b.target(a, "route_table_id", "route_tables", "route table")
        vpc_id = b.canon(a.ref("vpc_id"))
        if table is None:
            return
        for other in b.objects.get("route_tables", {}).values():
            if b.canon(other["vpc_id"]) == vpc_id:
                other["associations"] = [x for x in other["associations"] if x.kind != "main"]
        table["associations"].append(RouteTableAssociation(kind="main", id=a.id, origin=a.resource.origin))
    b.later(a, apply)


def _imply_main_route_table(b: NetworkBuilder, vpc: dict) -> None:
    table_id = vpc["_implied"]["main-route-table"]
    main = RouteTableAssociation(kind="main", origin=vpc["origin"].implied("the VPC's main route table association"))
    adopted = b.find("route_tables", table_id)
    if adopted is None:
        adopted = next((t for t in b.objects.get("route_tables", {}).values()
                        if b.canon(t.get("_adopts")) == b.canon(table_id)), None)
        if adopted is not None:
            b.aliases[table_id] = adopted["id"]
    if adopted is not None:
        if isinstance(adopted["vpc_id"], Unknown):
            adopted["vpc_id"] = vpc["id"]
        if not any(x.kind == "main" for x in adopted["associations"]):
            adopted["associations"].append(main)
        return
    b.put("route_tables", {
        "id": table_id, "origin": vpc["origin"].implied("main route table AWS creates with the VPC"),
        "tags": (), "account": vpc["account"], "region": vpc["region"], "vpc_id": vpc["id"],
        "routes": [], "associations": [main], "propagating_vgws": []})


def _add_local_routes(table: dict, vpc: dict | None) -> None:
    if vpc is None:
        return
    present = {r.destination for r in table["routes"]}
    local = [Route(destination=cidr, target=RouteTarget("local"), origin_kind="CreateRouteTable",
                   origin=vpc["origin"].implied("local route for the VPC's CIDR block"))
             for cidr in [*vpc["cidrs_v4"], *vpc["cidrs_v6"]] if cidr not in present]
    table["routes"] = local + table["routes"]


# ------------------------------------------------------------------------------------- gateways

def _internet_gateway(a: Attrs, b: NetworkBuilder) -> None:
    vpc_id = a.ref("vpc_id")
    b.put("internet_gateways", b.base(a, vpc_ids=[vpc_id] if vpc_id is not None else []))


def _link(collection: str, target_key: str, what: str, value_key: str, list_key: str
          ) -> Callable[[Attrs, NetworkBuilder], None]:
    """A resource that only adds a reference to another one (an attachment or association): once every
    resource is read, append its `value_key` reference to the target's `list_key`."""
    def handler(a: Attrs, b: NetworkBuilder) -> None:
        def apply(a: Attrs) -> None:
            target = b.target(a, target_key, collection, what)
            value = a.ref(value_key)
            if target is not None and value is not None and value not in target[list_key]:
                target[list_key].append(value)
        b.later(a, apply)
    return handler


def _egress_only_gateway(a: Attrs, b: NetworkBuilder) -> None:
    vpc_id = a.ref("vpc_id")
    b.put("egress_only_internet_gateways", b.base(a, vpc_ids=[vpc_id] if vpc_id is not None else []))


def _vpn_gateway(a: Attrs, b: NetworkBuilder) -> None:
    vpc_id = a.ref("vpc_id")
    b.put("vpn_gateways", b.base(a, vpc_ids=[vpc_id] if vpc_id is not None else []))


def _nat_gateway(a: Attrs, b: NetworkBuilder) -> None:
    connectivity = a.plain("connectivity_type") or "public"
    if connectivity not in ("public", "private"):
        a.problem("connectivity_type", connectivity, "public or private")
    allocation = a.ref("allocation_id") if connectivity == "public" else None
    public_ip = a.ip("public_ip") if connectivity == "public" else None
    address = NatGatewayAddress(private_ip=a.ip("private_ip") or Unknown(KNOWN_AFTER_APPLY),
                                public_ip=public_ip, allocation_id=allocation,
                                eni_id=a.ref("network_interface_id") or Unknown(KNOWN_AFTER_APPLY))
    b.put("nat_gateways", b.base(a, subnet_id=a.ref("subnet_id") or Unknown(KNOWN_AFTER_APPLY), vpc_id=None,
                                 connectivity=connectivity, addresses=[address]))


def _eip(a: Attrs, b: NetworkBuilder) -> None:
    b.put("elastic_ips", b.base(
        a, public_ip=a.ip("public_ip") or Unknown(KNOWN_AFTER_APPLY),
        allocation_id=_known_or(a.ref("allocation_id"), a.id), association_id=a.ref("association_id"),
        eni_id=a.ref("network_interface"), instance_id=a.ref("instance"),
        private_ip=a.ip("private_ip") or a.ip("associate_with_private_ip")))


def _known_or(value: Any, fallback: Any) -> Any:
    return value if isinstance(value, str) else fallback


def _eip_association(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        allocation = a.ref("allocation_id")
        eip = next((e for e in b.objects.get("elastic_ips", {}).values()
                    if allocation is not None and allocation in (e["allocation_id"], e["id"])), None)
        if eip is None:
            b.target(a, "allocation_id", "elastic_ips", "Elastic IP")
            return
        eip["association_id"] = a.id
        eip["instance_id"] = a.ref("instance_id") or eip["instance_id"]
        eip["eni_id"] = a.ref("network_interface_id") or eip["eni_id"]
        eip["private_ip"] = a.ip("private_ip_address") or eip["private_ip"]
    b.later(a, apply)


# ------------------------------------------------------------------------------------- security groups

def _ports_and_icmp(a: Attrs, protocol: int, from_key: str, to_key: str) -> tuple[PortRange | None, IcmpMatch | None, bool]:
    """(ports, icmp, valid) for a protocol: ports for TCP/UDP, type/code for ICMP, nothing otherwise."""
    if protocol in PORTED_PROTOCOLS:
        low, high = a.number(from_key, 0, 65535, 0), a.number(to_key, 0, 65535, 65535)
        if low is None or high is None:
            return None, None, True
        if low > high:
            # Terraform plans this, but AWS rejects the rule at apply: it never exists.
            a.builder.diagnostic("warning", f"{_path_text(a.path)}: from_port {low} is above to_port {high}; "
                                 "AWS rejects this rule, so it is not modelled".lstrip(": "), a.resource)
            return None, None, False
        return PortRange(low, high), None, True
    if protocol in ICMP_PROTOCOLS:
        icmp_type, icmp_code = a.number(from_key, -1, 255, -1), a.number(to_key, -1, 255, -1)
        # AWS matches nothing for a specific code under "any type".
        return None, IcmpMatch(icmp_type, icmp_code), not (icmp_type == -1 and icmp_code != -1)
    return None, None, True


def _sg_rules(a: Attrs, b: NetworkBuilder, group_id: str, egress: bool, protocol_key: str = "protocol") -> list:
    protocol = a.protocol(protocol_key)
    if protocol is None:
        return []
    ports, icmp, valid = _ports_and_icmp(a, protocol, "from_port", "to_port")
    peers: list = []
    peers += [CidrPeer(c) for c in a.cidrs("cidr_blocks")]
    peers += [CidrPeer(c) for c in a.cidrs("ipv6_cidr_blocks")]
    peers += [PrefixListRef(p) for p in a.refs("prefix_list_ids")]
    peers += [GroupPeer(g) for g in a.refs("security_groups")]
    source = a.ref("source_security_group_id")
    if source is not None:
        peers.append(GroupPeer(source))
    if a.flag("self"):
        peers.append(GroupPeer(group_id))
    description = a.plain("description") or None
    return [SecurityGroupRule(egress=egress, protocol=protocol, ports=ports, icmp=icmp, peer=peer,
                              description=description, valid=valid, origin=a.origin) for peer in peers]


def _security_group(a: Attrs, b: NetworkBuilder, managed_default: bool = False) -> None:
    vpc_id = a.ref("vpc_id")
    group = b.put("security_groups", b.base(
        a, vpc_id=vpc_id, group_name="default" if managed_default else (a.text("name") or Unknown(KNOWN_AFTER_APPLY)),
        description=a.plain("description"), ingress=[], egress=[]))
    if managed_default:
        group["_adopts_for_vpc"] = vpc_id
    for egress in (False, True):
        key = "egress" if egress else "ingress"
        if a.is_unknown(key):
            b.diagnostic("unknown", f"{key} rules are known after apply", a.resource)
        for block in a.blocks(key):
            group[key] += _sg_rules(block, b, a.id, egress)


def _security_group_rule(a: Attrs, b: NetworkBuilder) -> None:
    kind = a.plain("type")
    if kind is None and a.raw("type") is None:
        a.missing("type")
        return
    if kind not in ("ingress", "egress"):
        a.problem("type", a.raw("type"), "ingress or egress")
        return

    # Read (and check) the rule now; attach it once every group exists.
    rules = _sg_rules(a, b, a.ref("security_group_id"), kind == "egress")

    def apply(a: Attrs) -> None:
        group = b.target(a, "security_group_id", "security_groups", "security group")
        if group is not None:
            group[kind] += rules
    b.later(a, apply)


def _vpc_security_group_rule(egress: bool) -> Callable[[Attrs, NetworkBuilder], None]:
    """aws_vpc_security_group_ingress_rule / _egress_rule: one peer per resource."""
    def handler(a: Attrs, b: NetworkBuilder) -> None:
        rule = _one_peer_rule(a, egress)

        def apply(a: Attrs) -> None:
            group = b.target(a, "security_group_id", "security_groups", "security group")
            if group is not None and rule is not None:
                group["egress" if egress else "ingress"].append(rule)
        b.later(a, apply)
    return handler


def _one_peer_rule(a: Attrs, egress: bool) -> SecurityGroupRule | None:
    protocol = a.protocol("ip_protocol")
    if protocol is None:
        return None
    ports, icmp, valid = _ports_and_icmp(a, protocol, "from_port", "to_port")
    peer: Any = None
    for key in ("cidr_ipv4", "cidr_ipv6"):
        cidr = a.cidr(key)
        peer = peer or (CidrPeer(cidr) if cidr is not None else None)
    if peer is None and a.ref("referenced_security_group_id") is not None:
        peer = GroupPeer(a.ref("referenced_security_group_id"))
    if peer is None and a.ref("prefix_list_id") is not None:
        peer = PrefixListRef(a.ref("prefix_list_id"))
    if peer is None:
        a.problem("cidr_ipv4", None, "one of cidr_ipv4, cidr_ipv6, prefix_list_id or referenced_security_group_id")
        return None
    return SecurityGroupRule(egress=egress, protocol=protocol, ports=ports, icmp=icmp, peer=peer,
                             description=a.plain("description") or None, rule_id=a.plain("security_group_rule_id"),
                             valid=valid, origin=a.resource.origin)


def _imply_default_security_group(b: NetworkBuilder, vpc: dict) -> None:
    group_id = vpc["_implied"]["default-security-group"]
    adopted = b.find("security_groups", group_id) or next(
        (g for g in b.objects.get("security_groups", {}).values()
         if "_adopts_for_vpc" in g and b.canon(g["_adopts_for_vpc"]) == vpc["id"]), None)
    if adopted is not None:
        # aws_default_security_group removes AWS's default rules and keeps only what it declares.
        if adopted["id"] != group_id:
            b.aliases[group_id] = adopted["id"]
        adopted["group_name"] = "default"
        return
    origin = vpc["origin"].implied("default security group AWS creates with the VPC")
    b.put("security_groups", {
        "id": group_id, "origin": origin, "tags": (), "account": vpc["account"], "region": vpc["region"],
        "vpc_id": vpc["id"], "group_name": "default", "description": "default VPC security group",
        "ingress": [SecurityGroupRule(egress=False, protocol=ALL_PROTOCOLS, peer=GroupPeer(group_id), origin=origin)],
        "egress": [SecurityGroupRule(egress=True, protocol=ALL_PROTOCOLS, peer=CidrPeer(parse_cidr("0.0.0.0/0")),
                                     origin=origin)]})


# ------------------------------------------------------------------------------------- network ACLs

def _nacl_entry(a: Attrs, egress: bool, inline: bool) -> NetworkAclEntry | None:
    number = a.number("rule_no" if inline else "rule_number", 1, 32766)
    action = a.plain("action" if inline else "rule_action")
    if action not in ("allow", "deny"):
        a.problem("action" if inline else "rule_action", a.raw("action" if inline else "rule_action"), "allow or deny")
        return None
    protocol = a.protocol("protocol")
    cidr = a.cidr("cidr_block") or a.cidr("ipv6_cidr_block")
    if cidr is None:
        a.problem("cidr_block", None, "a cidr_block or an ipv6_cidr_block")
    if number is None or protocol is None or cidr is None:
        return None
    if protocol in ICMP_PROTOCOLS:
        icmp = IcmpMatch(a.number("icmp_type", -1, 255, -1), a.number("icmp_code", -1, 255, -1))
        ports = None
    else:
        ports, icmp, _ = _ports_and_icmp(a, protocol, "from_port", "to_port")
    return NetworkAclEntry(rule_number=number, egress=egress, allow=action == "allow", protocol=protocol,
                           cidr=cidr, ports=ports, icmp=icmp, origin=a.origin)


def _network_acl(a: Attrs, b: NetworkBuilder, managed_default: bool = False) -> None:
    vpc_id = a.ref("vpc_id")
    acl = b.put("network_acls", b.base(a, vpc_id=vpc_id if vpc_id is not None else Unknown(KNOWN_AFTER_APPLY),
                                       is_default=managed_default, entries=[], subnet_ids=[]))
    if managed_default:
        # aws_default_network_acl adopts the VPC's default NACL and keeps only what it declares.
        default_id = a.ref("default_network_acl_id")
        if isinstance(default_id, str) and default_id != a.id:
            b.aliases[default_id] = a.id
        acl["_adopts"] = default_id
    for egress in (False, True):
        for block in a.blocks("egress" if egress else "ingress"):
            entry = _nacl_entry(block, egress, inline=True)
            if entry is not None:
                acl["entries"].append(entry)
    subnet_ids = a.refs("subnet_ids")

    def apply(a: Attrs) -> None:
        for subnet_id in subnet_ids:
            _associate_subnet_acl(b, acl, subnet_id)
    b.later(a, apply)


def _associate_subnet_acl(b: NetworkBuilder, acl: dict, subnet_id: Any) -> None:
    """A subnet is in exactly one NACL: associating it elsewhere moves it."""
    for other in b.objects.get("network_acls", {}).values():
        other["subnet_ids"] = [s for s in other["subnet_ids"] if b.canon(s) != b.canon(subnet_id) or other is acl]
    if subnet_id not in acl["subnet_ids"]:
        acl["subnet_ids"].append(subnet_id)


def _network_acl_rule(a: Attrs, b: NetworkBuilder) -> None:
    entry = _nacl_entry(a, a.flag("egress"), inline=False)

    def apply(a: Attrs) -> None:
        acl = b.target(a, "network_acl_id", "network_acls", "network ACL")
        if acl is not None and entry is not None:
            acl["entries"].append(_replace(entry, origin=a.resource.origin))
    b.later(a, apply)


def _network_acl_association(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        acl = b.target(a, "network_acl_id", "network_acls", "network ACL")
        subnet_id = a.ref("subnet_id")
        if acl is not None and subnet_id is not None:
            _associate_subnet_acl(b, acl, subnet_id)
    b.later(a, apply)


def _imply_default_network_acl(b: NetworkBuilder, vpc: dict) -> None:
    acl_id = vpc["_implied"]["default-network-acl"]
    adopted = b.find("network_acls", acl_id) or next(
        (x for x in b.objects.get("network_acls", {}).values()
         if x.get("_adopts") is not None and b.canon(x["_adopts"]) == b.canon(acl_id)), None)
    if adopted is not None:
        if adopted["id"] != acl_id:
            b.aliases[acl_id] = adopted["id"]
        adopted["is_default"] = True
        if isinstance(adopted["vpc_id"], Unknown):
            adopted["vpc_id"] = vpc["id"]
        return
    origin = vpc["origin"].implied("default network ACL AWS creates with the VPC")
    entries = []
    families = [(100, "0.0.0.0/0")] + ([(101, "::/0")] if vpc["cidrs_v6"] else [])
    for egress in (False, True):
        for number, cidr in families:
            entries.append(NetworkAclEntry(rule_number=number, egress=egress, allow=True, protocol=ALL_PROTOCOLS,
                                           cidr=parse_cidr(cidr), origin=origin))
    b.put("network_acls", {"id": acl_id, "origin": origin, "tags": (), "account": vpc["account"],
                           "region": vpc["region"], "vpc_id": vpc["id"], "is_default": True,
                           "entries": entries, "subnet_ids": []})


# The final `*` deny: AWS numbers the IPv4 one 32767 and the IPv6 one 32768 (as describe-network-acls shows).
FINAL_DENIES = (("0.0.0.0/0", 32767), ("::/0", 32768))


def _add_final_denies(acl: dict, vpc: dict | None) -> None:
    """Every NACL ends with a `*` deny per direction, for IPv4 and, in a VPC with IPv6, IPv6."""
    origin = (vpc or acl)["origin"].implied("the final deny every network ACL ends with")
    families = FINAL_DENIES if vpc is not None and vpc["cidrs_v6"] else FINAL_DENIES[:1]
    for egress in (False, True):
        for cidr, number in families:
            acl["entries"].append(NetworkAclEntry(rule_number=number, egress=egress, allow=False,
                                                  protocol=ALL_PROTOCOLS, cidr=parse_cidr(cidr), origin=origin))


def _default_acl_takes_the_rest(b: NetworkBuilder) -> None:
    """AWS associates every subnet that no other NACL claims with its VPC's default NACL."""
    acls = b.objects.get("network_acls", {}).values()
    claimed = {b.canon(s) for acl in acls if not acl["is_default"] for s in acl["subnet_ids"]}
    for acl in acls:
        if not acl["is_default"]:
            continue
        for subnet in b.objects.get("subnets", {}).values():
            if b.canon(subnet["vpc_id"]) == b.canon(acl["vpc_id"]) and subnet["id"] not in claimed \
                    and subnet["id"] not in acl["subnet_ids"]:
                acl["subnet_ids"].append(subnet["id"])


# ------------------------------------------------------------------------------------- peering, prefix lists

def _peering(a: Attrs, b: NetworkBuilder) -> None:
    account, region = a.account_region()
    status = a.plain("accept_status")
    if status is None:
        # Unknown until apply: auto_accept accepts a same-account, same-region request at once.
        status = "active" if a.flag("auto_accept") else "pending-acceptance"
    b.put("peering_connections", b.base(
        a, requester={"vpc_id": a.ref("vpc_id") or Unknown(KNOWN_AFTER_APPLY), "account": account, "region": region},
        accepter={"vpc_id": a.ref("peer_vpc_id") or Unknown(KNOWN_AFTER_APPLY),
                  "account": a.plain("peer_owner_id") or account, "region": a.plain("peer_region") or region},
        status=status))


def _peering_accepter(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        peering = b.target(a, "vpc_peering_connection_id", "peering_connections", "VPC peering connection")
        if peering is None:
            return
        status = a.plain("accept_status")
        if status is None and a.flag("auto_accept"):
            status = "active"
        if status is not None:
            peering["status"] = status
    b.later(a, apply)


def _prefix_list(a: Attrs, b: NetworkBuilder) -> None:
    b.put("prefix_lists", b.base(
        a, list_name=a.plain("name"), address_family=a.plain("address_family"),
        max_entries=a.number("max_entries", 1, 1000),
        entries=[PrefixListEntry(cidr=e.cidr("cidr") or Unknown(KNOWN_AFTER_APPLY),
                                 description=e.plain("description")) for e in a.blocks("entry")]))


def _prefix_list_entry(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        plist = b.target(a, "prefix_list_id", "prefix_lists", "managed prefix list")
        cidr = a.cidr("cidr")
        if plist is not None and cidr is not None:
            plist["entries"].append(PrefixListEntry(cidr=cidr, description=a.plain("description")))
    b.later(a, apply)


# ------------------------------------------------------------------------------------- instances, interfaces

def _instance(a: Attrs, b: NetworkBuilder) -> None:
    groups = _instance_groups(a)
    interfaces = a.blocks("network_interface")
    eni_ids: list = []
    if interfaces:
        ordered = sorted(interfaces, key=lambda n: n.number("device_index", 0, 64, 0) or 0)
        eni_ids = [n.ref("network_interface_id") or Unknown(KNOWN_AFTER_APPLY) for n in ordered]
    else:
        eni_ids = [_instance_primary_eni(a, b, groups)]
    state = a.plain("instance_state") or "running"
    instance = b.put("instances", b.base(a, state=state, subnet_id=a.ref("subnet_id"), vpc_id=None, eni_ids=eni_ids,
                              private_ip=a.ip("private_ip") or Unknown(KNOWN_AFTER_APPLY),
                              public_ip=_instance_public_ip(a), security_group_ids=list(groups)))
    instance["_public_from_subnet"] = _public_ip_from_subnet(a)

    def apply(a: Attrs) -> None:
        for index, eni_id in enumerate(eni_ids):
            eni = b.find("network_interfaces", eni_id)
            if eni is not None:
                eni["instance_id"], eni["device_index"] = a.id, index
    if interfaces:
        b.later(a, apply)


def _instance_groups(a: Attrs) -> tuple:
    """vpc_security_group_ids, else security_groups (ids, references, or group names in the default VPC)."""
    by_id = a.refs("vpc_security_group_ids")
    named = tuple(g if isinstance(g, Unknown) or g.startswith("sg-") or "." in g else f"name:{g}"
                  for g in a.refs("security_groups"))
    if any(isinstance(g, str) for g in by_id) or not named:
        return by_id
    return named


def _instance_public_ip(a: Attrs) -> str | Unknown | None:
    """A public IPv4 exists when the instance asks for one (or its subnet assigns one at launch)."""
    if not a.is_unknown("public_ip"):
        return a.ip("public_ip")
    if a.raw("associate_public_ip_address") is True:
        return Unknown(KNOWN_AFTER_APPLY)
    return None  # associate_public_ip_address false, or unknown and left to the subnet


def _public_ip_from_subnet(a: Attrs) -> bool:
    """associate_public_ip_address unknown at plan time: the subnet's map_public_ip_on_launch decides."""
    return a.is_unknown("public_ip") and a.raw("associate_public_ip_address") is None


def _instance_primary_eni(a: Attrs, b: NetworkBuilder, groups: tuple) -> str:
    eni_id = a.ref("primary_network_interface_id")
    if not isinstance(eni_id, str):
        eni_id = f"{a.id}#primary-network-interface"
    private_ip = a.ip("private_ip") or Unknown(KNOWN_AFTER_APPLY)
    public_ip = _instance_public_ip(a)
    public = [PublicIp(address=public_ip, private_ip=private_ip, kind="auto")] if public_ip is not None else []
    secondary = list(a.ips("secondary_private_ips", optional_computed=True))
    b.put("network_interfaces", {
        "id": eni_id, "origin": a.resource.origin.implied("the instance's primary network interface"),
        "tags": (), "account": a.account_region()[0], "region": a.account_region()[1],
        "subnet_id": a.ref("subnet_id") or Unknown(KNOWN_AFTER_APPLY), "vpc_id": None,
        "private_ips": [private_ip, *secondary], "public_ips": public,
        "ipv6_addresses": list(a.ips("ipv6_addresses", optional_computed=not a.raw("ipv6_address_count"))),
        "security_group_ids": list(groups), "source_dest_check": a.flag("source_dest_check", True),
        "instance_id": a.id, "device_index": 0, "description": None})
    return eni_id


def _network_interface(a: Attrs, b: NetworkBuilder) -> None:
    private_ips = list(a.ips("private_ips", optional_computed=True)) or [a.ip("private_ip") or Unknown(KNOWN_AFTER_APPLY)]
    primary = a.ip("private_ip")
    if isinstance(primary, str) and primary in private_ips:
        private_ips.remove(primary)
        private_ips.insert(0, primary)
    attachments = a.blocks("attachment")
    instance_id = attachments[0].ref("instance") if attachments else None
    device = attachments[0].number("device_index", 0, 64) if attachments else None
    b.put("network_interfaces", b.base(
        a, subnet_id=a.ref("subnet_id") or Unknown(KNOWN_AFTER_APPLY), vpc_id=None, private_ips=private_ips,
        public_ips=[], ipv6_addresses=list(a.ips("ipv6_addresses", optional_computed=not a.raw("ipv6_address_count"))), security_group_ids=list(a.refs("security_groups")),
        source_dest_check=a.flag("source_dest_check", True), interface_type=a.plain("interface_type") or "interface",
        instance_id=instance_id, device_index=device, description=a.plain("description"),
        status="in-use" if instance_id is not None else "available"))


def _network_interface_attachment(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        eni = b.target(a, "network_interface_id", "network_interfaces", "network interface")
        if eni is None:
            return
        eni["instance_id"], eni["status"] = a.ref("instance_id"), "in-use"
        eni["device_index"] = a.number("device_index", 0, 64)
        instance = b.find("instances", eni["instance_id"])
        if instance is not None and eni["id"] not in instance["eni_ids"]:
            instance["eni_ids"].append(eni["id"])
    b.later(a, apply)


def _apply_subnet_public_ip_defaults(b: NetworkBuilder) -> None:
    """An instance that does not say gets a public IPv4 when its subnet maps one on launch."""
    for instance in b.objects.get("instances", {}).values():
        subnet = b.find("subnets", instance["subnet_id"])
        if not instance.get("_public_from_subnet"):
            continue
        if subnet is None:
            instance["public_ip"] = Unknown("known after apply (depends on a subnet that is not in the plan)")
        elif not subnet["map_public_ip_on_launch"]:
            continue
        else:
            instance["public_ip"] = Unknown(KNOWN_AFTER_APPLY)
        eni = b.find("network_interfaces", instance["eni_ids"][0]) if instance["eni_ids"] else None
        if eni is not None and not eni["public_ips"]:
            private_ip = eni["private_ips"][0] if eni["private_ips"] else Unknown(KNOWN_AFTER_APPLY)
            eni["public_ips"] = [PublicIp(address=instance["public_ip"], private_ip=private_ip, kind="auto")]


def _resolve_instance_group_names(b: NetworkBuilder) -> None:
    """EC2-classic style `security_groups = ["default"]` names a group in the instance's VPC."""
    groups = b.objects.get("security_groups", {}).values()
    for collection in ("instances", "network_interfaces"):
        for item in b.objects.get(collection, {}).values():
            resolved = []
            for group in item["security_group_ids"]:
                if isinstance(group, str) and group.startswith("name:"):
                    name = group[len("name:"):]
                    matches = [g["id"] for g in groups if g["group_name"] == name
                               and (item.get("vpc_id") is None or b.canon(g["vpc_id"]) == b.canon(item.get("vpc_id")))]
                    group = matches[0] if len(matches) == 1 else Unknown(f"security group named {name!r} is not in the input")
                resolved.append(group)
            item["security_group_ids"] = resolved


def _link_elastic_ips(b: NetworkBuilder) -> None:
    """An Elastic IP associated with an instance or interface is that interface's public address;
    a NAT gateway's allocation gives it the Elastic IP's address."""
    eips = list(b.objects.get("elastic_ips", {}).values())
    for nat in b.objects.get("nat_gateways", {}).values():
        for i, address in enumerate(nat["addresses"]):
            eip = next((e for e in eips if address.allocation_id is not None
                        and b.canon(address.allocation_id) in (e["allocation_id"], e["id"])), None)
            if eip is not None and not isinstance(address.public_ip, str):
                nat["addresses"][i] = _replace(address, public_ip=eip["public_ip"], allocation_id=eip["allocation_id"])
    for eip in eips:
        eni = b.find("network_interfaces", eip["eni_id"])
        instance = b.find("instances", eip["instance_id"])
        if eni is None and instance is not None and instance["eni_ids"]:
            eni = b.find("network_interfaces", instance["eni_ids"][0])
        if eni is None:
            continue
        private_ip = eip["private_ip"] or (eni["private_ips"][0] if eni["private_ips"] else Unknown(KNOWN_AFTER_APPLY))
        # The Elastic IP replaces an auto-assigned public address on the same private address.
        eni["public_ips"] = [p for p in eni["public_ips"] if p.private_ip != private_ip]
        eni["public_ips"].append(PublicIp(address=eip["public_ip"], private_ip=private_ip, kind="eip",
                                          allocation_id=eip["allocation_id"]))
        eip["eni_id"], eip["private_ip"] = eni["id"], private_ip


# ------------------------------------------------------------------------------------- transit gateways, endpoints

def _transit_gateway(a: Attrs, b: NetworkBuilder) -> None:
    association = a.ref("association_default_route_table_id")
    propagation = a.ref("propagation_default_route_table_id")
    tgw = b.put("transit_gateways", b.base(
        a, asn=a.number("amazon_side_asn", 1, 4294967295),
        default_association_route_table_id=association if isinstance(association, str) else None,
        default_propagation_route_table_id=propagation if isinstance(propagation, str) else None))
    if a.plain("default_route_table_association") != "disable" or a.plain("default_route_table_propagation") != "disable":
        table_id = association if isinstance(association, str) else f"{a.id}#default-route-table"
        tgw["default_association_route_table_id"] = tgw["default_association_route_table_id"] or table_id
        tgw["default_propagation_route_table_id"] = tgw["default_propagation_route_table_id"] or table_id
        if b.find("transit_gateway_route_tables", table_id) is None:
            b.put("transit_gateway_route_tables", {
                "id": table_id, "origin": a.resource.origin.implied("default route table AWS creates with the transit gateway"),
                "tags": (), "account": tgw["account"], "region": tgw["region"], "transit_gateway_id": a.id,
                "routes": [], "associations": [], "propagations": [],
                "is_default_association": a.plain("default_route_table_association") != "disable",
                "is_default_propagation": a.plain("default_route_table_propagation") != "disable"})


def _tgw_vpc_attachment(a: Attrs, b: NetworkBuilder) -> None:
    tgw_id = a.ref("transit_gateway_id") or Unknown(KNOWN_AFTER_APPLY)
    b.put("transit_gateway_attachments", b.base(
        a, transit_gateway_id=tgw_id, resource_type="vpc", resource_id=a.ref("vpc_id"),
        subnet_ids=list(a.refs("subnet_ids"))))

    def apply(a: Attrs) -> None:
        tgw = b.find("transit_gateways", tgw_id)
        if tgw is None:
            return
        for flag, table_key, list_key in (
                ("transit_gateway_default_route_table_association", "default_association_route_table_id", "associations"),
                ("transit_gateway_default_route_table_propagation", "default_propagation_route_table_id", "propagations")):
            table = b.find("transit_gateway_route_tables", tgw[table_key])
            if a.flag(flag, True) and table is not None and a.id not in table[list_key]:
                table[list_key].append(a.id)
    b.later(a, apply)


def _tgw_route_table(a: Attrs, b: NetworkBuilder) -> None:
    b.put("transit_gateway_route_tables", b.base(
        a, transit_gateway_id=a.ref("transit_gateway_id") or Unknown(KNOWN_AFTER_APPLY),
        routes=[], associations=[], propagations=[]))


def _tgw_route(a: Attrs, b: NetworkBuilder) -> None:
    def apply(a: Attrs) -> None:
        table = b.target(a, "transit_gateway_route_table_id", "transit_gateway_route_tables", "transit gateway route table")
        cidr = a.cidr("destination_cidr_block")
        if table is None or cidr is None:
            return
        blackhole = a.flag("blackhole")
        attachment = a.ref("transit_gateway_attachment_id")
        table["routes"].append(TransitGatewayRoute(
            destination=cidr, attachment_ids=(attachment,) if isinstance(attachment, str) and not blackhole else (),
            state="blackhole" if blackhole else "active", origin=a.resource.origin))
    b.later(a, apply)


def _tgw_table_link(list_key: str) -> Callable[[Attrs, NetworkBuilder], None]:
    def handler(a: Attrs, b: NetworkBuilder) -> None:
        def apply(a: Attrs) -> None:
            table = b.target(a, "transit_gateway_route_table_id", "transit_gateway_route_tables",
                             "transit gateway route table")
            attachment = a.ref("transit_gateway_attachment_id")
            if table is not None and isinstance(attachment, str) and attachment not in table[list_key]:
                table[list_key].append(attachment)
        b.later(a, apply)
    return handler


def _vpc_endpoint(a: Attrs, b: NetworkBuilder) -> None:
    endpoint_type = a.plain("vpc_endpoint_type") or "Gateway"
    endpoint = b.put("vpc_endpoints", b.base(
        a, vpc_id=a.ref("vpc_id") or Unknown(KNOWN_AFTER_APPLY), endpoint_type=endpoint_type,
        service_name=a.plain("service_name"), route_table_ids=list(a.refs("route_table_ids")),
        subnet_ids=list(a.refs("subnet_ids")), eni_ids=list(a.refs("network_interface_ids")),
        security_group_ids=list(a.refs("security_group_ids"))))
    endpoint["_prefix_list"] = a.ref("prefix_list_id") if endpoint_type == "Gateway" else None


def _link_gateway_endpoint_routes(b: NetworkBuilder) -> None:
    """A gateway endpoint adds a route for its service's prefix list to each of its route tables."""
    for endpoint in b.objects.get("vpc_endpoints", {}).values():
        if endpoint["endpoint_type"] != "Gateway":
            continue
        for table_id in endpoint["route_table_ids"]:
            table = b.find("route_tables", table_id)
            if table is None:
                continue
            table["routes"].append(Route(
                destination=PrefixListRef(endpoint["_prefix_list"] or Unknown(KNOWN_AFTER_APPLY)),
                target=RouteTarget("vpc-endpoint", endpoint["id"]),
                origin=endpoint["origin"].implied("route AWS adds for the gateway endpoint")))


# ------------------------------------------------------------------------------------- dispatch

HANDLERS: dict[str, Callable[[Attrs, NetworkBuilder], None]] = {
    "aws_vpc": _vpc,
    "aws_default_vpc": lambda a, b: _vpc(a, b, is_default=True),
    "aws_vpc_ipv4_cidr_block_association": lambda a, b: _vpc_cidr_association(a, b, "cidr_block", "cidrs_v4"),
    "aws_vpc_ipv6_cidr_block_association": lambda a, b: _vpc_cidr_association(a, b, "ipv6_cidr_block", "cidrs_v6"),
    "aws_subnet": _subnet,
    "aws_default_subnet": lambda a, b: _subnet(a, b, is_default=True),
    "aws_route_table": _route_table,
    "aws_default_route_table": lambda a, b: _route_table(a, b, managed_default=True),
    "aws_route": _route_resource,
    "aws_route_table_association": _route_table_association,
    "aws_main_route_table_association": _main_route_table_association,
    "aws_internet_gateway": _internet_gateway,
    "aws_internet_gateway_attachment": _link("internet_gateways", "internet_gateway_id", "internet gateway",
                                             "vpc_id", "vpc_ids"),
    "aws_egress_only_internet_gateway": _egress_only_gateway,
    "aws_nat_gateway": _nat_gateway,
    "aws_eip": _eip,
    "aws_eip_association": _eip_association,
    "aws_security_group": _security_group,
    "aws_default_security_group": lambda a, b: _security_group(a, b, managed_default=True),
    "aws_security_group_rule": _security_group_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_security_group_rule(egress=False),
    "aws_vpc_security_group_egress_rule": _vpc_security_group_rule(egress=True),
    "aws_network_acl": _network_acl,
    "aws_default_network_acl": lambda a, b: _network_acl(a, b, managed_default=True),
    "aws_network_acl_rule": _network_acl_rule,
    "aws_network_acl_association": _network_acl_association,
    "aws_vpc_peering_connection": _peering,
    "aws_vpc_peering_connection_accepter": _peering_accepter,
    "aws_ec2_managed_prefix_list": _prefix_list,
    "aws_ec2_managed_prefix_list_entry": _prefix_list_entry,
    "aws_instance": _instance,
    "aws_network_interface": _network_interface,
    "aws_network_interface_attachment": _network_interface_attachment,
    "aws_network_interface_sg_attachment": _link("network_interfaces", "network_interface_id", "network interface",
                                                 "security_group_id", "security_group_ids"),
    "aws_vpn_gateway": _vpn_gateway,
    "aws_vpn_gateway_attachment": _link("vpn_gateways", "vpn_gateway_id", "virtual private gateway", "vpc_id", "vpc_ids"),
    "aws_ec2_transit_gateway": _transit_gateway,
    "aws_ec2_transit_gateway_vpc_attachment": _tgw_vpc_attachment,
    "aws_ec2_transit_gateway_route_table": _tgw_route_table,
    "aws_ec2_transit_gateway_route": _tgw_route,
    "aws_ec2_transit_gateway_route_table_association": _tgw_table_link("associations"),
    "aws_ec2_transit_gateway_route_table_propagation": _tgw_table_link("propagations"),
    "aws_vpc_endpoint": _vpc_endpoint,
    "aws_vpc_endpoint_route_table_association": _link("vpc_endpoints", "vpc_endpoint_id", "VPC endpoint",
                                                      "route_table_id", "route_table_ids"),
}
