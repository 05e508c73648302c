"""JUnit XML for CI test tabs: one testsuite per rule that ran, one testcase per finding.

A finding at or above --fail-on is a <failure>; one below it is a passing testcase (with the message in
system-out) so the CI tab still lists it. A rule without findings gets one passing testcase, so the report
shows what was checked, not only what failed. Run-wide facts (sources, --fail-on, suppressed counts) are
repeated as each suite's <properties>, the only place the common JUnit schemas allow them.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..checks.findings import Finding
from .base import SUPPRESSION_KINDS, CheckReport, RuleInfo


def _properties(report: CheckReport) -> ET.Element:
    properties = ET.Element("properties")
    values = [("fail_on", report.fail_on)]
    values += [(f"suppressed.{kind}", str(report.suppressed.get(kind, 0))) for kind in SUPPRESSION_KINDS]
    values += [("source", source) for source in report.sources]
    for name, value in values:
        ET.SubElement(properties, "property", {"name": name, "value": value})
    return properties


def _testcase(rule: RuleInfo, finding: Finding, report: CheckReport) -> ET.Element:
    case = ET.Element("testcase", {"classname": f"vpcreach.{rule.code}",
                                   "name": f"{finding.location} [{finding.fingerprint}]"})
    text = f"{finding.message}\nresources: {', '.join(finding.resource_ids)}\nseverity: {finding.severity}"
    if report.is_failing(finding):
        ET.SubElement(case, "failure", {"message": finding.message, "type": finding.severity}).text = text
    else:
        ET.SubElement(case, "system-out").text = text
    return case


def _suite(rule: RuleInfo, findings: list[Finding], report: CheckReport) -> ET.Element:
    suite = ET.Element("testsuite", {
        "name": f"{rule.code} {rule.name}",
        "tests": str(max(len(findings), 1)),
        "failures": str(sum(1 for f in findings if report.is_failing(f))),
        "errors": "0",
        "skipped": "0",
    })
    suite.append(_properties(report))
    if not findings:
        ET.SubElement(suite, "testcase", {"classname": f"vpcreach.{rule.code}", "name": "no findings"})
    for finding in findings:
        suite.append(_testcase(rule, finding, report))
    return suite


def _inconclusive_suite(report: CheckReport) -> ET.Element:
    """Intents the engine could not decide are errors (neither pass nor fail), as exit code 3 says."""
    inconclusive = report.inconclusive_intents()
    suite = ET.Element("testsuite", {"name": "intents inconclusive", "tests": str(len(inconclusive)),
                                     "failures": "0", "errors": str(len(inconclusive)), "skipped": "0"})
    suite.append(_properties(report))
    for intent in inconclusive:
        case = ET.SubElement(suite, "testcase", {"classname": "vpcreach.intents", "name": intent.name})
        ET.SubElement(case, "error", {"message": f"inconclusive: {intent.detail}", "type": "inconclusive"})
    return suite


def render_junit(report: CheckReport) -> str:
    grouped = report.findings_by_rule()
    suites = [_suite(rule, grouped.get(rule.code, []), report) for rule in report.reported_rules()]
    if report.inconclusive_intents():
        suites.append(_inconclusive_suite(report))
    root = ET.Element("testsuites", {
        "name": "vpcreach check",
        "tests": str(sum(int(s.get("tests", "0")) for s in suites)),
        "failures": str(len(report.failing())),
        "errors": str(len(report.inconclusive_intents())),
    })
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
