"""`vpcreach query` and `vpcreach exposure`: reachability questions from the command line."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..engine import Analyzer, Query, Result
from ..errors import InputError, ProblemCollector
from ..importers import load_source
from ..model import ALL_PROTOCOLS, TCP, UDP, PortRange, ValueProblem, parse_protocol
from ..report.reachability import render_exposure, render_result
from .exitcodes import Exit
from .main import app

PORT_EXPECTED = "a port N or a range N-M with 0 <= N <= M <= 65535"
PROTOCOL_EXPECTED = "a protocol name (tcp, udp, icmp, icmpv6, all) or number 0-255"


class Format(str, Enum):
    text = "text"
    json = "json"


class Expectation(str, Enum):
    reachable = "reachable"
    unreachable = "unreachable"


def parse_port(value: object, where: str) -> PortRange:
    text = str(value).strip()
    low, sep, high = text.partition("-")
    try:
        return PortRange(int(low), int(high) if sep else int(low))
    except (ValueError, ValueProblem):
        raise InputError.at(where, "not a port or port range", value, PORT_EXPECTED) from None


def build_query(where: str, source: object, destination: object, protocol: object, port: object,
                forward_only: object) -> Query:
    """One Query from user values, collecting every problem with them."""
    problems = ProblemCollector()
    for name, value in (("from", source), ("to", destination)):
        if not isinstance(value, str) or not value.strip():
            problems.add(f"{where}{name}", "missing or empty endpoint", value,
                         "an instance, ENI or subnet id, an IP address, internet, or tag:Key=Value")
    number = ALL_PROTOCOLS
    if protocol is not None:
        try:
            number = parse_protocol(protocol)
        except ValueProblem:
            problems.add(f"{where}protocol", "unknown protocol", protocol, PROTOCOL_EXPECTED)
    ports = None
    if port is not None:
        try:
            ports = parse_port(port, f"{where}port")
        except InputError as error:
            problems.problems.extend(error.problems)
        if protocol is None:
            number = TCP  # a port without a protocol means TCP, as in most tools
        elif number not in (TCP, UDP, ALL_PROTOCOLS) and not problems.problems:
            problems.add(f"{where}port", "ports apply to tcp and udp only", port, "no port for this protocol")
    if not isinstance(forward_only, bool):
        problems.add(f"{where}forward_only", "not a boolean", forward_only, "true or false")
    problems.raise_if_any()
    return Query(source.strip(), destination.strip(), number, ports, bool(forward_only))  # type: ignore[union-attr]


def exit_code(result: Result, expect: Optional[str]) -> int:
    if result.verdict == "inconclusive":
        return Exit.INCONCLUSIVE
    if expect is not None and result.verdict != expect:
        return Exit.FINDINGS
    return Exit.OK


def _batch_queries(path: Path) -> list[tuple[Query, Optional[str]]]:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError.at(where, "cannot read the batch file", error.strerror, "a readable JSON file") from None
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError.at(f"{where}:{error.lineno}:{error.colno}", "invalid JSON", error.msg,
                            "a JSON list of query objects") from None
    if not isinstance(items, list):
        raise InputError.at(where, "not a list of queries", type(items).__name__,
                            'a JSON list like [{"from": "i-1", "to": "internet", "protocol": "tcp", "port": 443}]')
    queries, problems = [], ProblemCollector()
    allowed = {"from", "to", "protocol", "port", "forward_only", "expect"}
    for index, item in enumerate(items):
        pointer = f"{where}#/{index}/"
        if not isinstance(item, dict):
            problems.add(f"{where}#/{index}", "not a query object", item, "an object with from and to")
            continue
        for key in sorted(set(item) - allowed):
            problems.add(pointer + key, "unknown field", key, "one of " + ", ".join(sorted(allowed)))
        expect = item.get("expect")
        if expect is not None and expect not in ("reachable", "unreachable"):
            problems.add(pointer + "expect", "unknown expectation", expect, "reachable or unreachable")
        try:
            port = item.get("port")
            queries.append((build_query(pointer, item.get("from"), item.get("to"), item.get("protocol"),
                                        None if port is None else port, item.get("forward_only", False)), expect))
        except InputError as error:
            problems.problems.extend(error.problems)
    problems.raise_if_any()
    return queries


@app.command()
def query(
    source: str = typer.Argument(..., metavar="SOURCE", help="describe-* folder, Terraform plan/state JSON, or aws:"),
    from_: Optional[str] = typer.Option(None, "--from", help="instance, ENI or subnet id, IP, internet, tag:K=V"),
    to: Optional[str] = typer.Option(None, "--to", help="instance, ENI or subnet id, IP, internet, tag:K=V"),
    protocol: Optional[str] = typer.Option(None, "--protocol", help="tcp, udp, icmp, icmpv6, all or 0-255"),
    port: Optional[str] = typer.Option(None, "--port", help="destination port N or range N-M"),
    forward_only: bool = typer.Option(False, "--forward-only", help="only the first packet, not the reply"),
    output_format: Format = typer.Option(Format.text, "--format", help="text or json"),
    expect: Optional[Expectation] = typer.Option(None, "--expect", help="exit 1 when the answer differs"),
    batch: Optional[Path] = typer.Option(None, "--batch", help="JSON list of queries; one JSON result per line"),
    ephemeral_ports: str = typer.Option("1024-65535", "--ephemeral-ports",
                                        help="the client's source ports, which replies must reach"),
) -> None:
    """Can A reach B? Shows the path there and back, or every rule and route that blocks it."""
    if batch is None and (from_ is None or to is None):
        raise InputError.at("vpcreach query", "missing --from or --to", None, "--from A --to B, or --batch FILE")
    ephemeral = parse_port(ephemeral_ports, "--ephemeral-ports")
    questions = _batch_queries(batch) if batch is not None else \
        [(build_query("--", from_, to, protocol, port, forward_only), expect.value if expect else None)]
    questions = [(replace(q, ephemeral=ephemeral), e) for q, e in questions]
    analyzer = Analyzer(load_source(source))
    codes = []
    for question, expected in questions:
        result = analyzer.query(question)
        codes.append(exit_code(result, expected))
        if batch is not None:
            sys.stdout.write(json.dumps(result.to_dict(), sort_keys=True) + "\n")
        elif output_format is Format.json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
        else:
            sys.stdout.write(render_result(result))
    raise typer.Exit(_worst(codes))


def _worst(codes: list[int]) -> int:
    """Inconclusive outranks a failed expectation: a gate must not pass or fail on a guess."""
    for code in (Exit.INCONCLUSIVE, Exit.FINDINGS):
        if code in codes:
            return code
    return Exit.OK


@app.command()
def exposure(
    source: str = typer.Argument(..., metavar="SOURCE", help="describe-* folder, Terraform plan/state JSON, or aws:"),
    output_format: Format = typer.Option(Format.text, "--format", help="text or json"),
) -> None:
    """Every network interface the internet can reach: protocols, ports, address and gateway."""
    network = load_source(source)
    exposures = Analyzer(network).exposure()
    if output_format is Format.json:
        sys.stdout.write(json.dumps({"exposures": [e.to_dict() for e in exposures]}, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_exposure(network, exposures))
