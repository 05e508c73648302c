"""Locations: str(Origin) parses back into its parts, and a JSON pointer maps to the line its value starts on."""
from __future__ import annotations

import json

import pytest

from vpcreach.model import Origin
from vpcreach.report.locate import JsonLineIndex, Location, line_in_file, parse_location

ORIGINS = [
    (Origin("file", file="snap/us-east-1/ec2-describe-security-groups.json", pointer="/SecurityGroups/2/IpPermissions/0"),
     {"file": "snap/us-east-1/ec2-describe-security-groups.json", "pointer": "/SecurityGroups/2/IpPermissions/0"}),
    (Origin("terraform", file="plan.json", address='module.net.aws_subnet.private["a"]', pointer="/planned_values/x"),
     {"file": "plan.json", "address": 'module.net.aws_subnet.private["a"]'}),
    (Origin("terraform", file="plan.json", address="aws_security_group.web[0]"),
     {"file": "plan.json", "address": "aws_security_group.web[0]"}),
    (Origin("api", call="ec2:DescribeVpcs", region="us-east-1", account="111111111111", pointer="/Vpcs/0"),
     {"call": "ec2:DescribeVpcs", "pointer": "/Vpcs/0"}),
    (Origin("file", file="snap/vpcs.json", pointer="/Vpcs/0").implied("default NACL"),
     {"file": "snap/vpcs.json", "pointer": "/Vpcs/0"}),
]


@pytest.mark.parametrize("origin, parts", ORIGINS, ids=[o.kind + str(i) for i, (o, _) in enumerate(ORIGINS)])
def test_parse_location_inverts_origin_str(origin: Origin, parts: dict) -> None:
    location = parse_location(str(origin))
    assert location == Location(str(origin), **parts)


DOCUMENT = """{
  "Vpcs": [
    {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"},
    {
      "VpcId": "vpc-2",
      "Tags": [{"Key": "a/b", "Value": "x~y"}],
      "Nested": {"deep": [1, [2, 3], {"k": "v"}]}
    }
  ],
  "Other": "value with \\"quotes\\" and / slash"
}
"""

LINES = [
    ("", 1), ("/Vpcs", 2), ("/Vpcs/0", 3), ("/Vpcs/0/CidrBlock", 3), ("/Vpcs/1", 4), ("/Vpcs/1/VpcId", 5),
    ("/Vpcs/1/Tags/0/Key", 6), ("/Vpcs/1/Nested/deep/1/1", 7), ("/Vpcs/1/Nested/deep/2/k", 7), ("/Other", 10),
    ("/Vpcs/2", None), ("/Missing", None), ("/Vpcs/x", None), ("/Other/0", None),
]


@pytest.mark.parametrize("pointer, line", LINES, ids=[p or "root" for p, _ in LINES])
def test_pointer_line(pointer: str, line: int | None) -> None:
    json.loads(DOCUMENT)  # the fixture itself is valid JSON
    assert JsonLineIndex(DOCUMENT).line_of(pointer) == line


def test_pointer_escapes_follow_rfc6901() -> None:
    text = '{\n"a/b":\n 1,\n "m~n": 2}'
    index = JsonLineIndex(text)
    assert index.line_of("/a~1b") == 3
    assert index.line_of("/m~0n") == 4


def test_terraform_address_is_found_in_resource_changes(tmp_path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        '{\n'
        '  "format_version": "1.2",\n'
        '  "resource_changes": [\n'
        '    {"address": "aws_vpc.main", "type": "aws_vpc"},\n'
        '    {\n'
        '      "address": "aws_security_group.web",\n'
        '      "type": "aws_security_group"\n'
        '    }\n'
        '  ]\n'
        '}\n')
    assert line_in_file(parse_location(f"{path}: aws_vpc.main")) == 4
    assert line_in_file(parse_location(f"{path}: aws_security_group.web")) == 5
    assert line_in_file(parse_location(f"{path}: aws_subnet.missing")) is None


def test_yaml_policy_item_line(tmp_path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("# intents\n- name: a\n  from: internet\n\n- name: b\n  to: x\n")
    assert line_in_file(Location("", file=str(path), pointer="/1")) == 5
    assert line_in_file(Location("", file=str(path), pointer="/1/to")) == 6


def test_unreadable_or_non_json_file_has_no_line(tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": [1, 2')
    assert line_in_file(Location("", file=str(broken), pointer="/a/5")) is None
    assert line_in_file(Location("", file=str(tmp_path / "absent.json"), pointer="/a")) is None
