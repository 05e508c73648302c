"""Machine-readable output: findings, summary and sources; deterministic, no timestamps."""
from __future__ import annotations

import json

from ..checks.findings import Finding
from .base import SUPPRESSION_KINDS, CheckReport
from .locate import parse_location

JSON_FORMAT_VERSION = 1


def location_object(text: str) -> dict[str, str]:
    """The location split into file and JSON pointer, or file and Terraform address (or API call)."""
    location = parse_location(text)
    parts = {"text": text, "file": location.file, "pointer": location.pointer,
             "address": location.address, "call": location.call}
    return {key: value for key, value in parts.items() if value is not None}


def finding_object(finding: Finding, failing: bool) -> dict:
    return {
        "code": finding.code,
        "name": finding.name,
        "title": finding.title,
        "severity": finding.severity,
        "failing": failing,
        "message": finding.message,
        "resource_ids": list(finding.resource_ids),
        "location": location_object(finding.location),
        "fingerprint": finding.fingerprint,
        "details": {key: value for key, value in finding.details},
    }


def report_object(report: CheckReport) -> dict:
    return {
        "version": JSON_FORMAT_VERSION,
        "sources": list(report.sources),
        "fail_on": report.fail_on,
        "exit_code": int(report.exit_code),
        "findings": [finding_object(f, report.is_failing(f)) for f in report.findings],
        "summary": {
            "total": len(report.findings),
            "failing": len(report.failing()),
            "by_severity": report.counts_by_severity(),
            "suppressed": {k: report.suppressed.get(k, 0) for k in SUPPRESSION_KINDS},
            "stale_baseline": report.stale_baseline,
        },
        "intents": [{"name": i.name, "expect": i.expect, "status": i.status, "detail": i.detail}
                    for i in report.intents],
        "rules": [r.code for r in report.rules],
    }


def render_json(report: CheckReport) -> str:
    return json.dumps(report_object(report), indent=2) + "\n"
