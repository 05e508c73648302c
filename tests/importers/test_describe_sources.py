"""load_source detects the input kind; load_sources merges several inputs and rejects duplicate ids."""
from __future__ import annotations

import json
import sys
import types

import pytest

from vpcreach.errors import InputError
from vpcreach.importers import detect_json_kind, load_source, load_sources
from vpcreach.model import Network

VPCS = {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}


@pytest.mark.parametrize("document, kind", [
    ({"format_version": "1.2", "planned_values": {}}, "terraform-plan"),
    ({"format_version": "1.2", "resource_changes": []}, "terraform-plan"),
    ({"format_version": "1.0", "prior_state": {}}, "terraform-plan"),
    ({"version": 4, "resources": []}, "terraform-state"),
    ({"version": 3, "modules": []}, "terraform-state"),
    ({"version": 2, "resources": []}, "describe"),
    ({"format_version": "1.0", "values": {}}, "describe"),  # `terraform show -json` of a state: not a plan
    (VPCS, "describe"),
    ([1, 2], "describe"),
])
def test_json_kind_detection(document, kind):
    assert detect_json_kind(document) == kind


@pytest.mark.parametrize("module, function, document", [
    ("vpcreach.importers.terraform_plan", "load_plan", {"format_version": "1.2", "planned_values": {}}),
    ("vpcreach.importers.terraform_state", "load_state", {"version": 4, "resources": []}),
])
def test_terraform_files_go_to_their_importer_with_the_parsed_document(tmp_path, monkeypatch, module, function,
                                                                       document):
    calls = []
    fake = types.ModuleType(module)
    setattr(fake, function, lambda path, doc: calls.append((path, doc)) or Network())
    monkeypatch.setitem(sys.modules, module, fake)
    path = tmp_path / "input.json"
    path.write_text(json.dumps(document))
    load_source(str(path))
    assert calls == [(str(path), document)]


def test_aws_sources_go_to_the_live_importer(monkeypatch):
    calls = []
    fake = types.ModuleType("vpcreach.importers.live")
    fake.load_live = lambda spec: calls.append(spec) or Network()
    monkeypatch.setitem(sys.modules, "vpcreach.importers.live", fake)
    load_source("aws:region=us-east-1")
    assert calls == ["aws:region=us-east-1"]


def test_a_single_describe_file_and_a_folder(tmp_path):
    (tmp_path / "Vpcs.json").write_text(json.dumps(VPCS))
    assert [v.id for v in load_source(str(tmp_path / "Vpcs.json")).vpcs] == ["vpc-1"]
    assert load_source(str(tmp_path)).source_kind == "describe"


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "{p}/missing: no such file or directory"),
    (lambda p: (p / "x.json").write_text(""), "{p}/x.json: empty file"),
    (lambda p: (p / "x.json").write_text("{\n  \"Vpcs\": [\n"), "{p}/x.json:3:1: invalid JSON: Expecting value"),
    (lambda p: (p / "x.yaml").write_text("a: 1"), "{p}/x.yaml: not a .json or .tfstate file"),
])
def test_unusable_sources_are_one_line_errors(tmp_path, setup, message):
    setup(tmp_path)
    name = {"no such": "missing", "not a .json": "x.yaml"}
    target = next((tmp_path / v for k, v in name.items() if k in message), tmp_path / "x.json")
    with pytest.raises(InputError) as raised:
        load_source(str(target))
    line, = [p.line() for p in raised.value.problems]
    assert line.startswith(message.format(p=tmp_path) + " (expected ")


def test_sources_merge_and_duplicates_name_both_origins(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(VPCS))
    (tmp_path / "b.json").write_text(json.dumps({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1",
                                                              "CidrBlock": "10.0.1.0/24"}]}))
    merged = load_sources([str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    assert ([v.id for v in merged.vpcs], [s.id for s in merged.subnets]) == (["vpc-1"], ["subnet-1"])
    assert merged.sources == (str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert merged.source_kind == "describe"
    (tmp_path / "c.json").write_text(json.dumps(VPCS))
    with pytest.raises(InputError) as raised:
        load_sources([str(tmp_path / "a.json"), str(tmp_path / "c.json")])
    assert [p.line() for p in raised.value.problems] == [
        f'{tmp_path}/c.json#/Vpcs/0: duplicate id: "vpc-1" (expected each resource in one source only; '
        f"also defined at {tmp_path}/a.json#/Vpcs/0)"]
