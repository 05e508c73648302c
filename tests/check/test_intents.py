"""Intent policies: validation with exact error lines, and evaluation against a scripted engine.

The scripted analyzer answers from a table, so these tests pin down how intents read the engine's answers
(every pair, violation vs inconclusive, what a finding carries); tests/check/test_check_cli.py runs the real engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from vpcreach.errors import InputError, Problem
from vpcreach.intents import INTENT_CODE, Intent, evaluate, load_policy, parse_port_range
from vpcreach.model import ALL_PORTS, ALL_PROTOCOLS, PortRange

# ---------------------------------------------------------------- validation


def load(tmp_path: Path, text: str) -> list[Intent]:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path, "policy.yaml")


def test_a_valid_policy(tmp_path: Path) -> None:
    intents = load(tmp_path, """
- name: db-private
  from: internet
  to: tag:Tier=db
  expect: unreachable
- name: app-to-db
  description: the app reads the database
  from: tag:Tier=app
  to: tag:Tier=db
  protocol: tcp
  port: 5432
  expect: reachable
  severity: critical
- name: ephemeral
  from: i-1
  to: 10.0.0.5
  protocol: udp
  port: 1024-65535
  expect: reachable
""")
    assert intents == [
        Intent("db-private", "internet", "tag:Tier=db", "unreachable", where="policy.yaml#/0"),
        Intent("app-to-db", "tag:Tier=app", "tag:Tier=db", "reachable", protocol=6, ports=PortRange(5432, 5432),
               severity="critical", description="the app reads the database", where="policy.yaml#/1"),
        Intent("ephemeral", "i-1", "10.0.0.5", "reachable", protocol=17, ports=PortRange(1024, 65535),
               where="policy.yaml#/2"),
    ]
    assert intents[1].traffic() == "tcp/5432" and intents[0].traffic() == "all"


BAD_POLICIES = [
    ("not-a-list", "name: x\n",
     ['policy.yaml: policy file is not a list of intents: {"name": "x"} (expected a YAML list of mappings with '
      'name, from, to and expect)']),
    ("empty", "",
     ["policy.yaml: policy file is empty (expected a YAML list of mappings with name, from, to and expect)"]),
    ("bad-yaml", "- name: [\n",
     None),  # the message quotes the YAML parser; checked by prefix below
    ("every-field-wrong", """
- name: web
  from: ""
  to: 5
  expect: maybe
  protocol: tcpx
  port: 70000
  severity: severe
  colour: red
- just a string
- from: a
  to: b
  protocol: icmp
  port: 22
""", [
        'policy.yaml#/0/colour: intent web: unknown field colour: "red" (expected one of name, description, from, '
        'to, protocol, port, expect, severity)',
        'policy.yaml#/0/expect: intent web: invalid expect: "maybe" (expected reachable or unreachable)',
        'policy.yaml#/0/from: intent web: invalid from: "" (expected an endpoint: internet, a resource id, an '
        'address, a Terraform address or tag:Key=Value)',
        'policy.yaml#/0/port: intent web: invalid port: 70000 (expected a port 0-65535 or a range such as '
        '1024-65535, only with protocol tcp or udp)',
        'policy.yaml#/0/protocol: intent web: invalid protocol: "tcpx" (expected tcp, udp, icmp, icmpv6, all, or '
        'a protocol number 0-255)',
        'policy.yaml#/0/severity: intent web: invalid severity: "severe" (expected one of info, low, medium, high, '
        'critical)',
        'policy.yaml#/0/to: intent web: invalid to: 5 (expected an endpoint: internet, a resource id, an address, a '
        'Terraform address or tag:Key=Value)',
        'policy.yaml#/1: intent #1 is not a mapping: "just a string" (expected a mapping with name, from, to and '
        'expect)',
        'policy.yaml#/2: intent #2: missing field expect (expected reachable or unreachable)',
        'policy.yaml#/2: intent #2: missing field name (expected a non-empty string, unique in the file)',
        'policy.yaml#/2/port: intent #2: port given for protocol icmp: 22 (expected no port, or protocol tcp or udp)',
    ]),
    ("duplicate-and-portless", """
- {name: a, from: internet, to: i-1, expect: unreachable}
- {name: b, from: internet, to: i-1, expect: reachable, port: 22}
- {name: a, from: internet, to: i-2, expect: unreachable}
""", [
        'policy.yaml#/1/port: intent b: port given without a protocol: 22 (expected protocol tcp or udp next to port)',
        'policy.yaml#/2/name: intent a: duplicate name: "a" (expected a name unique in the file (first used by '
        'intent #0))',
    ]),
]


@pytest.mark.parametrize("text, errors", [(t, e) for _, t, e in BAD_POLICIES], ids=[n for n, _, _ in BAD_POLICIES])
def test_policy_errors_name_file_item_field_value_and_expectation(tmp_path: Path, text: str, errors) -> None:
    with pytest.raises(InputError) as raised:
        load(tmp_path, text)
    lines = [p.line() for p in raised.value.problems]
    if errors is None:
        assert len(lines) == 1 and lines[0].startswith("policy.yaml: policy file is not valid YAML: ")
        assert lines[0].endswith("(expected a YAML list of intents)")
    else:
        assert lines == errors


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_policy(tmp_path / "absent.yaml", "absent.yaml")
    assert str(raised.value) == 'absent.yaml: cannot read policy file: "No such file or directory" (expected a readable YAML file)'


@pytest.mark.parametrize("value, expected", [
    (22, PortRange(22, 22)), ("1024-65535", PortRange(1024, 65535)), ("443", PortRange(443, 443)),
    (True, None), ("80-22", None), ("http", None), (-1, None), ("1-", None),
])
def test_port_ranges(value, expected) -> None:
    assert parse_port_range(value) == expected


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class FakeQuery:
    source: str
    destination: str
    protocol: int
    ports: PortRange | None


@dataclass(frozen=True)
class Hop:
    component: str


@dataclass(frozen=True)
class Explanation:
    component: str
    detail: str


@dataclass(frozen=True)
class Packet:
    text: str

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class Answer:
    verdict: str
    forward: tuple = ()
    explanations: tuple = ()
    packet: Packet | None = None


@dataclass
class ScriptedAnalyzer:
    """Answers per (source, destination) pair; records every query it was asked."""

    answers: dict[tuple[str, str], Answer]
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    asked: list[FakeQuery] = field(default_factory=list)

    def resolve(self, selector: str) -> tuple[str, ...]:
        if selector not in self.tags:
            raise InputError(Problem(selector, "no endpoint matches", None, "a tag on an instance or ENI"))
        return self.tags[selector]

    def query(self, query: FakeQuery) -> Answer:
        self.asked.append(query)
        return self.answers[(query.source, query.destination)]


REACHABLE = Answer("reachable", forward=(Hop("igw-1"), Hop("acl-1"), Hop("sg-db")),
                   packet=Packet("tcp 198.51.100.1:1024 -> 10.0.20.20:3389"))
BLOCKED = Answer("unreachable", explanations=(Explanation("acl-db", "rule 32767 denies"),
                                              Explanation("sg-db", "no rule allows tcp/5432 from 10.0.11.5")))
UNSURE = Answer("inconclusive")
TAGS = {"tag:Tier=db": ("i-db1", "i-db2"), "tag:Tier=app": ("i-app1", "i-app2")}


def run(intent: Intent, answers: dict) -> tuple:
    analyzer = ScriptedAnalyzer(answers, TAGS)
    [result] = evaluate([intent], analyzer, FakeQuery)
    return result, analyzer


def test_unreachable_intent_violated_by_one_pair_reports_the_path() -> None:
    intent = Intent("db-private", "internet", "tag:Tier=db", "unreachable", where="p.yaml#/0")
    result, analyzer = run(intent, {("internet", "i-db1"): BLOCKED, ("internet", "i-db2"): REACHABLE})
    assert analyzer.asked == [FakeQuery("internet", "i-db1", ALL_PROTOCOLS, None),
                              FakeQuery("internet", "i-db2", ALL_PROTOCOLS, None)]
    assert (result.outcome.status, result.outcome.detail) == ("violated", "1 of 2 endpoint pairs break it")
    [finding] = result.findings
    assert (finding.code, finding.name, finding.severity) == (INTENT_CODE, "intent-violated", "high")
    assert finding.message == ("intent db-private expects internet -> i-db2 (all) to be unreachable, but it is "
                               "reachable via igw-1 -> acl-1 -> sg-db")
    assert finding.resource_ids == ("i-db2", "internet")
    assert finding.location == "p.yaml#/0"
    assert dict(finding.details) == {"intent": "db-private", "expect": "unreachable", "path": "igw-1 -> acl-1 -> sg-db",
                                     "packet": "tcp 198.51.100.1:1024 -> 10.0.20.20:3389"}


def test_reachable_intent_means_every_pair_and_reports_the_blockers() -> None:
    intent = Intent("app-to-db", "tag:Tier=app", "tag:Tier=db", "reachable", protocol=6, ports=PortRange(5432, 5432),
                    severity="medium", where="p.yaml#/1")
    answers = {("i-app1", "i-db1"): REACHABLE, ("i-app1", "i-db2"): REACHABLE,
               ("i-app2", "i-db1"): BLOCKED, ("i-app2", "i-db2"): REACHABLE}
    result, analyzer = run(intent, answers)
    assert {q.ports for q in analyzer.asked} == {PortRange(5432, 5432)}
    [finding] = result.findings
    assert finding.severity == "medium"
    assert finding.message == ("intent app-to-db expects i-app2 -> i-db1 (tcp/5432) to be reachable, but it is "
                               "unreachable: blocked by acl-db: rule 32767 denies; sg-db: no rule allows tcp/5432 "
                               "from 10.0.11.5")


def test_tcp_without_port_means_every_port() -> None:
    intent = Intent("any-tcp", "i-app1", "i-db1", "reachable", protocol=6, where="p.yaml#/0")
    result, analyzer = run(intent, {("i-app1", "i-db1"): REACHABLE})
    assert analyzer.asked[0].ports == ALL_PORTS and result.outcome.status == "held" and result.findings == ()


def test_inconclusive_only_when_no_pair_violates() -> None:
    intent = Intent("db-private", "internet", "tag:Tier=db", "unreachable", where="p.yaml#/0")
    result, _ = run(intent, {("internet", "i-db1"): UNSURE, ("internet", "i-db2"): BLOCKED})
    assert (result.outcome.status, result.outcome.detail) == ("inconclusive",
                                                             "the engine could not decide internet -> i-db1")
    assert result.findings == ()
    result, _ = run(intent, {("internet", "i-db1"): UNSURE, ("internet", "i-db2"): REACHABLE})
    assert result.outcome.status == "violated"


def test_an_endpoint_is_not_checked_against_itself() -> None:
    intent = Intent("db-mesh", "tag:Tier=db", "tag:Tier=db", "reachable", where="p.yaml#/0")
    result, analyzer = run(intent, {("i-db1", "i-db2"): REACHABLE, ("i-db2", "i-db1"): REACHABLE})
    assert [(q.source, q.destination) for q in analyzer.asked] == [("i-db1", "i-db2"), ("i-db2", "i-db1")]
    assert result.outcome.status == "held"


def test_fingerprint_is_stable_and_differs_per_pair_and_intent() -> None:
    intent = Intent("db-private", "internet", "tag:Tier=db", "unreachable", where="p.yaml#/0")
    both = {("internet", "i-db1"): REACHABLE, ("internet", "i-db2"): REACHABLE}
    first, _ = run(intent, both)
    again, _ = run(intent, both)
    renamed, _ = run(Intent("other", "internet", "tag:Tier=db", "unreachable", where="p.yaml#/0"), both)
    prints = [f.fingerprint for f in first.findings]
    assert prints == [f.fingerprint for f in again.findings] and len(set(prints)) == 2
    assert not set(prints) & {f.fingerprint for f in renamed.findings}


def test_a_tag_that_names_nothing_is_bad_input_at_the_intent() -> None:
    intent = Intent("cache", "internet", "tag:Tier=cache", "unreachable", where="p.yaml#/3")
    with pytest.raises(InputError) as raised:
        run(intent, {})
    assert str(raised.value) == ('p.yaml#/3/to: intent cache: to names no endpoint: "tag:Tier=cache" (expected a '
                                 'selector that matches an endpoint (tag:Tier=cache: no endpoint matches (expected a '
                                 'tag on an instance or ENI)))')
