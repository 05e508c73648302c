"""The default output: one ruff-concise-like line per finding, then the summary."""
from __future__ import annotations

from .base import CheckReport, plural, summary_line, suppressed_line


def finding_line(finding) -> str:
    return f"{finding.location}: {finding.code} {finding.name} [{finding.severity}] {finding.message}"


def render_text(report: CheckReport) -> str:
    lines = [finding_line(f) for f in report.findings]
    if lines:
        lines.append("")
    lines.append(summary_line(report))
    lines.append(suppressed_line(report))
    if report.stale_baseline:
        lines.append(f"{plural(report.stale_baseline, 'baseline entry', 'baseline entries')} matched no finding "
                     "(fixed since; rewrite the baseline with --write-baseline to drop them).")
    for intent in report.intents:
        if intent.status == "inconclusive":
            lines.append(f"Intent {intent.name!r} is inconclusive: {intent.detail}")
    if report.intents:
        held = sum(1 for i in report.intents if i.status == "held")
        lines.append(f"Intents: {len(report.intents)} checked, {held} held, "
                     f"{len(report.intents) - held - len(report.inconclusive_intents())} violated, "
                     f"{len(report.inconclusive_intents())} inconclusive.")
    return "\n".join(lines) + "\n"
