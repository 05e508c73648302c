"""SARIF 2.1.0 for GitHub code scanning.

GitHub reads: tool.driver.rules[] (id, name, short/fullDescription, help text+markdown, helpUri,
properties.security-severity as a number string and tags), results[] with ruleId/ruleIndex, level, message,
a physical location whose uri is relative to the repository root with forward slashes and a region,
and partialFingerprints (it deduplicates alerts across runs by them). Plans add the Terraform address as a
logical location.
"""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from .. import __version__
from ..checks.findings import Finding
from .base import SUPPRESSION_KINDS, CheckReport, RuleInfo
from .locate import Location, line_in_file, parse_location

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/vpcreach/vpcreach"
# GitHub maps security-severity > 9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, <= 3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def artifact_uri(file: str, root: Path | None = None) -> str:
    """Relative to the repository root (the working directory) with forward slashes, as GitHub requires."""
    root = (root or Path.cwd()).resolve()
    path = Path(file)
    absolute = path if path.is_absolute() else (Path.cwd() / path)
    try:
        relative = absolute.resolve().relative_to(root)
    except ValueError:
        return absolute.resolve().as_uri()  # outside the repository: GitHub cannot show it, but the path stays true
    return str(PurePosixPath(*relative.parts))


def help_markdown(rule: RuleInfo) -> str:
    parts = [f"**{rule.title or rule.name}**"]
    if rule.rationale:
        parts.append(rule.rationale.strip())
    if rule.remediation:
        parts.append(f"**Remediation:** {rule.remediation.strip()}")
    if rule.remediation_terraform:
        parts.append("```hcl\n" + rule.remediation_terraform.strip() + "\n```")
    if rule.remediation_cli:
        parts.append("```sh\n" + rule.remediation_cli.strip() + "\n```")
    links = [f"- [Rule documentation]({rule.docs_url})"] + [f"- [{title}]({url})" for title, url in rule.references]
    parts.append("\n".join(links))
    return "\n\n".join(parts)


def rule_descriptor(rule: RuleInfo) -> dict:
    help_text = " ".join(p.strip() for p in (rule.rationale, f"Remediation: {rule.remediation}" if rule.remediation else "")
                         if p) or rule.title or rule.name
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title or rule.name},
        "fullDescription": {"text": rule.rationale or rule.title or rule.name},
        "help": {"text": help_text, "markdown": help_markdown(rule)},
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "tags": ["security", "network", "aws", f"severity/{rule.severity}"],
            "precision": "high",
        },
    }


def result_locations(location: Location) -> tuple[list[dict], list[dict]]:
    physical: list[dict] = []
    if location.file:
        region = {"startLine": line_in_file(location) or 1}
        physical.append({"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(location.file)},
            "region": region,
        }})
    logical: list[dict] = []
    if location.address:
        logical.append({"fullyQualifiedName": location.address, "kind": "resource",
                        "name": location.address.rsplit(".", 1)[-1]})
    return physical, logical


def result_object(finding: Finding, rule_index: int, report: CheckReport) -> dict:
    location = parse_location(finding.location)
    physical, logical = result_locations(location)
    result: dict = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "partialFingerprints": {"vpcreachFingerprint/v1": finding.fingerprint},
        "properties": {
            "severity": finding.severity,
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "resource_ids": list(finding.resource_ids),
            "failing": report.is_failing(finding),
        },
    }
    locations = physical or ([{}] if logical else [])
    if logical:
        locations[0]["logicalLocations"] = logical
    if locations:  # a live (API) source has no file to point at; its resource ids stay in properties
        result["locations"] = locations
    if finding.details:
        result["properties"]["details"] = {k: v for k, v in finding.details}
    return result


def render_sarif(report: CheckReport) -> str:
    rules = report.reported_rules()  # every result's ruleIndex must point at a descriptor
    index = {rule.code: position for position, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {
            "name": "vpcreach",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(r) for r in rules],
        }},
        "results": [result_object(f, index[f.code], report) for f in report.findings],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "sources": list(report.sources),
            "fail_on": report.fail_on,
            "suppressed": {k: report.suppressed.get(k, 0) for k in SUPPRESSION_KINDS},
            "stale_baseline": report.stale_baseline,
        },
    }
    if report.intents:
        run["properties"]["intents"] = [{"name": i.name, "expect": i.expect, "status": i.status}
                                        for i in report.intents]
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"
