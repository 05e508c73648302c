"""Terraform plan JSON (`terraform show -json PLANFILE`, format_version 0.1 ... 1.x) -> Network.

The planned network is `planned_values` (resources being deleted are not in it). For each
resource, `resource_changes[].change.after_unknown` says which attributes are known only after
apply; for those, the `configuration` section's expressions say what they refer to, so a subnet
planned with `vpc_id = aws_vpc.main.id` is linked to the VPC whose id is `aws_vpc.main` (or its
real id when the plan knows it). See terraform_references.py for how references resolve.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..errors import InputError, Problem, ProblemCollector
from ..model import Network, Origin, json_pointer
from .terraform_address import parse_address
from .terraform_references import Instance, PlanReferences
from .terraform_resources import NetworkBuilder, TfResource, is_network_relevant

SUPPORTED_MAJOR_VERSIONS = ("0", "1")
PLAN_EXPECTED = "the output of `terraform show -json PLANFILE`"


def load_plan(path: str, document: dict) -> Network:
    """Read a parsed plan JSON document; raises InputError naming every problem found."""
    _check_plan(path, document)
    problems = ProblemCollector()
    changes = _changes_by_address(path, document, problems)
    instances = list(_walk_module(path, document["planned_values"].get("root_module") or {},
                                  "/planned_values/root_module", problems))
    prior = document.get("prior_state")
    prior_values = prior.get("values") if isinstance(prior, dict) else None
    prior_instances = list(_walk_module(path, (prior_values or {}).get("root_module") or {},
                                        "/prior_state/values/root_module", ProblemCollector()))
    problems.raise_if_any()

    references = PlanReferences(path, document, instances, prior_instances)
    builder = NetworkBuilder(path, "terraform-plan", problems=problems)
    data_types: dict[str, int] = {}
    for instance in instances:
        if instance.address.mode == "data":
            data_types[instance.address.type] = data_types.get(instance.address.type, 0) + 1
            continue
        change = changes.get(str(instance.address), {})
        if change.get("actions") == ["delete"]:
            continue  # a hand-edited plan may keep it in planned_values; Terraform would not
        builder.add(TfResource(
            address=str(instance.address), type=instance.address.type, values=instance.values,
            origin=Origin("terraform", file=path, address=str(instance.address), pointer=instance.pointer),
            values_path=("values",), unknown=change.get("after_unknown"),
            resolver=references.resolver_for(instance, problems)))
    _report_data_sources(builder, data_types)
    return builder.build()


# ------------------------------------------------------------------------------------- shape

def _check_plan(path: str, document: Any) -> None:
    if not isinstance(document, dict):
        raise InputError.at(path, "not a Terraform plan: the document is not a JSON object", expected=PLAN_EXPECTED)
    version = document.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise InputError.at(f"{path}#/format_version", "unsupported Terraform plan format_version", version,
                            expected="0.x or 1.x, as written by Terraform 0.12 and later")
    planned = document.get("planned_values")
    if not isinstance(planned, dict):
        what = "missing planned_values" if planned is None else "invalid planned_values"
        raise InputError.at(f"{path}#/planned_values", f"not a Terraform plan: {what}", expected=PLAN_EXPECTED)
    root = planned.get("root_module")
    if root is not None and not isinstance(root, dict):
        raise InputError.at(f"{path}#/planned_values/root_module", "invalid root_module", _type_name(root),
                            expected="a JSON object")
    for key in ("resource_changes",):
        if key in document and not isinstance(document[key], list):
            raise InputError.at(f"{path}#/{key}", f"invalid {key}", _type_name(document[key]),
                                expected="a JSON array")
    for key in ("configuration", "prior_state", "variables"):
        if key in document and document[key] is not None and not isinstance(document[key], dict):
            raise InputError.at(f"{path}#/{key}", f"invalid {key}", _type_name(document[key]),
                                expected="a JSON object")


def _type_name(value: Any) -> str:
    """The JSON type of a value (shown instead of the value, which may hold secrets)."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}[type(value)]


def _changes_by_address(path: str, document: dict, problems: ProblemCollector) -> dict[str, dict]:
    changes: dict[str, dict] = {}
    for i, item in enumerate(document.get("resource_changes") or []):
        pointer = json_pointer("resource_changes", i)
        if not isinstance(item, dict) or not isinstance(item.get("address"), str):
            problems.problems.append(Problem(f"{path}#{pointer}", "invalid resource change",
                                             _type_name(item), "an object with an address"))
            continue
        where = f"{path}: {item['address']}"
        change = item.get("change")
        if not isinstance(change, dict):
            problems.problems.append(Problem(where, f"invalid resource_changes[{i}].change", _type_name(change),
                                             "a JSON object"))
            continue
        after = change.get("after")
        if after is not None and not isinstance(after, dict):
            problems.problems.append(Problem(where, f"invalid resource_changes[{i}].change.after",
                                             _type_name(after), "a JSON object or null"))
            continue
        actions = change.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            problems.problems.append(Problem(where, f"invalid resource_changes[{i}].change.actions",
                                             _type_name(actions), "a list of action names"))
            continue
        if item.get("mode", "managed") == "managed":
            changes[item["address"]] = {"actions": actions, "after_unknown": change.get("after_unknown")}
    return changes


def _walk_module(path: str, module: dict, pointer: str, problems: ProblemCollector) -> Iterator[Instance]:
    """Every resource instance of a planned_values (or prior_state) module, depth first."""
    for i, resource in enumerate(module.get("resources") or []):
        here = f"{pointer}/resources/{i}"
        address = parse_address(resource.get("address", "")) if isinstance(resource, dict) else None
        if address is None:
            problems.problems.append(Problem(f"{path}#{here}", "invalid resource address",
                                             resource.get("address") if isinstance(resource, dict) else None,
                                             "a Terraform address such as module.vpc.aws_subnet.private[0]"))
            continue
        values = resource.get("values")
        if values is None:
            values = {}
        if not isinstance(values, dict):
            problems.problems.append(Problem(f"{path}: {address}", "invalid values", _type_name(values),
                                             "a JSON object"))
            continue
        yield Instance(address, values, here)
    for i, child in enumerate(module.get("child_modules") or []):
        if isinstance(child, dict):
            yield from _walk_module(path, child, f"{pointer}/child_modules/{i}", problems)


def _report_data_sources(builder: NetworkBuilder, data_types: dict[str, int]) -> None:
    for rtype, count in sorted(data_types.items()):
        if is_network_relevant(rtype):
            builder.diagnostic("unmodelled", f"data.{rtype}: {count} data source{'s' if count != 1 else ''} "
                               "read, not modelled (references to them use their values when the plan has them)")


__all__ = ["load_plan"]
