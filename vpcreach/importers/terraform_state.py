"""Terraform state JSON (`terraform.tfstate`, format version 4; version 3 flatmap too) -> Network.

A state holds what Terraform last applied: every id is known, so no references need resolving.
Data sources (`mode: data`) are not part of the network; network-relevant ones get a diagnostic.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..errors import InputError, Problem, ProblemCollector
from ..model import Network, Origin, json_pointer
from .terraform_address import Address, parse_address
from .terraform_resources import NetworkBuilder, TfResource, is_network_relevant

STATE_EXPECTED = "3 or 4, as written by Terraform 0.11 and later"


def load_state(path: str, document: dict) -> Network:
    """Read a parsed state document; raises InputError naming every problem found."""
    if not isinstance(document, dict):
        raise InputError.at(path, "not a Terraform state: the document is not a JSON object",
                            expected="the JSON of a terraform.tfstate file")
    version = document.get("version")
    if version == 4:
        items = _v4_instances(path, document)
    elif version == 3:
        items = _v3_instances(path, document)
    else:
        raise InputError.at(f"{path}#/version", "unsupported Terraform state version", version, expected=STATE_EXPECTED)
    problems = ProblemCollector()
    collected = list(_checked(path, items, problems))
    problems.raise_if_any()
    builder = NetworkBuilder(path, "terraform-state", problems=problems)
    data_types: dict[str, int] = {}
    for address, values, pointer, values_path in collected:
        if address.mode == "data":
            data_types[address.type] = data_types.get(address.type, 0) + 1
            continue
        builder.add(TfResource(address=str(address), type=address.type, values=values,
                               origin=Origin("terraform", file=path, address=str(address), pointer=pointer),
                               values_path=values_path))
    for rtype, count in sorted(data_types.items()):
        if is_network_relevant(rtype):
            builder.diagnostic("unmodelled", f"data.{rtype}: {count} data source{'s' if count != 1 else ''} "
                               "in the state, not modelled (a state does not say what they were used for)")
    return builder.build()


Item = tuple[Any, Any, str, tuple]  # (address or problem text, attributes, pointer, values path)


def _checked(path: str, items: Iterator[Item], problems: ProblemCollector) -> Iterator[tuple[Address, dict, str, tuple]]:
    for address, values, pointer, values_path in items:
        if not isinstance(address, Address):
            problems.problems.append(Problem(f"{path}#{pointer}", "invalid resource address", f'"{address}"',
                                             "a Terraform address such as module.vpc.aws_subnet.private[0]"))
        elif not isinstance(values, dict):
            problems.problems.append(Problem(f"{path}: {address}", "invalid attributes",
                                             type(values).__name__ if values is not None else "null",
                                             "a JSON object"))
        else:
            yield address, values, pointer, values_path


def _v4_instances(path: str, document: dict) -> Iterator[Item]:
    resources = document.get("resources")
    if not isinstance(resources, list):
        raise InputError.at(f"{path}#/resources", "invalid Terraform state: resources is not a list",
                            expected="a JSON array")
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict):
            yield "(not an object)", None, json_pointer("resources", i), ()
            continue
        module = resource.get("module") or ""
        prefix = "data." if resource.get("mode") == "data" else ""
        base = f"{module}.{prefix}" if module else prefix
        for j, instance in enumerate(resource.get("instances") or []):
            pointer = json_pointer("resources", i, "instances", j)
            instance = instance if isinstance(instance, dict) else {}
            key = instance.get("index_key")
            text = f'{base}{resource.get("type")}.{resource.get("name")}' + _key_text(key)
            attributes = instance.get("attributes")
            values_path: tuple = ("attributes",)
            if attributes is None and isinstance(instance.get("attributes_flat"), dict):
                attributes, values_path = unflatten(instance["attributes_flat"]), ("attributes_flat",)
            yield parse_address(text) or text, attributes, pointer, values_path


def _key_text(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return '["' + str(key).replace("\\", "\\\\").replace('"', '\\"') + '"]'


def _v3_instances(path: str, document: dict) -> Iterator[Item]:
    """State v3 (Terraform 0.11): modules[].resources{"aws_subnet.a.0": {primary: {attributes: flatmap}}}."""
    modules = document.get("modules")
    if not isinstance(modules, list):
        raise InputError.at(f"{path}#/modules", "invalid Terraform state: modules is not a list",
                            expected="a JSON array")
    for i, module in enumerate(modules):
        module = module if isinstance(module, dict) else {}
        names = [p for p in module.get("path") or [] if isinstance(p, str)][1:]  # drop "root"
        module_text = ".".join(f"module.{n}" for n in names)
        for key, resource in sorted((module.get("resources") or {}).items()):
            pointer = json_pointer("modules", i, "resources", key)
            primary = resource.get("primary") if isinstance(resource, dict) else None
            flat = primary.get("attributes") if isinstance(primary, dict) else None
            parts = key.split(".")
            if parts and parts[-1].isdigit():
                parts, index = parts[:-1], f"[{parts[-1]}]"
            else:
                index = ""
            text = ".".join(parts) + index
            text = f"{module_text}.{text}" if module_text else text
            yield (parse_address(text) or key, unflatten(flat) if isinstance(flat, dict) else flat, pointer,
                   ("primary", "attributes"))


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Terraform 0.11's flatmap ("ingress.#": "1", "ingress.123.from_port": "22", "tags.%": "1",
    "tags.Name": "x") -> nested values. Scalars stay strings; the readers accept "true"/"22"."""
    return _unflatten_under(flat, "")


def _unflatten_under(flat: dict[str, Any], prefix: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    heads = sorted({k[len(prefix):].split(".", 1)[0] for k in flat if k.startswith(prefix)})
    for head in heads:
        full = prefix + head
        if f"{full}.%" in flat:  # a map: keys may contain dots (kubernetes.io/role)
            result[head] = {k[len(full) + 1:]: v for k, v in flat.items()
                            if k.startswith(full + ".") and k != f"{full}.%"}
        elif f"{full}.#" in flat:  # a list or set of scalars or blocks
            indexes = sorted({k[len(full) + 1:].split(".", 1)[0] for k in flat
                              if k.startswith(full + ".") and k != f"{full}.#"},
                             key=lambda s: (len(s), s))
            result[head] = [flat[f"{full}.{index}"] if f"{full}.{index}" in flat
                            else _unflatten_under(flat, f"{full}.{index}.") for index in indexes]
        elif full in flat:
            result[head] = flat[full]
    return result
