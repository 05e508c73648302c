"""Live AWS sources: `aws:` specs for check/query/show/exposure, and snapshot manifests.

Spec syntax (see docs/live.md):
    aws:                                   the default profile/credentials, the default region
    aws:region=us-east-1,region=eu-west-1  several regions (repeat the key)
    aws:all-regions                        every region enabled for the account
    aws:profile=prod,role-arn=arn:aws:iam::111111111111:role/Reader,role-arn=arn:...
                                           a profile, and one assumed role per account

A live source is read by exactly the code that writes `vpcreach snapshot` folders (live_snapshot), and
its documents are parsed by the describe importer's own reader, so the two paths cannot drift. Origins
then name the API call instead of a file: `Origin("api", call="ec2:DescribeVpcs", region=..., account=...)`.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from ..errors import InputError, ProblemCollector
from ..model import Diagnostic, Network, Origin
from .describe import finish, read_document
from .describe_collect import Collector
from .describe_files import DescribeFile, read_json
from .live_calls import call_for_document
from .live_output import CONFIGS, MANIFEST
from .live_progress import Progress
from .live_snapshot import Snapshot, take_snapshot

SPEC_PREFIX = "aws:"
SPEC_KEYS = "region=R, profile=P, role-arn=ARN or all-regions"
VIRTUAL_ROOT = "<live>"  # stands in for the snapshot folder while documents are parsed in memory


@dataclass(frozen=True)
class LiveSpec:
    regions: tuple[str, ...] = ()
    all_regions: bool = False
    profile: str | None = None
    role_arns: tuple[str, ...] = ()


def is_live_spec(source: str) -> bool:
    return source.startswith(SPEC_PREFIX)


def parse_spec(spec: str) -> LiveSpec:
    """`aws:region=us-east-1,profile=prod,...` -> LiveSpec; every bad part is reported at once."""
    if not is_live_spec(spec):
        raise InputError.at(spec, "not a live source", spec, "aws: followed by optional key=value pairs")
    problems = ProblemCollector()
    regions: list[str] = []
    roles: list[str] = []
    profile: str | None = None
    all_regions = False
    for part in filter(None, (p.strip() for p in spec[len(SPEC_PREFIX):].split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        value = value.strip()
        if key == "all-regions" and not sep:
            all_regions = True
        elif not sep or not value:
            problems.add(spec, "expected key=value", part, SPEC_KEYS)
        elif key == "region":
            regions.append(value)
        elif key == "role-arn":
            roles.append(value)
        elif key == "profile" and profile is None:
            profile = value
        elif key == "profile":
            problems.add(spec, "profile given twice", part, "at most one profile=P")
        else:
            problems.add(spec, "unknown key", key, SPEC_KEYS)
    if regions and all_regions:
        problems.add(spec, "region= cannot be combined with all-regions", None, "either region=R or all-regions")
    problems.raise_if_any()
    return LiveSpec(tuple(regions), all_regions, profile, tuple(roles))


def load_live(spec: str, progress: Progress | None = None) -> Network:
    """Read AWS now (read-only) and build the Network, exactly as `snapshot` + `load_describe` would."""
    parsed = parse_spec(spec)
    snapshot = take_snapshot(parsed.regions, parsed.all_regions, parsed.profile, parsed.role_arns,
                             progress=progress or Progress.quiet())
    network = network_from_snapshot(snapshot, spec)
    return replace(network, source_kind="live")


def network_from_snapshot(snapshot: Snapshot, label: str) -> Network:
    """Parse in-memory documents with the describe importer, then point origins at the API calls."""
    problems = ProblemCollector()
    collector = Collector(problems)
    for read in snapshot.reads:
        for name in sorted(read.documents):
            path = _virtual_path(read.account, read.region, name)
            read_document(collector, read.documents[name], DescribeFile(path, read.account, read.region, from_folder=True),
                          problems)
    try:
        network = finish(collector, problems, (label,))
    except InputError as error:
        raise InputError([dataclasses.replace(p, where=_live_where(p.where)) for p in error.problems]) from None
    network = map_origins(network, _api_origin)
    diagnostics = tuple(replace(d, where=_live_where(d.where)) for d in network.diagnostics)
    return mark_missing(replace(network, diagnostics=diagnostics), snapshot.manifest.get("missing", ()))


# ---------------------------------------------------------------- missing calls (denied or failed)

def missing_from_manifest(folder: str) -> tuple[str, ...]:
    """The calls a snapshot folder lacks, from its manifest.json (none when there is no manifest)."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.isfile(path):
        return ()
    manifest = read_json(path, "a vpcreach snapshot manifest")
    missing = manifest.get("missing") if isinstance(manifest, dict) else None
    if not isinstance(missing, list) or not all(isinstance(m, str) and m.count("/") >= 2 for m in missing):
        raise InputError.at(f"{path}#/missing", "wrong type", missing,
                            'a list of "<account>/<region>/<action>" strings')
    return tuple(missing)


def mark_missing(network: Network, missing: Iterable[str]) -> Network:
    """Record missing calls on the Network, each with an "unmodelled" diagnostic, so answers that
    depend on them come out inconclusive instead of wrong."""
    missing = tuple(sorted(set(network.missing) | set(missing)))
    notes = []
    for entry in missing:
        account, region, action = entry.split("/", 2)
        notes.append(Diagnostic(
            "unmodelled", f"{action} could not be read (access denied or failed): its resources are missing, "
            "so answers that depend on them are inconclusive", f"aws: {action} ({account}/{region})", action))
    diagnostics = tuple(sorted(set(network.diagnostics) | set(notes), key=lambda d: (d.kind, d.where, d.message)))
    return replace(network, missing=missing, diagnostics=diagnostics)


def load_snapshot_folder(folder: str) -> Network:
    """A `vpcreach snapshot` folder through the offline importer, with the manifest's missing calls."""
    from .describe import load_describe

    return mark_missing(load_describe(folder), missing_from_manifest(folder))


# ---------------------------------------------------------------- origins

def _virtual_path(account: str, region: str, name: str) -> str:
    return "/".join((VIRTUAL_ROOT, CONFIGS, "accounts", account, region, f"{name}.json"))


def _document_of(path: str | None) -> tuple[str, str, str] | None:
    """(account, region, document name) of a virtual path, else None."""
    if not path or not path.startswith(VIRTUAL_ROOT + "/"):
        return None
    parts = path.split("/")
    return parts[3], parts[4], parts[5].removesuffix(".json")


def _api_origin(origin: Origin) -> Origin:
    located = _document_of(origin.file)
    if located is None:
        return origin
    account, region, name = located
    call = call_for_document(name) or name
    kind = "implied" if origin.kind == "implied" else "api"
    return Origin(kind, pointer=origin.pointer, address=origin.address, call=call, region=region,
                  account=account, note=origin.note)


def _live_where(where: str) -> str:
    """`<live>/aws_configs/accounts/A/R/Vpcs.json#/Vpcs/0` -> `aws: ec2:DescribeVpcs (A/R)#/Vpcs/0`."""
    path, sep, pointer = where.partition("#")
    located = _document_of(path)
    if located is None:
        return where
    account, region, name = located
    return f"aws: {call_for_document(name) or name} ({account}/{region})" + (f"#{pointer}" if sep else "")


def map_origins(value: Any, change: Callable[[Origin], Origin]) -> Any:
    """Rebuild frozen model objects with every Origin inside them passed through `change`."""
    if isinstance(value, Origin):
        return change(value)
    if isinstance(value, tuple):
        return tuple(map_origins(item, change) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        updates = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = map_origins(old, change)
            if new is not old:
                updates[f.name] = new
        return dataclasses.replace(value, **updates) if updates else value
    return value


__all__ = ["LiveSpec", "is_live_spec", "parse_spec", "load_live", "network_from_snapshot", "mark_missing",
           "missing_from_manifest", "load_snapshot_folder", "map_origins"]
