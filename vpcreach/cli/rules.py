"""`vpcreach rules [CODE|NAME]`: list the rule catalogue, or explain one rule (like `ruff rule`)."""
from __future__ import annotations

from typing import List, Optional

import typer

from ..errors import InputError
from .main import app

RULE_EXPECTED = "a rule code such as VPC001 or a name such as blackhole-route"


@app.command("rules")
def rules(
    rule: Optional[str] = typer.Argument(None, help="A rule code (VPC001) or name (blackhole-route) to explain."),
    rules_dirs: List[str] = typer.Option([], "--rules", metavar="DIR",
                                         help="Also load the rules in DIR (same format as rules/); repeatable."),
) -> None:
    """List every rule (code, name, severity, title), or explain one rule."""
    from ..checks.catalogue import find_rule, load_catalogue
    from ..checks.docs import rule_page

    catalogue = load_catalogue(rules_dirs)
    if rule is None:
        typer.echo("\n".join(catalogue_lines(catalogue)))
        return
    found = find_rule(catalogue, rule)
    if found is None:
        raise InputError.at("rules", "no such rule", rule, RULE_EXPECTED, hint="`vpcreach rules` lists every rule")
    typer.echo(rule_page(found, fixture_link_prefix=""))


def catalogue_lines(catalogue: list) -> list[str]:
    """One aligned line per rule: code, name, severity, title."""
    name_width = max((len(r.name) for r in catalogue), default=0)
    return [f"{r.code}  {r.name:<{name_width}}  {r.severity:<8}  {r.title}" for r in catalogue]
