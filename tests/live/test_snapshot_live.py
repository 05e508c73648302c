"""`vpcreach snapshot` and `aws:` sources against a real moto server (see conftest.py): nothing patched.

The reader identities are IAM users whose policy is the shipped iam-policy.json, with moto enforcing IAM,
so every complete snapshot here also proves the minimal policy is sufficient.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from dataclasses import replace
from typing import Any

import boto3
import pytest

from vpcreach.importers.describe import load_describe
from vpcreach.importers.live import load_live, load_snapshot_folder, map_origins
from vpcreach.importers.live_calls import OWNER_CALLS, REGION_CALLS, STS_CALLS, read_actions
from vpcreach.importers.live_snapshot import take_snapshot
from vpcreach.model import Origin

from .conftest import FAKE_KEY_ID, FAKE_SECRET, POLICY_PATH, REPO, LiveAws
from .moto_network import MAIN_ACCOUNT, MAIN_ROLE, PAGE_SIZE, PARTNER_ACCOUNT, PARTNER_ROLE, WORKERS
from .structure import structure

REGIONS = ("us-east-1", "eu-west-1")
DOCUMENTS = sorted([call.key for call in REGION_CALLS] + [call.document for call in OWNER_CALLS])
EXPECTED_STRUCTURE = os.path.join(os.path.dirname(__file__), "expected_structure.json")
LIVE_SPEC = f"aws:region=us-east-1,region=eu-west-1,role-arn={MAIN_ROLE},role-arn={PARTNER_ROLE}"


def vpcreach(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess, reaching moto only through the environment."""
    return subprocess.run(["vpcreach", *args], env=env, capture_output=True, text=True, timeout=120)


def read(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def account_folder(root: str, account: str, region: str) -> str:
    return os.path.join(root, "aws_configs", "accounts", account, region)


def without_origins(network: Any) -> Any:
    """Origins say where data came from (a file or an API call); everything else must be identical."""
    return replace(map_origins(network, lambda _: Origin("compared-without-origin")), sources=(), source_kind="")


@pytest.fixture(scope="module")
def full(live_aws: LiveAws, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Two accounts (one role each) x two regions, through the CLI."""
    out = str(tmp_path_factory.mktemp("snap") / "full")
    args = ["snapshot", "--output", out, "--role-arn", MAIN_ROLE, "--role-arn", PARTNER_ROLE]
    for region in REGIONS:
        args += ["--region", region]
    return out, vpcreach(live_aws.env("reader", CI="true"), *args)


# ---------------------------------------------------------------- the written folder

def test_snapshot_succeeds_with_the_shipped_policy(full):
    out, done = full
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {out}: 2 account(s), 2 region(s), {sum(read(out + '/manifest.json')['calls'].values())} API calls\n"
    assert "warning" not in done.stderr


def test_one_folder_per_account_and_region_with_every_document(full):
    out, _ = full
    for account in (MAIN_ACCOUNT, PARTNER_ACCOUNT):
        assert sorted(os.listdir(os.path.join(out, "aws_configs", "accounts", account))) == sorted(REGIONS)
        for region in REGIONS:
            folder = account_folder(out, account, region)
            assert sorted(os.listdir(folder)) == [f"{name}.json" for name in DOCUMENTS]
            for name in DOCUMENTS:
                assert list(read(os.path.join(folder, f"{name}.json"))) == [name]


def test_files_are_deterministic_json(full):
    out, _ = full
    folder = account_folder(out, MAIN_ACCOUNT, "us-east-1")
    for name in DOCUMENTS:
        with open(os.path.join(folder, f"{name}.json"), encoding="utf-8") as handle:
            text = handle.read()
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    created = read(os.path.join(folder, "Vpcs.json"))["Vpcs"]
    assert all(isinstance(vpc["CidrBlock"], str) for vpc in created)
    reservations = read(os.path.join(folder, "Reservations.json"))["Reservations"]
    launch = reservations[0]["Instances"][0]["LaunchTime"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", launch)  # datetimes as ISO strings


def test_wrappers_for_data_returned_per_owner(full, live_aws):
    out, _ = full
    ids = live_aws.built.ids
    folder = account_folder(out, MAIN_ACCOUNT, "us-east-1")
    entries = {w["PrefixListId"]: w["Entries"] for w in read(f"{folder}/ManagedPrefixListEntries.json")
               ["ManagedPrefixListEntries"]}
    assert entries[ids["pl-office"]] == [{"Cidr": "192.0.2.0/24", "Description": "HQ"},
                                         {"Cidr": "198.51.100.128/25", "Description": "branch"}]
    routes = {w["TransitGatewayRouteTableId"]: w for w in read(f"{folder}/TransitGatewayStaticRoutes.json")
              ["TransitGatewayStaticRoutes"]}
    assert [(r["DestinationCidrBlock"], r["State"], r["Type"]) for r in routes[ids["tgw-rtb"]]["Routes"]] == [
        ("10.50.0.0/16", "blackhole", "static")]
    assert routes[ids["tgw-rtb"]]["AdditionalRoutesAvailable"] is False
    for document, items in (("TransitGatewayPropagations", "TransitGatewayRouteTablePropagations"),
                            ("TransitGatewayRouteTableAssociations", "Associations")):
        wrappers = read(f"{folder}/{document}.json")[document]
        assert {"TransitGatewayRouteTableId": ids["tgw-rtb"], items: []} in wrappers


def test_manifest_records_accounts_regions_and_calls(full):
    out, _ = full
    manifest = read(os.path.join(out, "manifest.json"))
    assert manifest["vpcreach_version"] == "0.1.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["time"])
    assert (manifest["accounts"], manifest["regions"]) == ([MAIN_ACCOUNT, PARTNER_ACCOUNT], sorted(REGIONS))
    assert (manifest["complete"], manifest["missing"]) == (True, [])
    assert manifest["role_arns"] == [MAIN_ROLE, PARTNER_ROLE]
    calls = manifest["calls"]
    assert (calls["sts:AssumeRole"], calls["sts:GetCallerIdentity"], calls["ec2:DescribeRegions"]) == (2, 2, 1)
    assert calls["ec2:DescribeVpcs"] == 4  # one per account and region
    assert [(s["account"], s["region"], s["failed"]) for s in manifest["snapshots"]] == [
        (account, region, []) for account in (MAIN_ACCOUNT, PARTNER_ACCOUNT) for region in sorted(REGIONS)]


def test_no_credentials_in_the_output(full, live_aws):
    out, done = full
    secrets = [live_aws.built.keys["reader"]["id"], live_aws.built.keys["reader"]["secret"], FAKE_KEY_ID, FAKE_SECRET]
    texts = [done.stdout, done.stderr]
    for folder, _, files in os.walk(out):
        texts += [open(os.path.join(folder, name), encoding="utf-8").read() for name in files]
    assert len(texts) == 2 + 1 + 4 * len(DOCUMENTS)
    assert [secret for secret in secrets for text in texts if secret in text] == []
    assert "SecretAccessKey" not in "".join(texts) and "SessionToken" not in "".join(texts)


# ---------------------------------------------------------------- the model: offline == live == example

def test_live_source_equals_the_offline_import_of_the_folder(full, live_aws, monkeypatch):
    out, _ = full
    for name, value in live_aws.env("reader").items():
        monkeypatch.setenv(name, value)
    live = load_live(LIVE_SPEC)
    offline = load_snapshot_folder(out)
    assert without_origins(live) == without_origins(offline)
    assert (live.source_kind, live.sources, live.missing) == ("live", (LIVE_SPEC,), ())
    vpc = next(v for v in live.vpcs if v.name == "shop")
    assert vpc.origin == Origin("api", pointer=vpc.origin.pointer, call="ec2:DescribeVpcs", region="us-east-1",
                                account=MAIN_ACCOUNT)


def test_structure_matches_the_example_network(full):
    """Route table and NACL per subnet, routes, SG rules, instances: the same answers as fixtures/example."""
    out, _ = full
    expected = read(EXPECTED_STRUCTURE)
    example = json.loads(json.dumps(structure(load_describe(os.path.join(REPO, "fixtures", "example")))))
    live = json.loads(json.dumps(structure(load_describe(out))))
    assert example == expected
    assert live == expected


def test_every_account_and_region_has_its_default_vpc_and_own_vpcs(full):
    out, _ = full
    network = load_describe(out)
    defaults = sorted((v.account, v.region, str(v.cidrs_v4[0])) for v in network.vpcs if v.is_default)
    assert defaults == [(a, r, "172.31.0.0/16") for a in (MAIN_ACCOUNT, PARTNER_ACCOUNT) for r in sorted(REGIONS)]
    named = sorted((v.name, v.account, v.region) for v in network.vpcs if v.name)
    assert named == [("eu", MAIN_ACCOUNT, "eu-west-1"), ("ops", MAIN_ACCOUNT, "us-east-1"),
                     ("partner", PARTNER_ACCOUNT, "us-east-1"), ("shop", MAIN_ACCOUNT, "us-east-1")]


# ---------------------------------------------------------------- pagination, denied calls, the policy

def test_pagination_reads_every_page(live_aws, tmp_path):
    out = str(tmp_path / "paged")
    done = vpcreach(live_aws.env("reader", CI="true"), "snapshot", "--region", "eu-west-1",
                    "--page-size", str(PAGE_SIZE), "-o", out)
    assert done.returncode == 0, done.stderr
    reservations = read(os.path.join(account_folder(out, MAIN_ACCOUNT, "eu-west-1"), "Reservations.json"))
    names = sorted(tag["Value"] for r in reservations["Reservations"] for i in r["Instances"]
                   for tag in i.get("Tags", []) if tag["Key"] == "Name")
    assert names == sorted(f"worker-{n}" for n in range(WORKERS))
    calls = read(os.path.join(out, "manifest.json"))["snapshots"][0]["calls"]
    assert calls["ec2:DescribeInstances"] == 2  # 7 reservations in pages of 5
    assert done.stderr == f"vpcreach snapshot: read {MAIN_ACCOUNT}/eu-west-1 ({sum(calls.values())} calls, " \
                          "0 failed) [1/1]\n"


def test_a_denied_call_is_recorded_and_makes_answers_inconclusive(live_aws, tmp_path):
    out = str(tmp_path / "limited")
    done = vpcreach(live_aws.env("limited", CI="true"), "snapshot", "--region", "us-east-1", "-o", out, "-q")
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"warning: aws: ec2:DescribeNatGateways ({MAIN_ACCOUNT}/us-east-1): access denied: AccessDenied; its data "
        "is missing from the snapshot and answers that depend on it are inconclusive (hint: allow "
        "ec2:DescribeNatGateways; the minimal policy is docs/iam-policy.json)",
        f"warning: the snapshot is incomplete: 1 call(s) failed (listed under \"missing\" in {out}/manifest.json)"]
    manifest = read(os.path.join(out, "manifest.json"))
    assert (manifest["complete"], manifest["missing"]) == (False, [f"{MAIN_ACCOUNT}/us-east-1/ec2:DescribeNatGateways"])
    assert manifest["snapshots"][0]["failed"] == [
        {"call": "ec2:DescribeNatGateways", "error": "AccessDenied", "denied": True}]
    assert not os.path.exists(os.path.join(account_folder(out, MAIN_ACCOUNT, "us-east-1"), "NatGateways.json"))
    network = load_snapshot_folder(out)
    assert network.missing == (f"{MAIN_ACCOUNT}/us-east-1/ec2:DescribeNatGateways",)
    assert network.nat_gateways == ()
    notes = [d for d in network.diagnostics if d.subject == "ec2:DescribeNatGateways"]
    assert [(d.kind, d.where) for d in notes] == [("unmodelled", f"aws: ec2:DescribeNatGateways ({MAIN_ACCOUNT}/us-east-1)")]


def test_the_policy_lists_exactly_the_calls_made(live_aws):
    """Three views must agree: the shipped policy, the code's call table, and the calls moto actually saw."""
    policy = read(POLICY_PATH)
    assert read(os.path.join(REPO, "docs", "iam-policy.json")) == policy
    [statement] = policy["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Allow", "*")
    assert statement["Action"] == read_actions()

    keys = live_aws.built.keys["reader"]
    session = boto3.Session(aws_access_key_id=keys["id"], aws_secret_access_key=keys["secret"],
                            region_name="us-east-1")
    seen: Counter = Counter()
    session.events.register("before-call", lambda model, **_: seen.update(
        [f"{model.service_model.signing_name}:{model.name}"]))
    taken = take_snapshot(REGIONS, role_arns=(MAIN_ROLE, PARTNER_ROLE), session=session)
    assert taken.manifest["complete"]
    assert set(seen) - set(STS_CALLS) == set(statement["Action"])
    assert set(STS_CALLS) <= set(seen)
    assert dict(seen) == taken.manifest["calls"]  # the manifest counts every call made


# ---------------------------------------------------------------- fatal errors: one line, a hint, exit 2

CREDENTIALS_HINT = ("hint: check AWS_PROFILE / --profile, run `aws sso login` for an SSO profile, "
                    "or `aws sts get-caller-identity` to test the credentials")


@pytest.mark.parametrize("case", [
    dict(name="unknown access key", env=dict(AWS_ACCESS_KEY_ID="AKIAUNKNOWN000000000", AWS_SECRET_ACCESS_KEY="x"),
         args=["--region", "us-east-1"],
         stderr=['error: aws: sts:GetCallerIdentity (us-east-1): AWS rejected the credentials: "InvalidClientTokenId" '
                 '(expected valid, unexpired AWS credentials)', CREDENTIALS_HINT]),
    dict(name="no credentials at all", env={}, args=["--region", "us-east-1"],
         stderr=["error: aws: sts:GetCallerIdentity (us-east-1): no AWS credentials found", CREDENTIALS_HINT]),
    dict(name="not a region name", user="reader", args=["--region", "US East"],
         stderr=['error: aws: --region: not a region name: "US East" (expected a region name such as us-east-1)']),
    dict(name="unreachable endpoint", user="reader", env=dict(AWS_ENDPOINT_URL="http://127.0.0.1:9"),
         args=["--region", "us-east-1"],
         stderr=['error: aws: sts:GetCallerIdentity (us-east-1): cannot reach the AWS endpoint: "http://127.0.0.1:9/"',
                 "hint: check network access, proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL"]),
    dict(name="unknown profile", args=["--region", "us-east-1", "--profile", "nope"],
         stderr=['error: aws: --profile: profile not found: "nope" (expected a profile in ~/.aws/config or '
                 '~/.aws/credentials)', "hint: list profiles with `aws configure list-profiles`"]),
    dict(name="role that cannot be assumed", user="limited", args=["--region", "us-east-1", "--role-arn", PARTNER_ROLE],
         stderr=[f'error: aws: sts:AssumeRole ({PARTNER_ROLE}): cannot assume role: "AccessDenied"',
                 "hint: the caller needs sts:AssumeRole on the role, and the role's trust policy must allow the caller"]),
    dict(name="region and all regions", user="reader", args=["--region", "us-east-1", "--all-regions"],
         stderr=["error: --all-regions: cannot be combined with --region (expected either --region R (repeatable) "
                 "or --all-regions)"]),
], ids=lambda case: case["name"])
def test_fatal_errors(live_aws, tmp_path, case):
    out = str(tmp_path / "never")
    done = vpcreach(live_aws.env(case.get("user"), **case.get("env", {})), "snapshot", "-o", out, *case["args"])
    lines = done.stderr.splitlines()
    assert (done.returncode, lines[:1], lines[1:]) == (2, case["stderr"][:1], case["stderr"][1:])
    assert not os.path.exists(out)


def test_an_unknown_region_is_named_with_the_enabled_regions_as_hint(live_aws, tmp_path):
    done = vpcreach(live_aws.env("reader"), "snapshot", "-o", str(tmp_path / "x"), "--region", "xx-fake-1")
    error, hint = done.stderr.splitlines()
    assert (done.returncode, error) == (2, 'error: aws: ec2:DescribeRegions (us-east-1): unknown region: "xx-fake-1" '
                                           '(expected a region ec2:DescribeRegions lists)')
    assert hint.startswith("hint: enabled regions: ") and "eu-west-1, " in hint
    assert "ap-east-1" not in hint  # listed by moto as not-opted-in


def test_an_existing_snapshot_is_never_mixed_with_a_new_one(live_aws, full, tmp_path):
    out, _ = full
    done = vpcreach(live_aws.env("reader"), "snapshot", "-o", out, "--region", "us-east-1")
    assert (done.returncode, done.stderr.splitlines()) == (2, [
        f'error: {out}: the folder already holds a snapshot: "manifest.json" (expected a new or empty folder)',
        "hint: choose another --output, or pass --overwrite to replace it"])


# ---------------------------------------------------------------- engine answers: moto network == example

# (source, destination, protocol, port, verdict) by Name tag; the verdicts are NETWORK.md's.
ENGINE_QUERIES = [
    ("internet", "tag:Name=web-1", 6, 443, "reachable"),
    ("internet", "tag:Name=web-1", 6, 8080, "unreachable"),
    ("internet", "tag:Name=db-1", 6, 3389, "unreachable"),  # world-open SG rule, but no route to an IGW
    ("tag:Name=app-1", "tag:Name=db-1", 6, 5432, "reachable"),
    ("tag:Name=web-1", "tag:Name=db-1", 6, 5432, "unreachable"),
    ("tag:Name=web-1", "tag:Name=app-1", 6, 8080, "reachable"),
    ("tag:Name=bastion-1", "tag:Name=app-1", 6, 22, "reachable"),  # over the peering
    ("tag:Name=bastion-1", "tag:Name=db-1", 6, 22, "unreachable"),
]


@pytest.mark.parametrize("source,destination,protocol,port,verdict", ENGINE_QUERIES,
                         ids=[f"{q[0]}->{q[1]}:{q[3]}" for q in ENGINE_QUERIES])
def test_engine_gives_the_example_answers(full, source, destination, protocol, port, verdict):
    engine = pytest.importorskip("vpcreach.engine")
    from vpcreach.model import PortRange

    query = engine.Query(source=source, destination=destination, protocol=protocol, ports=PortRange(port, port))
    example = engine.Analyzer(load_describe(os.path.join(REPO, "fixtures", "example"))).query(query)
    live = engine.Analyzer(load_describe(full[0])).query(query)
    assert (example.verdict, live.verdict) == (verdict, verdict)


def test_every_analysis_command_reads_a_live_source(live_aws):
    """One command reads the account and analyses it: `aws:` works wherever a SOURCE does."""
    env = live_aws.env("reader", CI="true")
    source = "aws:region=us-east-1"
    answer = vpcreach(env, "query", source, "--from", "internet", "--to", "tag:Name=web-1", "--port", "443",
                      "--format", "json")
    assert (answer.returncode, json.loads(answer.stdout)["verdict"]) == (0, "reachable"), answer.stderr
    exposure = vpcreach(env, "exposure", source, "--format", "json")
    assert exposure.returncode == 0, exposure.stderr
    assert any(e["protocol"] == "tcp" and e["ports"] == "443" for e in json.loads(exposure.stdout)["exposures"])
    shown = vpcreach(env, "show", source)
    assert shown.returncode == 0 and "source: aws:region=us-east-1" in shown.stdout, shown.stderr
    checked = vpcreach(env, "check", source, "--isolated", "--format", "json", "--fail-on", "never")
    assert checked.returncode == 0, checked.stderr
    assert "missing-nat-route" in {f["name"] for f in json.loads(checked.stdout)["findings"]}
