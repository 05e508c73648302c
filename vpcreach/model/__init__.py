"""The normalized network model: immutable, typed, pure (no I/O, no z3, no boto3)."""
from .network import Diagnostic, Network
from .origin import Origin, json_pointer
from .resources import *  # noqa: F401,F403  (the resource classes are the model's vocabulary)
from .resources import RESOURCE_TYPES
from .values import (
    ALL_PORTS, ALL_PROTOCOLS, EPHEMERAL_PORTS, ICMP, ICMPV6, TCP, UDP, IcmpMatch, IpNet, PortRange,
    Unknown, ValueProblem, format_ip, parse_cidr, parse_ip, parse_protocol, protocol_label,
)
