"""Helpers for comparing two imports of the same network (used by test_equivalence.py)."""
from __future__ import annotations

import json
from typing import Any

from vpcreach.model import Network
from vpcreach.model.serialize import network_to_dict

# Fields Terraform cannot know or that only describe where a thing came from.
PROVENANCE = {"origin", "account", "region"}


def comparable(network: Network) -> dict[str, Any]:
    """The model as plain data without provenance or diagnostics, every list in a canonical order."""
    data = network_to_dict(network)
    for key in ("diagnostics", "sources", "source_kind"):
        data.pop(key, None)
    return {name: {item["id"]: _canonical(item) for item in items} for name, items in data.items()}


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if k not in PROVENANCE}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def differences(left: Any, right: Any, path: str = "", wildcard_unknown: bool = False) -> list[str]:
    """Every path where two plain structures differ; an {"unknown": ...} on the right matches anything
    when wildcard_unknown (a value known only after apply)."""
    if wildcard_unknown and isinstance(right, dict) and set(right) == {"unknown"}:
        return []
    if isinstance(left, dict) and isinstance(right, dict):
        found: list[str] = []
        for key in sorted(set(left) | set(right)):
            if key not in right:
                found.append(f"{path}/{key}: only in the first")
            elif key not in left:
                found.append(f"{path}/{key}: only in the second")
            else:
                found += differences(left[key], right[key], f"{path}/{key}", wildcard_unknown)
        return found
    if wildcard_unknown and isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return _unordered(left, right, path)
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        found = []
        for i, (a, b) in enumerate(zip(left, right)):
            found += differences(a, b, f"{path}/{i}", wildcard_unknown)
        return found
    return [] if left == right else [f"{path}: {json.dumps(left, sort_keys=True)} != {json.dumps(right, sort_keys=True)}"]


def _unordered(left: list, right: list, path: str) -> list[str]:
    """Pair list items regardless of order (an unknown sorts differently from the value it stands for);
    items that pair with nothing are compared position by position to show what differs."""
    unused = list(range(len(left)))
    unmatched: list[int] = []
    for j, item in enumerate(right):
        match = next((i for i in unused if not differences(left[i], item, "", True)), None)
        if match is None:
            unmatched.append(j)
        else:
            unused.remove(match)
    found: list[str] = []
    for i, j in zip(unused, unmatched):
        found += differences(left[i], right[j], f"{path}/{j}", True)
    return found
