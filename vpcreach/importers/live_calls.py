"""The call table of `vpcreach snapshot`: every AWS API call it makes, and the document each one fills.

This table is the single source of truth for three things that must agree: what the snapshot reads,
the file names it writes (the describe-* layout the offline importer reads), and the minimal IAM
policy shipped as `iam-policy.json` (a test derives the policy's actions from this table).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RegionCall:
    """One describe-* call per account and region; its pages are merged under `key` in `<key>.json`."""

    operation: str  # the API operation name, e.g. "DescribeVpcs"
    key: str  # the response's list key, which is also the document's name and top-level key

    @property
    def action(self) -> str:
        return f"ec2:{self.operation}"


@dataclass(frozen=True)
class OwnerCall:
    """One call per owning resource (a prefix list, a transit gateway route table).

    AWS returns these items without the owner's id, so each answer is wrapped as
    `{<owner_id_key>: <owner id>, <items_key>: [...]}` in a list under `document`.
    """

    operation: str
    document: str  # file name and top-level key, e.g. "ManagedPrefixListEntries"
    owners: str  # the RegionCall key whose items own this data, e.g. "PrefixLists"
    owner_id_key: str  # e.g. "PrefixListId"; the same name is the operation's parameter
    items_key: str  # the response's list key, kept as the wrapper's list key
    wrapper_items_key: str = ""  # the wrapper's list key when it differs from items_key
    extra_params: dict = field(default_factory=dict, hash=False, compare=False)
    extra_keys: tuple[str, ...] = ()  # non-list response fields kept in the wrapper

    @property
    def action(self) -> str:
        return f"ec2:{self.operation}"

    @property
    def wrapper_key(self) -> str:
        return self.wrapper_items_key or self.items_key


# In the order they are read; owners come before the calls that need them.
REGION_CALLS: tuple[RegionCall, ...] = (
    RegionCall("DescribeVpcs", "Vpcs"),
    RegionCall("DescribeSubnets", "Subnets"),
    RegionCall("DescribeRouteTables", "RouteTables"),
    RegionCall("DescribeInternetGateways", "InternetGateways"),
    RegionCall("DescribeEgressOnlyInternetGateways", "EgressOnlyInternetGateways"),
    RegionCall("DescribeNatGateways", "NatGateways"),
    RegionCall("DescribeVpnGateways", "VpnGateways"),
    RegionCall("DescribeSecurityGroups", "SecurityGroups"),
    RegionCall("DescribeNetworkAcls", "NetworkAcls"),
    RegionCall("DescribeNetworkInterfaces", "NetworkInterfaces"),
    RegionCall("DescribeInstances", "Reservations"),
    RegionCall("DescribeAddresses", "Addresses"),
    RegionCall("DescribeVpcPeeringConnections", "VpcPeeringConnections"),
    RegionCall("DescribeManagedPrefixLists", "PrefixLists"),
    RegionCall("DescribeTransitGateways", "TransitGateways"),
    RegionCall("DescribeTransitGatewayAttachments", "TransitGatewayAttachments"),
    RegionCall("DescribeTransitGatewayVpcAttachments", "TransitGatewayVpcAttachments"),
    RegionCall("DescribeTransitGatewayPeeringAttachments", "TransitGatewayPeeringAttachments"),
    RegionCall("DescribeTransitGatewayRouteTables", "TransitGatewayRouteTables"),
    RegionCall("DescribeVpcEndpoints", "VpcEndpoints"),
)

OWNER_CALLS: tuple[OwnerCall, ...] = (
    OwnerCall("GetManagedPrefixListEntries", "ManagedPrefixListEntries", owners="PrefixLists",
              owner_id_key="PrefixListId", items_key="Entries"),
    # The file keeps Batfish's name although it holds every route type: static and propagated.
    OwnerCall("SearchTransitGatewayRoutes", "TransitGatewayStaticRoutes", owners="TransitGatewayRouteTables",
              owner_id_key="TransitGatewayRouteTableId", items_key="Routes",
              extra_params={"Filters": [{"Name": "type", "Values": ["static", "propagated"]}]},
              extra_keys=("AdditionalRoutesAvailable",)),
    OwnerCall("GetTransitGatewayRouteTablePropagations", "TransitGatewayPropagations",
              owners="TransitGatewayRouteTables", owner_id_key="TransitGatewayRouteTableId",
              items_key="TransitGatewayRouteTablePropagations"),
    OwnerCall("GetTransitGatewayRouteTableAssociations", "TransitGatewayRouteTableAssociations",
              owners="TransitGatewayRouteTables", owner_id_key="TransitGatewayRouteTableId",
              items_key="Associations"),
)

# Made once per snapshot to check the requested regions exist and are enabled (and to expand --all-regions).
DESCRIBE_REGIONS = "ec2:DescribeRegions"

# STS calls need no entry in the read policy: GetCallerIdentity is always allowed, and
# sts:AssumeRole is granted to the caller on the role ARNs (see docs/live.md).
STS_CALLS = ("sts:GetCallerIdentity", "sts:AssumeRole")

# Owners in these states have nothing left to return (and AWS answers with an error), so they are skipped.
GONE_OWNER_STATES: dict[str, frozenset[str]] = {
    "PrefixLists": frozenset({"delete-in-progress", "delete-complete"}),
    "TransitGatewayRouteTables": frozenset({"deleting", "deleted"}),
}


def read_actions() -> list[str]:
    """The IAM actions the snapshot needs in every account it reads: the minimal read-only policy."""
    actions = {call.action for call in REGION_CALLS} | {call.action for call in OWNER_CALLS}
    return sorted(actions | {DESCRIBE_REGIONS})


def call_for_document(name: str) -> str | None:
    """The IAM action that produced a document (`Vpcs` -> `ec2:DescribeVpcs`), for origins and messages."""
    for call in REGION_CALLS:
        if call.key == name:
            return call.action
    for owner_call in OWNER_CALLS:
        if owner_call.document == name:
            return owner_call.action
    return None
