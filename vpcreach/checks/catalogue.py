"""The rule catalogue: load rules/*.yaml (and user rule folders), validate them, and run them.

A rule file names a check function (`vpcreach.checks.routing:blackhole_routes`); the runner calls it with a
CheckContext and the rule's params, and turns each Hit into a Finding with the rule's code, name and severity.
A check that raises becomes one `VPC000 rule-crashed` finding, so one bug never hides every other finding
(the idea of cfn-lint's _rules.py).
"""
from __future__ import annotations

import importlib
import importlib.resources
import inspect
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

# libyaml's loader parses the catalogue ten times faster; PyYAML falls back to Python where it is missing.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from ..errors import Problem, ProblemCollector
from ..model import Network
from .context import CheckContext
from .findings import Finding, Hit, fingerprint
from .schema import schema_errors

BUILTIN_PREFIX = "rules"  # how built-in rule files are named in messages, wherever the package is installed
CRASH_CODE, CRASH_NAME, CRASH_SEVERITY = "VPC000", "rule-crashed", "high"
FILE_NAME = re.compile(r"^(VPC[0-9]{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$")

CheckFunction = Callable[..., Iterable[Hit]]


@dataclass(frozen=True)
class Example:
    network: dict | str  # a describe-* document inline, or a path under fixtures/rules/
    hits: tuple[dict, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str
    severity: str
    rationale: str
    remediation: dict[str, str]
    references: tuple[dict[str, str], ...]
    check: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    examples: dict[str, Example] = field(default_factory=dict, hash=False, compare=False)
    path: str = ""  # as shown in messages: rules/VPC001-blackhole-route.yaml or the user's folder joined

    @property
    def function(self) -> CheckFunction:
        return resolve_check(self.check)


# ---------------------------------------------------------------- loading

@lru_cache(maxsize=1)
def rule_schema() -> dict:
    return json.loads(importlib.resources.files(__package__).joinpath("rule-schema.json").read_text("utf-8"))


def builtin_rules_dir() -> Traversable:
    """rules/ as shipped in the wheel (package vpcreach._rules), else beside the source tree.

    A Traversable rather than a Path, so a zipped install works too. The fallback serves a source checkout whose
    editable install predates the vpcreach._rules mapping.
    """
    try:
        return importlib.resources.files("vpcreach._rules")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "rules"


def resolve_check(dotted: str) -> CheckFunction:
    module_name, _, function_name = dotted.partition(":")
    module = importlib.import_module(module_name)
    function = getattr(module, function_name)
    if not callable(function):
        raise TypeError(f"{dotted} is not callable")
    return function


def load_catalogue(extra_dirs: Iterable[str] = ()) -> list[Rule]:
    """Every built-in rule plus the rules in `extra_dirs`, sorted by code. InputError lists every problem."""
    problems = ProblemCollector()
    rules = _load_folder(builtin_rules_dir(), BUILTIN_PREFIX, problems)
    for folder in extra_dirs:
        if not os.path.isdir(folder):
            problems.add(folder, "no such rules folder", None, "a folder of <CODE>-<name>.yaml rule files")
            continue
        rules += _load_folder(Path(folder), folder, problems)
    _check_unique(rules, problems)
    problems.raise_if_any()
    return sorted(rules, key=lambda r: r.code)


def _load_folder(folder: Traversable, shown: str, problems: ProblemCollector) -> list[Rule]:
    rules = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith((".yaml", ".yml")) and path.is_file():
            rule = load_rule_file(path, f"{shown}/{path.name}", problems)
            if rule is not None:
                rules.append(rule)
    return rules


def load_rule_file(path: Traversable, shown: str, problems: ProblemCollector) -> Rule | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        problems.add(where, f"not valid YAML: {getattr(error, 'problem', None) or error}", None, "a YAML mapping")
        return None
    before = len(problems.problems)
    for pointer, what, value, expected in schema_errors(data, rule_schema()):
        problems.problems.append(Problem(f"{shown}#{pointer}" if pointer else shown, what, value, expected))
    if len(problems.problems) > before:
        return None
    rule = _rule_from_data(data, shown)
    _check_file_name(rule, path.name, problems)
    _check_function(rule, problems)
    for name, example in rule.examples.items():
        if name == "good" and example.hits:
            problems.add(f"{shown}#/examples/good/hits", "a good example must have no hits", len(example.hits),
                         "an empty list")
    return rule if len(problems.problems) == before else None


def _rule_from_data(data: dict, shown: str) -> Rule:
    examples = {name: Example(network=ex["network"], hits=tuple(ex["hits"]), description=ex.get("description", ""))
                for name, ex in data["examples"].items()}
    return Rule(code=data["code"], name=data["name"], title=data["title"].strip(), severity=data["severity"],
                rationale=data["rationale"].strip(), remediation={k: v.strip() for k, v in data["remediation"].items()},
                references=tuple(data["references"]), check=data["check"], params=dict(data.get("params") or {}),
                examples=examples, path=shown)


def _check_file_name(rule: Rule, file_name: str, problems: ProblemCollector) -> None:
    expected = f"{rule.code}-{rule.name}.yaml"
    if file_name != expected:
        problems.add(rule.path, "file name does not match the rule's code and name", file_name, expected)


def _check_function(rule: Rule, problems: ProblemCollector) -> None:
    try:
        function = rule.function
    except (ImportError, AttributeError, TypeError, ValueError) as error:
        problems.add(f"{rule.path}#/check", f"cannot import the check ({type(error).__name__}: {error})",
                     rule.check, "module:function naming a function in an importable module")
        return
    try:
        inspect.signature(function).bind(None, **rule.params)
    except TypeError as error:
        problems.add(f"{rule.path}#/params", f"not accepted by {rule.check} ({error})",
                     rule.params, "the keyword parameters the check function takes")


def _check_unique(rules: list[Rule], problems: ProblemCollector) -> None:
    for attribute in ("code", "name"):
        seen: dict[str, Rule] = {}
        for rule in rules:
            value = getattr(rule, attribute)
            if value in seen:
                problems.add(rule.path, f"duplicate rule {attribute}, already used by {seen[value].path}",
                             value, f"a {attribute} unique across all rule folders")
            else:
                seen[value] = rule


def find_rule(rules: Iterable[Rule], code_or_name: str) -> Rule | None:
    wanted = code_or_name.strip()
    return next((r for r in rules if r.code == wanted.upper() or r.name == wanted.lower()), None)


# ---------------------------------------------------------------- running

def run_rules(network: Network, rules: Iterable[Rule], analyzer: Any = None) -> list[Finding]:
    """Run every rule against one network; findings sorted by (code, location, message)."""
    context = CheckContext.create(network, analyzer)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(run_rule(rule, context))
    return sorted(findings, key=sort_key)


def sort_key(finding: Finding) -> tuple:
    return (finding.code, finding.location, finding.message, finding.resource_ids)


def run_rule(rule: Rule, context: CheckContext) -> list[Finding]:
    try:
        hits = list(rule.function(context.for_rule(rule.severity), **rule.params))
    except Exception as error:  # noqa: BLE001 - any bug in one check must not abort the run
        return [crash_finding(rule, error)]
    return [finding_from_hit(rule, hit) for hit in hits]


def finding_from_hit(rule: Rule, hit: Hit) -> Finding:
    return Finding(code=rule.code, name=rule.name, severity=hit.severity or rule.severity, message=hit.message,
                   resource_ids=hit.resource_ids, location=hit.location, fingerprint=fingerprint(rule.code, hit),
                   title=rule.title, details=hit.details)


def crash_finding(rule: Rule, error: Exception) -> Finding:
    hit = Hit(resource_ids=(), message=f"rule {rule.code} {rule.name} crashed: {type(error).__name__}: {error}",
              location=rule.path, key=rule.code)
    return Finding(code=CRASH_CODE, name=CRASH_NAME, severity=CRASH_SEVERITY, message=hit.message,
                   resource_ids=(), location=rule.path, fingerprint=fingerprint(CRASH_CODE, hit),
                   title="A rule's check raised an error; its findings are missing")
