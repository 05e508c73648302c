"""Explanation codes, modelled on AWS Reachability Analyzer's where one exists.

Each names why a packet (or its reply) does not get through, or why the answer is inconclusive.
"""

# Reachability Analyzer codes
BAD_STATE = "BAD_STATE"  # a component is not in a functional state (NAT pending, peering not active)
BAD_STATE_ROUTE = "BAD_STATE_ROUTE"  # a blackhole route: its target is gone
NO_ROUTE_TO_DESTINATION = "NO_ROUTE_TO_DESTINATION"  # no route matches the destination
SUBNET_ACL_RESTRICTION = "SUBNET_ACL_RESTRICTION"  # a network ACL entry denies it
ENI_SG_RULES_MISMATCH = "ENI_SG_RULES_MISMATCH"  # no security group rule allows it
IGW_NOT_ATTACHED = "IGW_NOT_ATTACHED"  # the VPC has no (attached) internet gateway

# vpcreach codes for what Reachability Analyzer folds into others
NO_PUBLIC_IP = "NO_PUBLIC_IP"  # IPv4 to the internet from an address with no public IP or EIP
NO_ENI_AT_DESTINATION = "NO_ENI_AT_DESTINATION"  # the address is in a subnet but nothing has it
NAT_PROTOCOL_UNSUPPORTED = "NAT_PROTOCOL_UNSUPPORTED"  # NAT gateways translate IPv4 TCP, UDP, ICMP only
NAT_UNSOLICITED_INBOUND = "NAT_UNSOLICITED_INBOUND"  # a NAT gateway never accepts new inbound connections
NAT_NO_INTERNET_ROUTE = "NAT_NO_INTERNET_ROUTE"  # the NAT gateway's own subnet does not route to an IGW
EGRESS_ONLY_INBOUND = "EGRESS_ONLY_INBOUND"  # an egress-only IGW admits replies, never new inbound IPv6
PEERING_DESTINATION_OUTSIDE_PEER = "PEERING_DESTINATION_OUTSIDE_PEER"  # peering is not transitive
PRIVATE_ADDRESS_NOT_ROUTABLE = "PRIVATE_ADDRESS_NOT_ROUTABLE"  # the internet does not carry private space
SOURCE_NOT_ON_INTERNET = "SOURCE_NOT_ON_INTERNET"  # an "internet" source address that no internet host has
RETURN_PATH_MISMATCH = "RETURN_PATH_MISMATCH"  # the reply does not get back to the client as it left
SOURCE_DEST_CHECK_RESTRICTION = "SOURCE_DEST_CHECK_RESTRICTION"  # a route to an ENI that drops others' traffic
TGW_NO_ATTACHMENT_IN_AZ = "TGW_NO_ATTACHMENT_IN_AZ"  # the VPC's transit gateway attachment has no subnet in the zone
ROUTING_LOOP = "ROUTING_LOOP"  # the packet returns to a transit gateway route table it already passed

# inconclusive
UNSUPPORTED_COMPONENT = "UNSUPPORTED_COMPONENT"  # a component on the path is not modelled yet
UNKNOWN_VALUE = "UNKNOWN_VALUE"  # a value on the path is unknown until apply, or not in the snapshot
SOLVER_TIMEOUT = "SOLVER_TIMEOUT"  # z3 did not decide within its limit

INCONCLUSIVE_CODES = frozenset({UNSUPPORTED_COMPONENT, UNKNOWN_VALUE, SOLVER_TIMEOUT})
