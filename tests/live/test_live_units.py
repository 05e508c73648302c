"""The `aws:` spec syntax, the progress output and the call table, without a server."""
from __future__ import annotations

import io

import pytest

from vpcreach.errors import InputError
from vpcreach.importers.live import LiveSpec, parse_spec
from vpcreach.importers.live_calls import OWNER_CALLS, REGION_CALLS, call_for_document
from vpcreach.importers.live_progress import Progress
from vpcreach.importers.live_snapshot import RegionRead

ROLE = "arn:aws:iam::111111111111:role/Reader"
KEYS = "(expected region=R, profile=P, role-arn=ARN or all-regions)"

SPECS = [
    ("aws:", LiveSpec()),
    ("aws:region=us-east-1,region=eu-west-1", LiveSpec(regions=("us-east-1", "eu-west-1"))),
    (f"aws:profile=prod, role-arn={ROLE}", LiveSpec(profile="prod", role_arns=(ROLE,))),
    ("aws:all-regions", LiveSpec(all_regions=True)),
]


@pytest.mark.parametrize("spec,expected", SPECS, ids=[s for s, _ in SPECS])
def test_spec_syntax(spec, expected):
    assert parse_spec(spec) == expected


BAD_SPECS = [
    ("aws:regions=us-east-1", ['aws:regions=us-east-1: unknown key: "regions" ' + KEYS]),
    ("aws:region", ['aws:region: expected key=value: "region" ' + KEYS]),
    ("aws:profile=a,profile=b,color=red", [
        'aws:profile=a,profile=b,color=red: profile given twice: "profile=b" (expected at most one profile=P)',
        'aws:profile=a,profile=b,color=red: unknown key: "color" ' + KEYS]),
    ("aws:region=us-east-1,all-regions", [
        "aws:region=us-east-1,all-regions: region= cannot be combined with all-regions "
        "(expected either region=R or all-regions)"]),
]


@pytest.mark.parametrize("spec,lines", BAD_SPECS, ids=[s for s, _ in BAD_SPECS])
def test_bad_specs_report_every_problem(spec, lines):
    with pytest.raises(InputError) as raised:
        parse_spec(spec)
    assert sorted(p.line() for p in raised.value.problems) == sorted(lines)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_redrawn_line_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    progress = Progress(stream)
    progress.start(2)
    progress.region_done(RegionRead("1", "us-east-1"))
    progress.warn("x denied")
    progress.finish()
    assert stream.getvalue() == ("\r\033[Kreading 0/2 account regions"
                                 "\r\033[Kreading 1/2 account regions (1/us-east-1)"
                                 "\r\033[Kwarning: x denied\n"
                                 "\r\033[Kreading 1/2 account regions\n")


def test_progress_is_plain_log_lines_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    stream = Terminal()
    progress = Progress(stream)
    progress.start(1)
    progress.region_done(RegionRead("1", "us-east-1"))
    progress.finish()
    assert stream.getvalue() == "vpcreach snapshot: read 1/us-east-1 (0 calls, 0 failed) [1/1]\n"


def test_every_document_names_the_action_that_reads_it():
    names = [call.key for call in REGION_CALLS] + [call.document for call in OWNER_CALLS]
    assert len(set(names)) == len(names) == 24
    assert call_for_document("Reservations") == "ec2:DescribeInstances"
    assert call_for_document("TransitGatewayStaticRoutes") == "ec2:SearchTransitGatewayRoutes"
    assert all(call_for_document(name) for name in names)
