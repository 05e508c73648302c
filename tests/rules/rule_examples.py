"""Turning a rule's examples into networks and comparable hits (shared by the rule tests)."""
from __future__ import annotations

from pathlib import Path

from vpcreach.checks.catalogue import Rule
from vpcreach.importers.describe import load_describe, load_describe_document
from vpcreach.model import Network

REPO_ROOT = Path(__file__).resolve().parents[2]

# Rules whose check asks the reachability engine (vpcreach.engine.Analyzer) for its answer.
ENGINE_CHECKS = ("vpcreach.checks.exposure:",)


def needs_engine(rule: Rule) -> bool:
    return rule.check.startswith(ENGINE_CHECKS)


def engine_available() -> bool:
    try:
        from vpcreach.engine import Analyzer  # noqa: F401
    except ImportError:
        return False
    return True


def example_network(rule: Rule, name: str) -> Network:
    """The example's describe-* network: inline in the rule file, or a path relative to the repository root."""
    network = rule.examples[name].network
    if isinstance(network, str):
        return load_describe(str(REPO_ROOT / network))
    return load_describe_document(network, f"{rule.path}:examples/{name}")


def expected_hits(rule: Rule, name: str) -> list[tuple[tuple[str, ...], str, str]]:
    return sorted((tuple(h["resources"]), h["message"], h.get("severity", rule.severity))
                  for h in rule.examples[name].hits)


def actual_hits(findings) -> list[tuple[tuple[str, ...], str, str]]:
    return sorted((f.resource_ids, f.message, f.severity) for f in findings)
