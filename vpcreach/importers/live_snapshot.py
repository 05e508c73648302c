"""Reading AWS accounts into describe-* documents: the one code path behind `vpcreach snapshot` and `aws:` sources.

The result is a `Snapshot`: per (account, region) the documents exactly as they are written to
`aws_configs/accounts/<account>/<region>/<Name>.json`, plus the manifest. Accounts and regions are read
concurrently; one (account, region) is read by one thread with its own client, calls in table order.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import boto3
import botocore.exceptions as bx
from botocore import xform_name

from .. import __version__
from ..errors import InputError
from .live_aws import (
    PREFLIGHT_CONFIG, REGION_NAME, ClientFactory, error_code, fatal_input_error, is_denied, new_session, where,
)
from .live_calls import DESCRIBE_REGIONS, GONE_OWNER_STATES, OWNER_CALLS, REGION_CALLS, OwnerCall
from .live_progress import Progress

MAX_WORKERS = 8
ROLE_SESSION_NAME = "vpcreach-snapshot"
Documents = dict[str, dict[str, Any]]  # document name -> {name: [...]}


@dataclass(frozen=True)
class Target:
    """One account to read: with the session's own credentials, or through an assumed role."""

    account: str
    role_arn: str | None = None
    credentials: dict[str, str] | None = field(default=None, repr=False, compare=False)


@dataclass
class RegionRead:
    """Everything read from one account and region."""

    account: str
    region: str
    documents: Documents = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return sorted({failure["call"] for failure in self.failures})


@dataclass
class Snapshot:
    reads: list[RegionRead]  # sorted by (account, region)
    manifest: dict[str, Any]

    def documents(self) -> dict[tuple[str, str], Documents]:
        return {(read.account, read.region): read.documents for read in self.reads}


# ---------------------------------------------------------------- public entry point

def take_snapshot(regions: Sequence[str] = (), all_regions: bool = False, profile: str | None = None,
                  role_arns: Sequence[str] = (), page_size: int | None = None,
                  session: boto3.Session | None = None, progress: Progress | None = None) -> Snapshot:
    """Read every account (the session's own, or one per role ARN) in every region.

    `session` defaults to `boto3.Session(profile_name=profile)`; passing one lets a caller add its
    own botocore event hooks. Fatal problems raise InputError; denied calls are recorded, not raised.
    """
    progress = progress or Progress.quiet()
    session = session or new_session(profile)
    factory = ClientFactory(session)
    setup_calls: Counter = Counter()
    factory.on_client = lambda client: client.meta.events.register("before-call", _count_call(setup_calls))
    home = _home_region(session, regions)
    targets = _resolve_targets(factory, home, role_arns, profile)  # first: bad credentials fail here
    regions = _resolve_regions(factory, home, targets[0], regions, all_regions, profile)
    factory.on_client = None
    started = _now()
    jobs = [(target, region) for target in targets for region in regions]
    progress.start(len(jobs))
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(jobs))) as pool:
        futures = [pool.submit(_read_region, factory, target, region, page_size, profile, progress)
                   for target, region in jobs]
        reads = [future.result() for future in futures]
    progress.finish()
    reads.sort(key=lambda read: (read.account, read.region))
    return Snapshot(reads, build_manifest(reads, setup_calls, targets, regions, started, profile))


# ---------------------------------------------------------------- regions and accounts

def _home_region(session: boto3.Session, regions: Sequence[str]) -> str:
    """Where STS and DescribeRegions are called: the profile's region (known to work), else the first requested."""
    for region in regions:
        if not REGION_NAME.match(region):
            raise InputError.at("aws: --region", "not a region name", region, "a region name such as us-east-1")
    return session.region_name or (regions[0] if regions else "us-east-1")


def _resolve_regions(factory: ClientFactory, home: str, first: Target, regions: Sequence[str],
                     all_regions: bool, profile: str | None) -> list[str]:
    """Check requested regions against ec2:DescribeRegions; expand --all-regions to the enabled ones.

    Asked as the first account read: with roles, the base identity may have no EC2 permissions at all.
    """
    if not regions and not all_regions:
        if factory.session.region_name is None:
            raise InputError.at("aws: --region", "no region given", None,
                                "--region R, --all-regions, AWS_REGION or a region in the profile")
        regions = [factory.session.region_name]
    client = factory.client("ec2", home, first.credentials, config=PREFLIGHT_CONFIG)
    at = where(DESCRIBE_REGIONS, home)
    try:
        listed = client.describe_regions(AllRegions=True)["Regions"]
    except Exception as error:  # noqa: BLE001 - classified below; anything else is re-raised
        fatal = fatal_input_error(error, at, profile)
        if fatal is not None:
            raise fatal from None
        if is_denied(error) and not all_regions:
            return list(dict.fromkeys(regions))  # cannot check them; reading each will tell
        raise InputError.at(at, "cannot list regions", error_code(error) or str(error), None,
                            "allow ec2:DescribeRegions (see docs/iam-policy.json)") from None
    enabled = sorted(r["RegionName"] for r in listed if r.get("OptInStatus") != "not-opted-in")
    if all_regions:
        return enabled
    known = {r["RegionName"] for r in listed}
    for region in regions:
        if region not in known:
            raise InputError.at(at, "unknown region", region, "a region ec2:DescribeRegions lists",
                                "enabled regions: " + ", ".join(enabled))
        if region not in enabled:
            raise InputError.at(at, "region not enabled for this account", region, "an enabled region",
                                "enable the region (Account > AWS Regions) or leave it out of --region")
    return list(dict.fromkeys(regions))


def _resolve_targets(factory: ClientFactory, home: str, role_arns: Sequence[str],
                     profile: str | None) -> list[Target]:
    """The accounts to read; each account id comes from sts:GetCallerIdentity with its own credentials."""
    if not role_arns:
        return [Target(_caller_account(factory, home, None, profile))]
    targets: dict[str, Target] = {}
    for arn in dict.fromkeys(role_arns):
        credentials = _assume_role(factory, home, arn, profile)
        account = _caller_account(factory, home, credentials, profile)
        targets.setdefault(account, Target(account, arn, credentials))
    return list(targets.values())


def _caller_account(factory: ClientFactory, home: str, credentials: dict[str, str] | None,
                    profile: str | None) -> str:
    sts = factory.client("sts", home, credentials, config=PREFLIGHT_CONFIG)
    try:
        return str(sts.get_caller_identity()["Account"])
    except Exception as error:  # noqa: BLE001
        raise _fatal(error, where("sts:GetCallerIdentity", home), profile) from None


def _assume_role(factory: ClientFactory, home: str, arn: str, profile: str | None) -> dict[str, str]:
    sts = factory.client("sts", home, config=PREFLIGHT_CONFIG)
    at = f"aws: sts:AssumeRole ({arn})"
    try:
        return sts.assume_role(RoleArn=arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
    except Exception as error:  # noqa: BLE001
        if is_denied(error) or error_code(error) in ("ValidationError", "InvalidParameterValue"):
            raise InputError.at(at, "cannot assume role", error_code(error), None,
                                "the caller needs sts:AssumeRole on the role, and the role's trust policy "
                                "must allow the caller") from None
        raise _fatal(error, at, profile) from None


def _fatal(error: BaseException, at: str, profile: str | None) -> BaseException:
    return fatal_input_error(error, at, profile) or error


# ---------------------------------------------------------------- reading one account and region

def _read_region(factory: ClientFactory, target: Target, region: str, page_size: int | None,
                 profile: str | None, progress: Progress) -> RegionRead:
    read = RegionRead(target.account, region)
    client = factory.client("ec2", region, target.credentials)
    client.meta.events.register("before-call", _count_call(read.calls))
    for call in REGION_CALLS:
        items = _guarded(read, call.action, profile, progress,
                         lambda call=call: _all_pages(client, call.operation, call.key, page_size, {})[0])
        if items is not None:
            read.documents[call.key] = {call.key: items}
    for owner_call in OWNER_CALLS:
        if owner_call.owners in read.documents:
            read.documents[owner_call.document] = {
                owner_call.document: _read_owned(client, read, owner_call, page_size, profile, progress)}
    read.documents = {name: canonical(document) for name, document in read.documents.items()}
    progress.region_done(read)
    return read


def _read_owned(client: Any, read: RegionRead, call: OwnerCall, page_size: int | None,
                profile: str | None, progress: Progress) -> list[dict[str, Any]]:
    """One wrapper per owner, in the owners' API order; owners whose call failed are left out."""
    wrappers = []
    gone = GONE_OWNER_STATES.get(call.owners, frozenset())
    for owner in read.documents[call.owners][call.owners]:
        if owner.get("State") in gone:
            continue
        params = {call.owner_id_key: owner[call.owner_id_key], **call.extra_params}
        result = _guarded(read, call.action, profile, progress,
                          lambda params=params: _all_pages(client, call.operation, call.items_key, page_size, params))
        if result is None:
            continue
        items, last_page = result
        wrapper = {call.owner_id_key: owner[call.owner_id_key], call.wrapper_key: items}
        wrapper.update({key: last_page[key] for key in call.extra_keys if key in last_page})
        wrappers.append(wrapper)
    return wrappers


def _guarded(read: RegionRead, action: str, profile: str | None, progress: Progress,
             make_call: Callable[[], Any]) -> Any:
    """Run one read; a denied or failed call is recorded (and warned about) instead of aborting."""
    try:
        return make_call()
    except Exception as error:  # noqa: BLE001 - classified below
        at = where(action, read.region, read.account)
        fatal = fatal_input_error(error, at, profile)
        if fatal is not None:
            raise fatal from None
        if not isinstance(error, (bx.ClientError, bx.BotoCoreError)):
            raise
        failure = {"call": action, "error": error_code(error) or type(error).__name__, "denied": is_denied(error)}
        if failure not in read.failures:
            read.failures.append(failure)
            progress.warn(_failure_warning(at, action, failure["error"], is_denied(error)))
        return None


def _failure_warning(at: str, action: str, code: str, denied: bool) -> str:
    what = "access denied" if denied else "call failed"
    fix = f"allow {action}; the minimal policy is docs/iam-policy.json" if denied else "run the snapshot again"
    return (f"{at}: {what}: {code}; its data is missing from the snapshot and answers that depend on it "
            f"are inconclusive (hint: {fix})")


def _all_pages(client: Any, operation: str, key: str, page_size: int | None,
               params: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Every item under `key` across all pages (a paginator whenever the operation has one), and the last page."""
    method = xform_name(operation)
    if not client.can_paginate(method):
        page = getattr(client, method)(**params)
        return list(page.get(key, [])), page
    config: dict[str, int] = {}
    if page_size and "MaxResults" in client.meta.service_model.operation_model(operation).input_shape.members:
        config["PageSize"] = page_size
    items: list[Any] = []
    page: dict[str, Any] = {}
    for page in client.get_paginator(method).paginate(**params, PaginationConfig=config):
        items.extend(page.get(key, []))
    return items, page


def _count_call(calls: Counter) -> Callable[..., None]:
    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.signing_name}:{model.name}"] += 1
    return count


# ---------------------------------------------------------------- manifest and serialisation

def build_manifest(reads: list[RegionRead], setup_calls: Counter, targets: list[Target], regions: list[str], started: str,
                   profile: str | None) -> dict[str, Any]:
    """What was read, how, and what is missing. Never credentials."""
    totals: Counter = Counter(setup_calls)  # identity, role and region checks
    for read in reads:
        totals.update(read.calls)
    missing = [f"{read.account}/{read.region}/{call}" for read in reads for call in read.missing]
    return {
        "vpcreach_version": __version__,
        "time": started,
        "complete": not missing,
        "accounts": sorted(target.account for target in targets),
        "regions": sorted(regions),
        "profile": profile,
        "role_arns": [target.role_arn for target in targets if target.role_arn],
        "calls": dict(sorted(totals.items())),
        "missing": missing,
        "snapshots": [
            {"account": read.account, "region": read.region, "calls": dict(sorted(read.calls.items())),
             "failed": read.failures, "missing": read.missing}
            for read in reads
        ],
    }


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _json_default(value: object) -> str:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical(document: Any) -> Any:
    """A document as JSON would give it back: datetimes as ISO strings, nothing boto3-specific."""
    return json.loads(dumps(document))


def dumps(document: Any) -> str:
    """Deterministic JSON: sorted keys, lists in API order, ISO datetimes."""
    return json.dumps(document, indent=2, sort_keys=True, default=_json_default, ensure_ascii=False) + "\n"
