"""Intent policies: a YAML list of what must and must not be reachable, checked by the reachability engine.

    - name: db-private
      from: internet
      to: tag:Tier=db
      expect: unreachable
    - name: app-to-db
      from: tag:Tier=app
      to: tag:Tier=db
      protocol: tcp
      port: 5432
      expect: reachable

Selectors (`from`, `to`) are anything the engine takes as an endpoint: `internet`, an instance/ENI/subnet id,
an address, a Terraform address, or `tag:Key=Value`. A tag names a set of endpoints, and an intent is read
for every pair: `unreachable` holds when no pair is reachable, `reachable` holds when every pair is.
Each pair that breaks an intent is one VPC900 finding; a pair the engine cannot decide (and no pair that
breaks it) makes the intent inconclusive, which `vpcreach check` turns into exit code 3.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from .checks.findings import SEVERITIES, Finding, Hit, fingerprint
from .errors import InputError, Problem, ProblemCollector, read_document, show_value
from .model import ALL_PORTS, ALL_PROTOCOLS, TCP, UDP, PortRange, ValueProblem, parse_protocol, protocol_label
from .report.base import IntentOutcome, RuleInfo

INTENT_CODE = "VPC900"
INTENT_RULE = RuleInfo(
    code=INTENT_CODE,
    name="intent-violated",
    title="A reachability intent from the policy file does not hold",
    severity="high",
    rationale=("The policy file states what must and must not be reachable. The network as modelled "
               "contradicts one of those statements."),
    remediation=("Follow the path (for an unwanted reachable intent) or the blockers (for a wanted one) "
                 "in the finding, and change the security group, NACL or route that decides it."),
    docs_path="ci/check.md#intent-policies",
)
EXPECTATIONS = ("reachable", "unreachable")
FIELDS = ("name", "description", "from", "to", "protocol", "port", "expect", "severity")
REQUIRED = ("name", "from", "to", "expect")


@dataclass(frozen=True)
class Intent:
    name: str
    source: str
    destination: str
    expect: str
    protocol: int = ALL_PROTOCOLS
    ports: PortRange | None = None  # None: every port (or no ports, for a portless protocol)
    severity: str = INTENT_RULE.severity
    description: str = ""
    where: str = ""  # policy file and JSON pointer of the item

    def traffic(self) -> str:
        label = protocol_label(self.protocol)
        return f"{label}/{self.ports}" if self.ports is not None else label


# ---------------------------------------------------------------- loading and validating

def load_policy(path: Path, shown: str | None = None) -> list[Intent]:
    """Parse and validate a policy file; all problems are raised together (InputError, exit 2)."""
    where = shown or str(path)
    document = read_document(path, where, "policy file", yaml.safe_load, (yaml.YAMLError,), "YAML",
                             "a readable YAML file", "a YAML list of intents",
                             detail=lambda error: " ".join(str(error).split()))
    if document is None or document == []:
        raise InputError.at(where, "policy file is empty", None, "a YAML list of mappings with name, from, to and expect")
    if not isinstance(document, list):
        raise InputError.at(where, "policy file is not a list of intents", document,
                            "a YAML list of mappings with name, from, to and expect")
    problems = ProblemCollector()
    intents = [_parse_item(item, index, where, problems) for index, item in enumerate(document)]
    _check_unique_names(intents, where, problems)
    problems.raise_if_any()
    return [i for i in intents if i is not None]


def _parse_item(item: object, index: int, where: str, problems: ProblemCollector) -> Intent | None:
    here = f"{where}#/{index}"
    if not isinstance(item, dict):
        problems.add(here, f"intent #{index} is not a mapping", item, "a mapping with name, from, to and expect")
        return None
    name = item.get("name")
    label = f"intent {name}" if isinstance(name, str) and name else f"intent #{index}"
    before = len(problems.problems)
    for key in sorted(set(map(str, item)) - set(FIELDS)):
        problems.add(f"{here}/{key}", f"{label}: unknown field {key}", item.get(key), "one of " + ", ".join(FIELDS))
    for key in REQUIRED:
        if key not in item:
            problems.add(here, f"{label}: missing field {key}", None, _EXPECTED[key])
    for key in ("name", "from", "to", "description"):
        if key in item and not (isinstance(item[key], str) and item[key].strip()):
            problems.add(f"{here}/{key}", f"{label}: invalid {key}", item[key], _EXPECTED[key])
    expect = item.get("expect")
    if "expect" in item and expect not in EXPECTATIONS:
        problems.add(f"{here}/expect", f"{label}: invalid expect", expect, _EXPECTED["expect"])
    severity = item.get("severity", INTENT_RULE.severity)
    if severity not in SEVERITIES:
        problems.add(f"{here}/severity", f"{label}: invalid severity", severity, _EXPECTED["severity"])
    protocol = _protocol(item, here, label, problems)
    ports = _ports(item, protocol, here, label, problems)
    if len(problems.problems) > before:
        return None
    return Intent(name=name, source=item["from"].strip(), destination=item["to"].strip(), expect=expect,
                  protocol=protocol, ports=ports, severity=severity,
                  description=item.get("description", "") or "", where=here)


_EXPECTED = {
    "name": "a non-empty string, unique in the file",
    "from": "an endpoint: internet, a resource id, an address, a Terraform address or tag:Key=Value",
    "to": "an endpoint: internet, a resource id, an address, a Terraform address or tag:Key=Value",
    "description": "a non-empty string",
    "expect": "reachable or unreachable",
    "severity": "one of " + ", ".join(SEVERITIES),
    "protocol": "tcp, udp, icmp, icmpv6, all, or a protocol number 0-255",
    "port": "a port 0-65535 or a range such as 1024-65535, only with protocol tcp or udp",
}


def _protocol(item: dict, here: str, label: str, problems: ProblemCollector) -> int:
    if "protocol" not in item:
        return ALL_PROTOCOLS
    try:
        return parse_protocol(item["protocol"])
    except ValueProblem:
        problems.add(f"{here}/protocol", f"{label}: invalid protocol", item["protocol"], _EXPECTED["protocol"])
        return ALL_PROTOCOLS


def _ports(item: dict, protocol: int, here: str, label: str, problems: ProblemCollector) -> PortRange | None:
    if "port" not in item:
        return None
    value = item["port"]
    ports = parse_port_range(value)
    if ports is None:
        problems.add(f"{here}/port", f"{label}: invalid port", value, _EXPECTED["port"])
    elif protocol not in (TCP, UDP) and "protocol" in item:
        problems.add(f"{here}/port", f"{label}: port given for protocol {protocol_label(protocol)}", value,
                     "no port, or protocol tcp or udp")
        return None
    elif "protocol" not in item:
        problems.add(f"{here}/port", f"{label}: port given without a protocol", value,
                     "protocol tcp or udp next to port")
        return None
    return ports


def parse_port_range(value: object) -> PortRange | None:
    """5432 or "1024-65535" (bool is not a port, though YAML's `yes` would be an int subclass)."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return PortRange(value, value)
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", value)
            if match:
                return PortRange(int(match[1]), int(match[2] or match[1]))
    except ValueProblem:
        return None
    return None


def _check_unique_names(intents: list[Intent | None], where: str, problems: ProblemCollector) -> None:
    first_index: dict[str, int] = {}
    for intent in intents:
        if intent is None:
            continue
        index = int(intent.where.rsplit("/", 1)[1])
        if intent.name in first_index:
            problems.add(f"{where}#/{index}/name", f"intent {intent.name}: duplicate name", intent.name,
                         f"a name unique in the file (first used by intent #{first_index[intent.name]})")
        else:
            first_index[intent.name] = index


# ---------------------------------------------------------------- evaluating

@dataclass(frozen=True)
class IntentResult:
    outcome: IntentOutcome
    findings: tuple[Finding, ...]


def endpoints(analyzer: Any, selector: str, intent: Intent, field_name: str) -> tuple[str, ...]:
    """A tag names a set of endpoints (resolved by the engine); anything else is one endpoint the engine checks."""
    if not selector.startswith("tag:"):
        return (selector,)
    try:
        return tuple(sorted(analyzer.resolve(selector)))
    except InputError as error:
        detail = "; ".join(p.line() for p in error.problems)
        raise InputError(Problem(f"{intent.where}/{field_name}", f"intent {intent.name}: {field_name} names no endpoint",
                                 show_value(selector), f"a selector that matches an endpoint ({detail})")) from None


def evaluate(intents: Iterable[Intent], analyzer: Any, query_type: Any = None) -> list[IntentResult]:
    """Check every intent against the engine; query errors (bad endpoints) are raised as InputError.

    query_type is the engine's Query class (imported here only when a policy is given)."""
    if query_type is None:
        from .engine import Query as query_type
    return [evaluate_intent(intent, analyzer, query_type) for intent in intents]


def evaluate_intent(intent: Intent, analyzer: Any, query_type: Any) -> IntentResult:
    sources = endpoints(analyzer, intent.source, intent, "from")
    destinations = endpoints(analyzer, intent.destination, intent, "to")
    findings: list[Finding] = []
    undecided: list[str] = []
    for source in sources:
        for destination in destinations:
            if source == destination:
                continue  # an endpoint talking to itself never crosses the network
            query = query_type(source=source, destination=destination, protocol=intent.protocol,
                          ports=intent.ports if intent.ports is not None else _default_ports(intent.protocol))
            result = _query(analyzer, query, intent)
            if result.verdict == "inconclusive":
                undecided.append(f"{source} -> {destination}")
            elif (result.verdict == "reachable") != (intent.expect == "reachable"):
                findings.append(violation(intent, source, destination, result))
    return IntentResult(_outcome(intent, findings, undecided, len(sources) * len(destinations)), tuple(findings))


def _default_ports(protocol: int) -> PortRange | None:
    return ALL_PORTS if protocol in (TCP, UDP) else None


def _query(analyzer: Any, query: Any, intent: Intent) -> Any:
    try:
        return analyzer.query(query)
    except InputError as error:
        raise InputError([Problem(f"{intent.where}", f"intent {intent.name}: {p.what}", p.value, p.expected, p.hint)
                          for p in error.problems]) from None


def _outcome(intent: Intent, findings: list[Finding], undecided: list[str], pairs: int) -> IntentOutcome:
    if findings:
        return IntentOutcome(intent.name, intent.expect, "violated",
                             f"{len(findings)} of {pairs} endpoint pairs break it")
    if undecided:
        return IntentOutcome(intent.name, intent.expect, "inconclusive",
                             "the engine could not decide " + ", ".join(undecided))
    return IntentOutcome(intent.name, intent.expect, "held", "")


def violation(intent: Intent, source: str, destination: str, result: Any) -> Finding:
    actual = "reachable" if intent.expect == "unreachable" else "unreachable"
    message = (f"intent {intent.name} expects {source} -> {destination} ({intent.traffic()}) to be "
               f"{intent.expect}, but it is {actual}")
    details: list[tuple[str, str]] = [("intent", intent.name), ("expect", intent.expect)]
    if actual == "reachable":
        path = " -> ".join(hop.component for hop in result.forward)
        if path:
            message += f" via {path}"
            details.append(("path", path))
        if result.packet is not None:
            details.append(("packet", result.packet.describe()))
    else:
        blockers = [f"{e.component}: {e.detail}" for e in result.explanations]
        if blockers:
            message += ": blocked by " + "; ".join(blockers)
            details.append(("blocked_by", "; ".join(blockers)))
    hit = Hit(resource_ids=(destination, source), message=message, location=intent.where,
              severity=intent.severity, key=intent.name, details=tuple(details))
    return Finding(code=INTENT_CODE, name=INTENT_RULE.name, severity=intent.severity, message=message,
                   resource_ids=hit.resource_ids, location=hit.location, fingerprint=fingerprint(INTENT_CODE, hit),
                   title=INTENT_RULE.title, details=hit.details)
