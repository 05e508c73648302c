"""`vpcreach check` settings, suppression and baselines.

Settings come from `.vpcreach.toml` or `[tool.vpcreach]` in `pyproject.toml`, found from the working directory
upward (in one directory `.vpcreach.toml` wins over `pyproject.toml`; a pyproject without the table is passed
over, as ruff does). Paths in a config file are relative to that file. Command-line options replace the
config file's value of the same key.

A finding is hidden, and counted, in three ways, applied in this order:
  tag       any resource it concerns carries the tag `vpcreach:ignore` naming its code (or `all`)
  config    `ignore-resources = {"sg-123" = ["VPC010"]}` names one of its resources and its code (or "all")
  baseline  its fingerprint is in the baseline file (`--baseline`), i.e. it was accepted when the baseline was written
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

from .checks.findings import SEVERITIES, Finding
from .errors import InputError, ProblemCollector, read_document
from .model import Network

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

IGNORE_TAG = "vpcreach:ignore"
CONFIG_FILE = ".vpcreach.toml"
BASELINE_FORMAT = 1
# "never" lets a team publish findings (e.g. SARIF to code scanning) without ever failing the build.
FAIL_ON_CHOICES = (*SEVERITIES, "never")
DEFAULT_FAIL_ON = "high"
SUPPRESSION_KINDS = ("tag", "config", "baseline")
_CODE_LIST_SPLIT = re.compile(r"[\s,]+")
_KEYS = ("select", "ignore", "fail-on", "rules", "baseline", "ignore-resources")


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None  # None: every rule
    ignore: tuple[str, ...] = ()
    fail_on: str = DEFAULT_FAIL_ON
    rules: tuple[str, ...] = ()  # extra rule folders
    baseline: str | None = None
    ignore_resources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    path: str | None = None  # the file it was read from


# ---------------------------------------------------------------- finding and reading config files

def find_config_file(start: Path) -> Path | None:
    """The nearest `.vpcreach.toml`, or `pyproject.toml` with a `[tool.vpcreach]` table, from start upward."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_vpcreach_table(pyproject):
            return pyproject
    return None


def _has_vpcreach_table(pyproject: Path) -> bool:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # someone else's broken pyproject is not our input; keep looking upward
    return isinstance(document.get("tool"), dict) and "vpcreach" in document["tool"]


def load_config(path: Path, shown: str | None = None) -> Config:
    """Read and validate one config file; every problem is reported at once (InputError, exit 2)."""
    where = shown or str(path)
    document = read_document(path, where, "config file", tomllib.loads, (tomllib.TOMLDecodeError,),
                             "TOML", "a readable TOML file", "TOML")
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("vpcreach", {}) if isinstance(document.get("tool"), dict) else {}
        prefix = "tool.vpcreach."
    else:
        table, prefix = document, ""
    return _config_from_table(table, where, prefix, path.parent)


def _config_from_table(table: object, where: str, prefix: str, base: Path) -> Config:
    problems = ProblemCollector()
    if not isinstance(table, dict):
        problems.add(where, f"{prefix.rstrip('.') or 'config'} is not a table", table, "a TOML table")
        problems.raise_if_any()
    assert isinstance(table, dict)
    for key in sorted(set(table) - set(_KEYS)):
        problems.add(where, f"unknown key {prefix}{key}", table[key], "one of " + ", ".join(_KEYS))

    def code_list(key: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        problems.add(where, f"{prefix}{key} is not a list of rule codes", value, 'a list such as ["VPC010", "VPC02"]')
        return None

    select = code_list("select")
    ignore = code_list("ignore") or ()
    fail_on = table.get("fail-on", DEFAULT_FAIL_ON)
    if fail_on not in FAIL_ON_CHOICES:
        problems.add(where, f"{prefix}fail-on is not a severity", fail_on, "one of " + ", ".join(FAIL_ON_CHOICES))
    rules = table.get("rules", [])
    if isinstance(rules, str):
        rules = [rules]
    if not (isinstance(rules, list) and all(isinstance(r, str) for r in rules)):
        problems.add(where, f"{prefix}rules is not a folder or a list of folders", rules, "a path or a list of paths")
        rules = []
    baseline = table.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        problems.add(where, f"{prefix}baseline is not a path", baseline, "a path to a baseline JSON file")
        baseline = None
    ignore_resources = _ignore_resources(table.get("ignore-resources", {}), where, prefix, problems)
    problems.raise_if_any()
    return Config(
        select=select, ignore=ignore, fail_on=fail_on,
        rules=tuple(str(base / r) for r in rules),
        baseline=str(base / baseline) if baseline else None,
        ignore_resources=ignore_resources, path=where,
    )


def _ignore_resources(value: object, where: str, prefix: str, problems: ProblemCollector) -> dict[str, tuple[str, ...]]:
    key = f"{prefix}ignore-resources"
    if not isinstance(value, dict):
        problems.add(where, f"{key} is not a table", value, 'a table such as {"sg-123" = ["VPC010"]}')
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for resource_id, codes in value.items():
        if isinstance(codes, str):
            codes = [codes]
        if not (isinstance(codes, list) and codes and all(isinstance(c, str) for c in codes)):
            problems.add(where, f"{key}.{resource_id} is not a list of rule codes", codes, 'a list such as ["VPC010"] or ["all"]')
            continue
        result[resource_id] = tuple(codes)
    return result


def parse_code_list(text: str) -> tuple[str, ...]:
    """Codes as a tag or an option writes them: comma and/or space separated."""
    return tuple(part for part in _CODE_LIST_SPLIT.split(text.strip()) if part)


# ---------------------------------------------------------------- rule selection

def code_matches(selector: str, code: str) -> bool:
    """A selector is `ALL`, a full code, or a code prefix (`VPC0` selects VPC001..VPC099), as in ruff."""
    return selector.upper() == "ALL" or code.upper().startswith(selector.upper())


def selected_codes(codes: Iterable[str], select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> set[str]:
    chosen = {c for c in codes if select is None or any(code_matches(s, c) for s in select)}
    return {c for c in chosen if not any(code_matches(i, c) for i in ignore)}


def unknown_selectors(selectors: Iterable[str], codes: Iterable[str]) -> list[str]:
    """Selectors that name no rule: almost always a typo, so they are bad input rather than silently nothing."""
    known = list(codes)
    return sorted({s for s in selectors if not any(code_matches(s, c) for c in known)})


# ---------------------------------------------------------------- suppression

def ignores(codes: Iterable[str], code: str) -> bool:
    return any(c.lower() == "all" or c.upper() == code.upper() for c in codes)


def tag_suppresses(network: Network, finding: Finding) -> bool:
    for resource_id in finding.resource_ids:
        resource = network.get(resource_id)
        value = resource.tag(IGNORE_TAG) if resource is not None else None
        if value is not None and ignores(parse_code_list(value), finding.code):
            return True
    return False


def config_suppresses(config: Config, finding: Finding) -> bool:
    return any(ignores(config.ignore_resources.get(r, ()), finding.code) for r in finding.resource_ids)


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    kind: str  # one of SUPPRESSION_KINDS


def apply_suppressions(findings: Iterable[Finding], network: Network, config: Config,
                       baseline: frozenset[str] = frozenset()) -> tuple[list[Finding], list[Suppressed]]:
    """Split findings into those to report and those hidden (with the first reason that hid them)."""
    kept: list[Finding] = []
    hidden: list[Suppressed] = []
    for finding in findings:
        if tag_suppresses(network, finding):
            hidden.append(Suppressed(finding, "tag"))
        elif config_suppresses(config, finding):
            hidden.append(Suppressed(finding, "config"))
        elif finding.fingerprint in baseline:
            hidden.append(Suppressed(finding, "baseline"))
        else:
            kept.append(finding)
    return kept, hidden


def suppressed_counts(hidden: Iterable[Suppressed]) -> dict[str, int]:
    counts = {kind: 0 for kind in SUPPRESSION_KINDS}
    for item in hidden:
        counts[item.kind] += 1
    return counts


# ---------------------------------------------------------------- baselines

def baseline_document(findings: Iterable[Finding]) -> dict:
    """The baseline file: fingerprints plus enough context for a reviewer to read what was accepted."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "code": f.code, "resource_ids": list(f.resource_ids), "message": f.message}
         for f in findings),
        key=lambda e: (e["fingerprint"], e["code"]),
    )
    unique = list({e["fingerprint"]: e for e in entries}.values())
    return {"vpcreach_baseline": BASELINE_FORMAT, "findings": unique}


def write_baseline(path: Path, findings: Iterable[Finding]) -> None:
    path.write_text(json.dumps(baseline_document(findings), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_baseline(path: Path, shown: str | None = None) -> frozenset[str]:
    where = shown or str(path)
    document = read_document(path, where, "baseline file", json.loads, (ValueError,), "JSON",
                             "a baseline written by --write-baseline", "a baseline written by --write-baseline")
    if not isinstance(document, dict) or document.get("vpcreach_baseline") != BASELINE_FORMAT:
        version = document.get("vpcreach_baseline") if isinstance(document, dict) else document
        raise InputError.at(f"{where}#/vpcreach_baseline", "unsupported baseline format", version,
                            f"{BASELINE_FORMAT}, as written by --write-baseline")
    problems = ProblemCollector()
    fingerprints: set[str] = set()
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise InputError.at(f"{where}#/findings", "baseline findings is not a list", entries,
                            "a list of {fingerprint, code, resource_ids, message}")
    for index, entry in enumerate(entries):
        value = entry.get("fingerprint") if isinstance(entry, dict) else entry
        if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{16}", value):
            fingerprints.add(value)
        else:
            problems.add(f"{where}#/findings/{index}/fingerprint", "not a finding fingerprint", value,
                         "16 lowercase hex digits")
    problems.raise_if_any()
    return frozenset(fingerprints)


def with_cli_overrides(config: Config, *, select: tuple[str, ...] | None, ignore: tuple[str, ...] | None,
                       fail_on: str | None, rules: tuple[str, ...] | None, baseline: str | None) -> Config:
    """Command-line options replace the config file's value of the same key."""
    changes: dict[str, object] = {}
    if select is not None:
        changes["select"] = select
    if ignore is not None:
        changes["ignore"] = ignore
    if fail_on is not None:
        changes["fail_on"] = fail_on
    if rules is not None:
        changes["rules"] = rules
    if baseline is not None:
        changes["baseline"] = baseline
    return replace(config, **changes)
