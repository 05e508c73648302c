"""What every `vpcreach check` output format renders: one CheckReport, built once by the CLI."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from ..checks.findings import SEVERITIES, Finding, severity_rank

SUPPRESSION_KINDS = ("tag", "config", "baseline")
# Rule pages live in the repository (docs/rules/<CODE>.md). Reports that leave the machine (SARIF, PR
# comments) need absolute links; VPCREACH_DOCS_URL (the URL of the docs/ folder) points them at a fork or a tag.
DEFAULT_DOCS_URL = "https://github.com/vpcreach/vpcreach/blob/main/docs/"


def docs_base_url() -> str:
    base = os.environ.get("VPCREACH_DOCS_URL", DEFAULT_DOCS_URL)
    return base if base.endswith("/") else base + "/"


@dataclass(frozen=True)
class RuleInfo:
    """The catalogue metadata a report shows about a rule (a catalogue Rule minus its check function)."""

    code: str
    name: str
    title: str
    severity: str
    rationale: str = ""
    remediation: str = ""
    references: tuple[tuple[str, str], ...] = ()  # (title, url)
    docs_path: str = ""  # relative to the docs/ folder; default `rules/<CODE>.md`
    remediation_terraform: str = ""
    remediation_cli: str = ""

    @classmethod
    def of(cls, rule: object) -> "RuleInfo":
        """Accept a catalogue Rule (remediation {text, terraform, cli}, references [{title, url}]) or a RuleInfo."""
        if isinstance(rule, RuleInfo):
            return rule
        remediation = getattr(rule, "remediation", "") or ""
        if not isinstance(remediation, dict):
            remediation = {"text": str(remediation)}
        references = tuple(
            (str(r.get("title", r.get("url", ""))), str(r.get("url", ""))) if isinstance(r, dict) else (str(r), str(r))
            for r in getattr(rule, "references", ()) or ())
        return cls(
            code=getattr(rule, "code"), name=getattr(rule, "name"), title=getattr(rule, "title", "") or "",
            severity=getattr(rule, "severity"), rationale=getattr(rule, "rationale", "") or "",
            remediation=remediation.get("text", ""), references=references,
            remediation_terraform=remediation.get("terraform", ""), remediation_cli=remediation.get("cli", ""),
        )

    @property
    def docs_url(self) -> str:
        return docs_base_url() + (self.docs_path or f"rules/{self.code}.md")


@dataclass(frozen=True)
class IntentOutcome:
    """One intent from a policy file and what the engine answered."""

    name: str
    expect: str  # "reachable" | "unreachable"
    status: str  # "held" | "violated" | "inconclusive"
    detail: str = ""


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]  # reported (not suppressed), sorted
    rules: tuple[RuleInfo, ...]  # every rule that ran, sorted by code
    sources: tuple[str, ...]
    fail_on: str  # a severity, or "never"
    suppressed: Mapping[str, int] = field(default_factory=lambda: {k: 0 for k in SUPPRESSION_KINDS})
    intents: tuple[IntentOutcome, ...] = ()
    exit_code: int = 0
    stale_baseline: int = 0  # baseline entries that no longer match a finding (fixed since)

    def is_failing(self, finding: Finding) -> bool:
        return self.fail_on != "never" and severity_rank(finding.severity) >= severity_rank(self.fail_on)

    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if self.is_failing(f))

    def counts_by_severity(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def rule(self, code: str) -> RuleInfo | None:
        return next((r for r in self.rules if r.code == code), None)

    def reported_rules(self) -> tuple[RuleInfo, ...]:
        """Every rule that ran, plus a plain descriptor for any finding whose rule is not in the catalogue."""
        rules = {r.code: r for r in self.rules}
        for finding in self.findings:
            if finding.code not in rules:
                rules[finding.code] = RuleInfo(finding.code, finding.name, finding.title or finding.name,
                                               finding.severity)
        return tuple(rules[code] for code in sorted(rules))

    def findings_by_rule(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.code, []).append(finding)
        return grouped

    @property
    def suppressed_total(self) -> int:
        return sum(self.suppressed.values())

    def inconclusive_intents(self) -> tuple[IntentOutcome, ...]:
        return tuple(i for i in self.intents if i.status == "inconclusive")


def sort_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Most severe first, then by rule code, location, message and fingerprint, so output never depends on run order."""
    return tuple(sorted(findings, key=lambda f: (-severity_rank(f.severity), f.code, f.location, f.message,
                                                 f.resource_ids, f.fingerprint)))


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def summary_line(report: CheckReport) -> str:
    """The one-line verdict shared by text and Markdown output."""
    counts = report.counts_by_severity()
    parts = [f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s]]
    text = f"Found {plural(len(report.findings), 'finding')}"
    if parts:
        text += " (" + ", ".join(parts) + ")"
    text += "."
    if report.fail_on == "never":
        text += " Not failing on any severity (--fail-on never)."
    else:
        text += f" {len(report.failing())} at or above --fail-on {report.fail_on}."
    return text


def suppressed_line(report: CheckReport) -> str:
    counts = ", ".join(f"{report.suppressed.get(k, 0)} by {k}" for k in SUPPRESSION_KINDS)
    return f"Suppressed {report.suppressed_total}: {counts}."
