"""`vpcreach check`: run the rule catalogue (and intent policies) as a CI / Terraform plan gate.

Exit codes, most important first when several apply:
  2  bad input or usage (nothing was checked, or not all of it)
  3  an intent in --policy is inconclusive (the gate cannot vouch for the network either way)
  1  a finding at or above --fail-on (default: high) is left after suppression and baseline
  0  otherwise
Inconclusive ranks above findings because a gate that could not decide must not read as an ordinary,
fixable failure: the findings are still printed, and fixing them alone would not make the gate pass.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, List, Optional

import typer

from ..checks.findings import Finding
from ..config import (
    DEFAULT_FAIL_ON, FAIL_ON_CHOICES, Config, apply_suppressions, find_config_file, load_config,
    parse_code_list, read_baseline, selected_codes, suppressed_counts, unknown_selectors, with_cli_overrides,
    write_baseline,
)
from ..errors import InputError, Problem, show_value
from ..report.base import CheckReport, IntentOutcome, RuleInfo, sort_findings, summary_line
from ..report.render import FORMATS, render
from .exitcodes import Exit
from .main import app

SELECTOR_EXPECTED = "a rule code or prefix such as VPC010, VPC0 or ALL"


@dataclass(frozen=True)
class CheckOptions:
    sources: tuple[str, ...]
    policy: str | None = None
    output_format: str = "text"
    output: str | None = None
    write_baseline: str | None = None
    config_file: str | None = None
    isolated: bool = False
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str | None = None
    rules: tuple[str, ...] | None = None
    baseline: str | None = None


@app.command("check")
def check(
    sources: List[str] = typer.Argument(..., metavar="SOURCE...", show_default=False,
                                        help="describe-* folders or files, Terraform plan/state JSON; merged."),
    policy: Optional[str] = typer.Option(None, "--policy", metavar="FILE", help="YAML intent policy (what must / must not be reachable)."),
    rules: List[str] = typer.Option([], "--rules", metavar="DIR", help="Extra folder of rule YAML files; repeatable."),
    select: List[str] = typer.Option([], "--select", metavar="CODES", help="Only these rule codes or prefixes (comma separated, repeatable)."),
    ignore: List[str] = typer.Option([], "--ignore", metavar="CODES", help="Skip these rule codes or prefixes (comma separated, repeatable)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="SEVERITY",
                                          help=f"Exit 1 on a finding at or above: {', '.join(FAIL_ON_CHOICES)} "
                                               f"(default {DEFAULT_FAIL_ON})."),
    output_format: str = typer.Option("text", "--format", metavar="FORMAT", help=f"One of: {', '.join(FORMATS)}."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to this file (not stdout)."),
    baseline: Optional[str] = typer.Option(None, "--baseline", metavar="FILE", help="Hide findings whose fingerprint is in this file."),
    write_baseline_to: Optional[str] = typer.Option(None, "--write-baseline", metavar="FILE",
                                                    help="Write the current findings as a baseline, then apply it."),
    config_file: Optional[str] = typer.Option(None, "--config", metavar="FILE",
                                              help="Config file (default: the nearest .vpcreach.toml, or "
                                                   "pyproject.toml with a tool.vpcreach table)."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore every config file."),
) -> None:
    """Lint networks and check intents; exit 0 clean, 1 findings, 2 bad input, 3 inconclusive intent."""
    options = CheckOptions(
        sources=tuple(sources), policy=policy, output_format=output_format, output=output,
        write_baseline=write_baseline_to, config_file=config_file, isolated=isolated,
        select=_codes(select), ignore=_codes(ignore), fail_on=fail_on,
        rules=tuple(rules) if rules else None, baseline=baseline,
    )
    raise typer.Exit(run_check(options))


def _codes(values: Iterable[str]) -> tuple[str, ...] | None:
    codes = tuple(code for value in values for code in parse_code_list(value))
    return codes or None


def run_check(options: CheckOptions) -> int:
    """Everything `check` does, callable from tests; returns the exit code (InputError propagates as exit 2)."""
    _validate_choices(options)
    config = with_cli_overrides(
        _base_config(options), select=options.select, ignore=options.ignore, fail_on=options.fail_on,
        rules=options.rules, baseline=options.baseline,
    )
    from ..checks.catalogue import CRASH_CODE, load_catalogue, run_rules  # the heavy imports, after cheap validation
    from ..importers import load_sources
    from ..intents import INTENT_CODE, INTENT_RULE, evaluate, load_policy

    rules_by_code = {r.code: r for r in load_catalogue(list(config.rules))}
    catalogue = [RuleInfo.of(r) for r in rules_by_code.values()]
    known_codes = set(rules_by_code) | {INTENT_CODE, CRASH_CODE}  # VPC000: a rule that crashed
    _check_selectors(config, known_codes, options)
    chosen = selected_codes(known_codes, config.select, config.ignore)
    intents = load_policy(Path(options.policy), options.policy) if options.policy else []
    accepted = read_baseline(Path(config.baseline), config.baseline) if config.baseline else frozenset()

    network = load_sources(list(options.sources))
    analyzer = _analyzer(network) if intents and INTENT_CODE in chosen else None
    selected_rules = [rules_by_code[c] for c in sorted(chosen) if c in rules_by_code]
    findings = list(run_rules(network, selected_rules, analyzer=analyzer))
    outcomes: list[IntentOutcome] = []
    if analyzer is not None:
        for result in evaluate(intents, analyzer):
            outcomes.append(result.outcome)
            findings.extend(result.findings)

    kept, hidden = apply_suppressions(findings, network, config, accepted)
    if options.write_baseline:
        current = kept + [h.finding for h in hidden if h.kind == "baseline"]
        _write_baseline(options.write_baseline, current)
        accepted = frozenset(f.fingerprint for f in current)
        kept, hidden = apply_suppressions(findings, network, config, accepted)

    ran = [r for r in catalogue if r.code in chosen]
    if analyzer is not None:
        ran.append(INTENT_RULE)
    report = CheckReport(
        findings=sort_findings(kept), rules=tuple(sorted(ran, key=lambda r: r.code)), sources=options.sources,
        fail_on=config.fail_on, suppressed=suppressed_counts(hidden), intents=tuple(outcomes),
        stale_baseline=len(accepted - {f.fingerprint for f in findings}),
    )
    report = _with_exit_code(report)
    _emit(render(report, options.output_format), options.output, report)
    return report.exit_code


def exit_code_for(findings_failing: int, inconclusive_intents: int) -> Exit:
    """Precedence 3 > 1 > 0 (2 never gets here: bad input raises before a report exists)."""
    if inconclusive_intents:
        return Exit.INCONCLUSIVE
    if findings_failing:
        return Exit.FINDINGS
    return Exit.OK


def _with_exit_code(report: CheckReport) -> CheckReport:
    code = exit_code_for(len(report.failing()), len(report.inconclusive_intents()))
    return replace(report, exit_code=int(code))


def _validate_choices(options: CheckOptions) -> None:
    problems: list[Problem] = []
    if options.output_format not in FORMATS:
        problems.append(Problem("--format", "unknown output format", show_value(options.output_format),
                                "one of " + ", ".join(FORMATS)))
    if options.fail_on is not None and options.fail_on not in FAIL_ON_CHOICES:
        problems.append(Problem("--fail-on", "unknown severity", show_value(options.fail_on),
                                "one of " + ", ".join(FAIL_ON_CHOICES)))
    if options.config_file and options.isolated:
        problems.append(Problem("--isolated", "cannot be combined with --config", None,
                                "either --config FILE or --isolated"))
    if problems:
        raise InputError(problems)


def _base_config(options: CheckOptions) -> Config:
    if options.isolated:
        return Config()
    if options.config_file:
        return load_config(Path(options.config_file), options.config_file)
    found = find_config_file(Path.cwd())
    return load_config(found, os.path.relpath(found)) if found else Config()


def _check_selectors(config: Config, known_codes: set[str], options: CheckOptions) -> None:
    """A selector that names no rule is a typo until proven otherwise: exit 2, saying where it was written."""
    problems = []
    for option, selectors, from_cli in (("select", config.select or (), options.select is not None),
                                        ("ignore", config.ignore, options.ignore is not None)):
        where = f"--{option}" if from_cli or config.path is None else f"{config.path}: {option}"
        for selector in unknown_selectors(selectors, known_codes):
            problems.append(Problem(where, "unknown rule code", show_value(selector), SELECTOR_EXPECTED))
    if problems:
        raise InputError(problems)


def _write_baseline(path: str, findings: list[Finding]) -> None:
    try:
        write_baseline(Path(path), findings)
    except OSError as error:
        raise InputError.at(path, "cannot write baseline", error.strerror or str(error), "a writable path") from None


def _analyzer(network: Any) -> Any:
    from ..engine import Analyzer

    return Analyzer(network)


def _emit(text: str, output: str | None, report: CheckReport) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError.at(output, "cannot write report", error.strerror or str(error), "a writable path") from None
    typer.echo(f"{summary_line(report)} Report written to {output}.", err=True)
