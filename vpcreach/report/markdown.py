"""A pull-request comment: summary line, a table by severity, then one collapsed section per rule."""
from __future__ import annotations

from ..checks.findings import SEVERITIES
from .base import SUPPRESSION_KINDS, CheckReport, plural, summary_line

STATUS_ICON = {True: ":x:", False: ":white_check_mark:"}


def cell(text: str) -> str:
    """Table-safe: pipes and newlines would break the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def code_span(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def _severity_table(report: CheckReport) -> list[str]:
    counts = report.counts_by_severity()
    rows = ["| severity | findings | fails the check |", "|---|---:|---|"]
    for severity in reversed(SEVERITIES):
        failing = report.fail_on != "never" and SEVERITIES.index(severity) >= SEVERITIES.index(report.fail_on)
        rows.append(f"| {severity} | {counts[severity]} | {'yes' if failing else 'no'} |")
    return rows


def _rule_section(report: CheckReport, code: str, findings: list) -> list[str]:
    rule = next(r for r in report.reported_rules() if r.code == code)
    failing = sum(1 for f in findings if report.is_failing(f))
    summary = (f"{STATUS_ICON[failing > 0]} <b>{code}</b> {rule.name}: {plural(len(findings), 'finding')}"
               f" ({failing} failing)")
    lines = ["<details>", f"<summary>{summary}</summary>", ""]
    if rule.title:
        lines += [f"**{cell(rule.title)}** ([rule documentation]({rule.docs_url}))", ""]
    else:
        lines += [f"[Rule documentation]({rule.docs_url})", ""]
    lines += ["| severity | resources | location | message |", "|---|---|---|---|"]
    for finding in findings:
        resources = ", ".join(code_span(r) for r in finding.resource_ids)
        lines.append(f"| {finding.severity} | {cell(resources)} | {cell(code_span(finding.location))} "
                     f"| {cell(finding.message)} |")
    lines += ["", "</details>", ""]
    return lines


def render_markdown(report: CheckReport) -> str:
    failed = bool(report.failing())
    lines = [f"### {STATUS_ICON[failed]} vpcreach check", "", summary_line(report), ""]
    lines += _severity_table(report) + [""]
    suppressed = ", ".join(f"{report.suppressed.get(k, 0)} by {k}" for k in SUPPRESSION_KINDS)
    lines += [f"Suppressed: {report.suppressed_total} ({suppressed}).", ""]
    if report.stale_baseline:
        lines += [f"{plural(report.stale_baseline, 'baseline entry', 'baseline entries')} matched no finding.", ""]
    for intent in report.inconclusive_intents():
        lines += [f":warning: Intent **{cell(intent.name)}** is inconclusive: {cell(intent.detail)}", ""]
    for code, findings in sorted(report.findings_by_rule().items()):
        lines += _rule_section(report, code, findings)
    sources = ", ".join(code_span(s) for s in report.sources)
    lines.append(f"<sub>Sources: {sources}</sub>")
    return "\n".join(lines) + "\n"
