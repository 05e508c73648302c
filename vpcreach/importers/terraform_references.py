"""Resolve a plan's unknown attributes through the `configuration` section's references.

Terraform records, for each attribute expression, only the list of things it refers to
(`["aws_vpc.main.id", "aws_vpc.main"]`, `["aws_subnet.private", "count.index"]`,
`["module.vpc.vpc_id", "module.vpc"]`), not the expression itself. So:
- an expression naming exactly one thing is that thing: a resource instance (its id, or its
  address while the id is unknown), a module output (followed into the module), a variable
  (its value, or the module call's argument), a data source read during planning;
- `count.index` / `each.key` select the referrer's own instance key in a resource with as many
  instances (otherwise the answer is Unknown, saying why);
- an id-list attribute (vpc_security_group_ids, subnet_ids) takes every resource it names;
- anything else (a single value computed from several things, locals, unread data sources,
  unset variables) is Unknown with the reason, never a guess.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import Problem, ProblemCollector
from ..model import Unknown
from .terraform_address import Address, Key, ModulePath, Reference, format_key, format_module_path, parse_reference
from .terraform_resources import KNOWN_AFTER_APPLY, VPC_IMPLIED, implied_id

MAX_DEPTH = 16

# A bare reference (`["aws_vpc.main"]`, as Terraform 0.12 writes) from one of these attributes to
# a VPC means the VPC's implied object, not the VPC.
BARE_VPC_ATTRIBUTE = {
    "route_table_id": "default_route_table_id", "default_route_table_id": "default_route_table_id",
    "network_acl_id": "default_network_acl_id", "default_network_acl_id": "default_network_acl_id",
    "security_group_id": "default_security_group_id",
}


@dataclass(frozen=True)
class Instance:
    address: Address
    values: dict
    pointer: str


@dataclass(frozen=True)
class Scope:
    """Where an expression is evaluated: a module instance, and the referrer's own instance key."""

    module: ModulePath
    key: Key = None
    count: int | None = None  # how many instances the referrer has (for count.index matching)
    referrer: str = ""  # for messages: the resource (or module call) whose expression this is


class PlanReferences:
    def __init__(self, path: str, document: dict, instances: list[Instance], prior: list[Instance]):
        self.path = path
        self.configuration = document.get("configuration") or {}
        self.variables = document.get("variables") or {}
        self.instances: dict[tuple[str, str, str, str], dict[Key, Instance]] = {}
        for instance in [*prior, *instances]:  # planned values win over prior state
            a = instance.address
            self.instances.setdefault((format_module_path(a.module), a.mode, a.type, a.name), {})[a.key] = instance

    # ---------------------------------------------------------------- configuration lookup

    def config_module(self, module: ModulePath) -> dict | None:
        current = self.configuration.get("root_module")
        for name, _ in module:
            if not isinstance(current, dict):
                return None
            call = (current.get("module_calls") or {}).get(name)
            current = call.get("module") if isinstance(call, dict) else None
        return current if isinstance(current, dict) else None

    def config_resource(self, module: ModulePath, resource: str) -> dict | None:
        config = self.config_module(module)
        for item in (config or {}).get("resources") or []:
            if isinstance(item, dict) and item.get("address") == resource:
                return item
        return None

    def module_call(self, module: ModulePath) -> dict | None:
        """The `module_calls` entry that created the innermost module of a path."""
        parent = self.config_module(module[:-1])
        call = ((parent or {}).get("module_calls") or {}).get(module[-1][0])
        return call if isinstance(call, dict) else None

    # ---------------------------------------------------------------- entry point

    def resolver_for(self, instance: Instance, problems: ProblemCollector) -> Callable[[tuple, bool], list | None]:
        address = instance.address
        siblings = self.instances.get((format_module_path(address.module), "managed", address.type, address.name), {})
        scope = Scope(address.module, address.key, len(siblings), str(address))
        where = f"{self.path}: {address}"

        def resolve(attribute_path: tuple, kind: str) -> list | None:
            config = self.config_resource(address.module, address.resource)
            expression = _expression_at(config, attribute_path, instance.values)
            if expression is None or kind == "exists":
                return None if expression is None else []
            name = _path_name(attribute_path)
            result = self.evaluate(expression, scope, kind != "value", name, Report(problems, where, name),
                                   many=kind == "ids")
            if kind == "value" and result is not None:
                # Terraform computes a value it can; unknown means it depends on something unknown.
                # We only say why (an unread local, variable or data source), never guess the value.
                reasons = [v for v in result if isinstance(v, Unknown) and v.reason != KNOWN_AFTER_APPLY]
                return reasons[:1] or [Unknown(KNOWN_AFTER_APPLY)]
            return result
        return resolve

    # ---------------------------------------------------------------- evaluation

    def evaluate(self, expression: dict, scope: Scope, ids: bool, name: str, report: "Report",
                 depth: int = 0, many: bool = False) -> list | None:
        if "constant_value" in expression:
            return _flatten(expression["constant_value"], ids)
        references = [r for r in (parse_reference(t) for t in expression.get("references") or []
                                  if isinstance(t, str)) if r is not None]
        if not references:
            return None
        selects_own_key = any(r.kind == "context" and r.type in ("count", "each") for r in references)
        targets = _distinct_targets([r for r in references if r.kind != "context"])
        if not targets:
            return None
        if len(targets) > 1 and not many:
            named = ", ".join(sorted({_target_text(t) for t in targets}))
            return [Unknown(f"{name} is computed from {named}; vpcreach does not evaluate Terraform expressions")]
        if depth > MAX_DEPTH:
            return [Unknown(f"{name}: references nest too deeply to follow")]
        values: list = []
        for reference in targets:
            values += self.evaluate_reference(reference, scope, ids, name, report, selects_own_key, depth, many)
        return values

    def evaluate_reference(self, ref: Reference, scope: Scope, ids: bool, name: str, report: "Report",
                           selects_own_key: bool, depth: int, many: bool) -> list:
        if ref.kind == "local":
            return [Unknown(f"local.{ref.type} is not in the plan")]
        if ref.kind == "var":
            return self.evaluate_variable(ref, scope, ids, name, report, depth, many)
        if ref.kind == "module":
            return self.evaluate_module_output(ref, scope, ids, name, report, depth, many)
        return self.evaluate_resource(ref, scope, ids, name, report, selects_own_key, many)

    def evaluate_variable(self, ref: Reference, scope: Scope, ids: bool, name: str, report: "Report",
                          depth: int, many: bool) -> list:
        if not scope.module:
            variable = self.variables.get(ref.type)
            if isinstance(variable, dict) and "value" in variable:
                return _flatten(variable["value"], ids)
            return [Unknown(f"var.{ref.type} is not in the plan")]
        call = self.module_call(scope.module)
        argument = ((call or {}).get("expressions") or {}).get(ref.type)
        if isinstance(argument, dict):
            # The module call's argument, evaluated where the call is, with the module instance's key.
            outer = Scope(scope.module[:-1], scope.module[-1][1], None, f"module.{scope.module[-1][0]}")
            result = self.evaluate(argument, outer, ids, name, report, depth + 1, many)
            if result is not None:
                return result
        declared = ((self.config_module(scope.module) or {}).get("variables") or {}).get(ref.type)
        if isinstance(declared, dict) and "default" in declared:
            return _flatten(declared["default"], ids)
        return [Unknown(f"var.{ref.type} is not in the plan")]

    def evaluate_module_output(self, ref: Reference, scope: Scope, ids: bool, name: str, report: "Report",
                               depth: int, many: bool) -> list:
        call = self.module_call(scope.module + ((ref.type, None),))
        if call is None:
            report.missing(ref.text, "a module call in the plan's configuration")
            return [Unknown(f"{ref.text} is not in the plan")]
        output = ((call.get("module") or {}).get("outputs") or {}).get(ref.name)
        if not isinstance(output, dict) or not isinstance(output.get("expression"), dict):
            report.missing(ref.text, f"an output of module.{ref.type}")
            return [Unknown(f"{ref.text} is not in the plan")]
        key = ref.key
        if key is None and ("count_expression" in call or "for_each_expression" in call):
            return [Unknown(f"{ref.text}: module.{ref.type} has several instances and the expression "
                            "does not say which")]
        inner = Scope(scope.module + ((ref.type, key),), None, None, f"module.{ref.type}{format_key(key)}")
        return self.evaluate(output["expression"], inner, ids, name, report, depth + 1, many) or [
            Unknown(f"{ref.text} is not in the plan")]

    def evaluate_resource(self, ref: Reference, scope: Scope, ids: bool, name: str, report: "Report",
                          selects_own_key: bool, many: bool) -> list:
        mode = "data" if ref.kind == "data" else "managed"
        prefix = "data." if mode == "data" else ""
        resource = f"{prefix}{ref.type}.{ref.name}"
        found = self.instances.get((format_module_path(scope.module), mode, ref.type, ref.name), {})
        if not found:
            if mode == "data":
                return [Unknown(f"{_strip_attribute(ref)} is not in the plan")]
            if self.config_resource(scope.module, resource) is None and self.configuration:
                report.missing(ref.text, "a resource declared in the plan's configuration")
            return [Unknown(f"{resource} has no instances in the plan")]
        chosen = self.choose_instances(ref, found, scope, many, selects_own_key, resource)
        if isinstance(chosen, Unknown):
            return [chosen]
        return [self.attribute_of(instance, ref, ids, name) for instance in chosen]

    def choose_instances(self, ref: Reference, found: dict[Key, Instance], scope: Scope, many: bool,
                         selects_own_key: bool, resource: str) -> list[Instance] | Unknown:
        if ref.key is not None:
            if ref.key in found:
                return [found[ref.key]]
            return Unknown(f"{resource}{format_key(ref.key)} is not in the plan")
        if list(found) == [None]:
            return [found[None]]
        if selects_own_key and scope.key is not None:
            if scope.key in found and (scope.count is None or scope.count == len(found)):
                return [found[scope.key]]
            return Unknown(f"{resource}[count.index] from {scope.referrer}: {resource} has {len(found)} "
                           f"instances and {scope.referrer.split('[')[0]} has {scope.count}, so the index "
                           "cannot be matched")
        if many:
            return [found[k] for k in sorted(found, key=str)]
        return Unknown(f"{resource} has {len(found)} instances and the expression does not say which")

    def attribute_of(self, instance: Instance, ref: Reference, ids: bool, name: str) -> Any:
        values = instance.values
        attribute = ref.attribute
        if attribute is None:
            if not ids:
                return Unknown(KNOWN_AFTER_APPLY)
            attribute = "id"
            if instance.address.type in ("aws_vpc", "aws_default_vpc"):
                attribute = BARE_VPC_ATTRIBUTE.get(name.split(".")[-1].split("[")[0], "id")
        value = values.get(attribute)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
            return str(value)
        if instance.address.mode == "data":
            return Unknown(f"{_strip_attribute(ref)}.{attribute} is not in the plan")
        own_id = values.get("id") if isinstance(values.get("id"), str) else str(instance.address)
        if attribute == "id":
            return own_id  # unknown until apply: the address stands for the id
        if instance.address.type in ("aws_vpc", "aws_default_vpc") and attribute in VPC_IMPLIED:
            return implied_id(own_id, VPC_IMPLIED[attribute])
        if attribute == "allocation_id" and instance.address.type == "aws_eip":
            return own_id
        return Unknown(KNOWN_AFTER_APPLY)


@dataclass
class Report:
    """Reports references to things the configuration does not declare (a broken plan)."""

    problems: ProblemCollector
    where: str
    attribute: str

    def missing(self, reference: str, expected: str) -> None:
        problem = Problem(self.where, f"{self.attribute} refers to a missing resource", f'"{reference}"', expected)
        if problem not in self.problems.problems:
            self.problems.problems.append(problem)


# ------------------------------------------------------------------------------------- helpers

def _expression_at(config: dict | None, path: tuple, values: dict) -> dict | None:
    """The configuration expression of an attribute path such as ("ingress", 2, "security_groups")."""
    if not isinstance(config, dict):
        return None
    node: Any = config.get("expressions")
    current_values: Any = values
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not node:
                return None
            index = _matching_block(node, current_values, part)
            node = node[index] if index is not None else None
            current_values = current_values[part] if isinstance(current_values, list) else None
        else:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
            current_values = current_values.get(part) if isinstance(current_values, dict) else None
    return node if isinstance(node, dict) and ("references" in node or "constant_value" in node) else None


def _matching_block(blocks: list, values: Any, index: int) -> int | None:
    """Planned nested blocks are sets (reordered); pick the configured block whose constants match."""
    value = values[index] if isinstance(values, list) and index < len(values) else None
    if isinstance(value, dict):
        def score(block: Any) -> int:
            if not isinstance(block, dict):
                return -1
            matches = 0
            for key, expression in block.items():
                if isinstance(expression, dict) and "constant_value" in expression:
                    if expression["constant_value"] != value.get(key):
                        return -1
                    matches += 1
            return matches
        scores = [score(b) for b in blocks]
        best = max(scores)
        if best >= 0 and scores.count(best) == 1:
            return scores.index(best)
    if isinstance(values, list) and len(values) == len(blocks):
        return index
    return 0 if len(blocks) == 1 else None


def _distinct_targets(references: list[Reference]) -> list[Reference]:
    """["aws_vpc.main.id", "aws_vpc.main"] is one target; keep the most specific spelling of each."""
    chosen: dict[tuple, Reference] = {}
    for ref in references:
        target = ref.target if ref.kind not in ("var", "local") else (ref.kind, ref.type, "", None)
        if ref.kind == "module" and not ref.name:
            continue  # `module.vpc` beside `module.vpc.vpc_id`
        if target not in chosen or (chosen[target].attribute is None and ref.attribute is not None):
            chosen[target] = ref
    return list(chosen.values())


def _target_text(ref: Reference) -> str:
    if ref.kind in ("var", "local"):
        return f"{ref.kind}.{ref.type}"
    return _strip_attribute(ref) if ref.kind in ("resource", "data") else ref.text


def _strip_attribute(ref: Reference) -> str:
    prefix = "data." if ref.kind == "data" else ""
    return f"{prefix}{ref.type}.{ref.name}{format_key(ref.key)}"


def _flatten(value: Any, ids: bool) -> list | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    result = [str(v) for v in items if isinstance(v, (str, int)) and not isinstance(v, bool) and v != ""]
    return result or None


def _path_name(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
