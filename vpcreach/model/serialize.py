"""The normalized model as plain JSON-ready data, generically over the frozen dataclasses.

IpNet -> "10.0.0.0/16", Unknown -> {"unknown": reason}, Origin -> its string form
("file#/pointer", "plan.json: aws_subnet.a", ...), tuples -> lists. Every dataclass field is written,
defaults included, so a reader never has to know the defaults.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from .network import Network
from .origin import Origin
from .values import IpNet, Unknown


def to_plain(value: Any) -> Any:
    if isinstance(value, (IpNet, Origin)):
        return str(value)
    if isinstance(value, Unknown):
        return {"unknown": value.reason}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    return value


def network_to_dict(network: Network) -> dict[str, Any]:
    return to_plain(network)


def network_to_json(network: Network) -> str:
    return json.dumps(network_to_dict(network), indent=2, sort_keys=True) + "\n"


__all__ = ["network_to_dict", "network_to_json", "to_plain"]
