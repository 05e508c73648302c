"""Importers: every input kind -> the normalized Network. `load_source` detects the kind.

- a directory                      -> describe-* JSON (any layout, incl. Batfish's aws_configs); with a
                                      manifest.json (a `vpcreach snapshot` folder) also its missing calls
- a .json file, parsed once, that is
    a Terraform plan  (format_version + planned_values/resource_changes/prior_state) -> terraform_plan
    a Terraform state (version 3 or 4 + resources/modules)                          -> terraform_state
    otherwise describe-* JSON (one call's output, or several top-level keys combined)
- "aws:..."                        -> a live read through boto3 (importers.live)
The Terraform and live importers are imported lazily, so describe-only use needs neither.
"""
from __future__ import annotations

import os
from typing import Any

from ..errors import InputError, Problem, ProblemCollector
from ..model import Network
from .describe_files import read_json

LIVE_PREFIX = "aws:"
SNAPSHOT_MANIFEST = "manifest.json"  # written by `vpcreach snapshot` next to aws_configs/
EXPECTED_SOURCE = ("a folder of describe-* JSON, a describe-* or Terraform plan/state .json (or .tfstate) file, "
                   "or aws:[region=R,profile=P,...]")


def load_source(source: str) -> Network:
    if source.startswith(LIVE_PREFIX):
        from .live import load_live

        return load_live(source)
    if not os.path.exists(source):
        raise InputError(Problem(source, "no such file or directory", None, EXPECTED_SOURCE))
    if os.path.isdir(source):
        if os.path.isfile(os.path.join(source, SNAPSHOT_MANIFEST)):
            from .live import load_snapshot_folder  # a `vpcreach snapshot` folder: also its missing calls

            return load_snapshot_folder(source)
        return load_describe(source)
    if not source.lower().endswith((".json", ".tfstate")):
        raise InputError(Problem(source, "not a .json or .tfstate file", None, EXPECTED_SOURCE))
    document = read_json(source, EXPECTED_SOURCE)
    kind = detect_json_kind(document)
    if kind == "terraform-plan":
        from .terraform_plan import load_plan

        return load_plan(source, document)
    if kind == "terraform-state":
        from .terraform_state import load_state

        return load_state(source, document)
    from .describe import load_describe_document

    return load_describe_document(document, source)


def load_describe(path: str) -> Network:
    """A folder or file of describe-* JSON (imported on first use: plans never need the describe parsers)."""
    from .describe import load_describe as load

    return load(path)


def detect_json_kind(document: Any) -> str:
    """"terraform-plan", "terraform-state" or "describe" (the describe reader reports anything else)."""
    if isinstance(document, dict):
        if "format_version" in document and any(
                key in document for key in ("planned_values", "resource_changes", "prior_state")):
            return "terraform-plan"
        if document.get("version") in (3, 4) and ("resources" in document or "modules" in document):
            return "terraform-state"
        if isinstance(document.get("version"), int) and "terraform_version" in document:
            return "terraform-state"  # another state version: terraform_state names it unsupported
    return "describe"


def load_sources(sources: list[str]) -> Network:
    """Load several sources and merge them; an id defined by two sources is a problem naming both."""
    networks = [load_source(source) for source in sources]
    return networks[0] if len(networks) == 1 else merge_networks(networks)


def merge_networks(networks: list[Network]) -> Network:
    problems = ProblemCollector()
    seen: dict[str, Any] = {}
    merged: dict[str, list[Any]] = {}
    for network in networks:
        for name, items in network.collections():
            bucket = merged.setdefault(name, [])
            for resource in items:
                first = seen.get(resource.id)
                if first is not None:
                    problems.add(str(resource.origin), "duplicate id", resource.id,
                                 f"each resource in one source only; also defined at {first.origin}")
                    continue
                seen[resource.id] = resource
                bucket.append(resource)
    problems.raise_if_any()
    kinds: list[str] = []
    for network in networks:
        for kind in network.source_kind.split("+"):
            if kind and kind not in kinds:
                kinds.append(kind)
    collections = {name: tuple(sorted(items, key=lambda r: r.id)) for name, items in merged.items()}
    diagnostics = tuple(sorted({d for n in networks for d in n.diagnostics},
                               key=lambda d: (d.kind, d.where, d.message)))
    missing = tuple(sorted({m for n in networks for m in n.missing}))
    return Network(**collections, diagnostics=diagnostics, sources=tuple(s for n in networks for s in n.sources),
                   source_kind="+".join(kinds), missing=missing)


__all__ = ["detect_json_kind", "load_describe", "load_source", "load_sources", "merge_networks"]
