"""The describe-* JSON importer: a folder (or one file) of `aws ec2 describe-*` output -> Network.

Files are recognised by their top-level keys (see describe_collect.HANDLERS and docs/snapshot-format.md),
read in sorted order, and every bad value in every file is reported together as one InputError.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from ..errors import InputError, Problem, ProblemCollector, show_value
from ..model import Network
from .describe_collect import KNOWN_KEYS, Collector, plural
from .describe_files import EXPECTED_DOCUMENT, DescribeFile, find_describe_files, read_json
from .describe_refs import check_references

EXPECTED_KEYS = "a top-level key such as Vpcs, Subnets or RouteTables; see docs/snapshot-format.md"
EXPECTED_FOLDER = "a folder of aws ec2 describe-* JSON files"


def load_describe(path: str) -> Network:
    """Read a describe-* folder (any layout, incl. Batfish's aws_configs) or a single JSON file."""
    if not os.path.exists(path):
        raise InputError(Problem(path, "no such file or directory", None, f"{EXPECTED_FOLDER} or file"))
    files, _ = find_describe_files(path)
    if not files:
        raise InputError(Problem(path, "no .json files found", None, EXPECTED_FOLDER))
    problems = ProblemCollector()
    collector = Collector(problems)
    known = 0
    for source in files:
        try:
            document = read_json(source.path)
        except InputError as error:
            problems.problems.extend(error.problems)
            continue
        known += read_document(collector, document, source, problems)
    single_file = os.path.isfile(path)
    if known == 0 and not problems.problems and not single_file:
        raise InputError(Problem(path, f"no describe-* data found in {plural(len(files), '.json file')}", None,
                                 EXPECTED_KEYS))
    return finish(collector, problems, (path,))


def load_describe_document(document: Any, path: str) -> Network:
    """Read one already-parsed document (load_source parses a .json file once to detect its kind)."""
    problems = ProblemCollector()
    collector = Collector(problems)
    read_document(collector, document, DescribeFile(path), problems)
    return finish(collector, problems, (path,))


def read_document(collector: Collector, document: Any, source: DescribeFile, problems: ProblemCollector) -> int:
    """Reads one file's document; returns the number of top-level keys vpcreach models."""
    if not isinstance(document, dict):
        problems.add(source.path, "not a JSON object", document, EXPECTED_DOCUMENT)
        return 0
    # In a folder, a JSON file of another kind (LoadBalancers, DhcpOptions, ...) is reported as unmodelled.
    if not KNOWN_KEYS.intersection(document) and not source.from_folder:
        keys = ", ".join(sorted(document)) or "none"
        problems.problems.append(Problem(source.path, "no describe-* data vpcreach reads: top-level keys",
                                         show_value(keys), EXPECTED_KEYS))
        return 0
    return collector.read_document(document, source)


def finish(collector: Collector, problems: ProblemCollector, sources: tuple[str, ...]) -> Network:
    network = collector.network()
    unresolved = check_references(network, collector.loaded, problems)
    problems.raise_if_any()
    diagnostics = sorted(set(network.diagnostics) | set(unresolved), key=lambda d: (d.kind, d.where, d.message))
    return replace(network, diagnostics=tuple(diagnostics), sources=sources)
