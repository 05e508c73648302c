"""The example network imports to the same model from describe-* JSON and from Terraform.

- plan.json (planned after apply) and aws_configs/us-east-1 (describe output) give the same model,
  except for what Terraform cannot know, listed below with the reason;
- plan-create.json (the same configuration planned from nothing) gives that model too, once its
  address-ids are mapped to the real ids and values known only after apply are allowed to be anything.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from terraform_compare import comparable, differences
from vpcreach.importers.describe import load_describe
from vpcreach.importers.terraform_plan import load_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "example"
TERRAFORM = EXAMPLE / "terraform"

# Differences between the describe import (first) and the applied plan (second), each inherent.
INHERENT = {
    # AWS creates each VPC's main route table association; Terraform manages neither, so never learns its id.
    '/route_tables/rtb-0main00000000000/associations/0/id: "rtbassoc-0main000000000001" != null',
    '/route_tables/rtb-0opsmain00000001/associations/0/id: "rtbassoc-0opsm000000000001" != null',
    # The NAT gateway's network interface is AWS's (requester-managed); no Terraform resource holds it.
    "/network_interfaces/eni-0nat00000000000001: only in the first",
    # An instance's primary interface is created by RunInstances; aws_instance does not expose its description.
    *(f'/network_interfaces/{eni}/description: "Primary network interface" != null'
      for eni in ("eni-0app00000000000001", "eni-0bastion000000001", "eni-0db000000000000001",
                  "eni-0web00000000000001")),
    # describe-security-groups says where a referenced group lives (UserIdGroupPair.VpcId and the
    # peering status); a Terraform rule only has the group id.
    '/security_groups/sg-0app0000000000001/ingress/0/peer/peering_status: "active" != null',
    '/security_groups/sg-0app0000000000001/ingress/0/peer/vpc_id: "vpc-0ops00000000000001" != null',
}

# Applied plan (first) vs the plan made from nothing (second): the route's state is read back from AWS only.
CREATE_ONLY = {
    '/route_tables/rtb-0main00000000000/routes/1/state: "blackhole" != "active"',
}


def read(name: str) -> dict:
    return json.loads((TERRAFORM / name).read_text(encoding="utf-8"))


def load_generator():
    spec = importlib.util.spec_from_file_location("example_generate", TERRAFORM / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["plan.json", "plan-create.json"])
def test_committed_plan_is_the_generators_output(name: str) -> None:
    generator = load_generator()
    assert (TERRAFORM / name).read_text(encoding="utf-8") == generator.render(generator.OUTPUTS[name])


def test_applied_plan_and_describe_give_the_same_model() -> None:
    describe = load_describe(str(EXAMPLE / "aws_configs" / "us-east-1"))
    plan = load_plan(str(TERRAFORM / "plan.json"), read("plan.json"))
    assert set(differences(comparable(describe), comparable(plan))) == INHERENT


def real_ids(applied: dict) -> dict[str, str]:
    """Address-ids of the create plan -> real ids: from the applied plan's values."""
    mapping: dict[str, str] = {}
    for resource in applied["planned_values"]["root_module"]["resources"]:
        values, address = resource["values"], resource["address"]
        mapping[address] = values["id"]
        if resource["type"] == "aws_vpc":
            mapping[f"{address}#main-route-table"] = values["main_route_table_id"]
            mapping[f"{address}#default-network-acl"] = values["default_network_acl_id"]
            mapping[f"{address}#default-security-group"] = values["default_security_group_id"]
        if resource["type"] == "aws_instance":
            mapping[f"{address}#primary-network-interface"] = values["primary_network_interface_id"]
    return mapping


def test_create_plan_gives_the_same_model_modulo_ids_and_unknowns() -> None:
    applied = comparable(load_plan(str(TERRAFORM / "plan.json"), read("plan.json")))
    created = comparable(load_plan(str(TERRAFORM / "plan-create.json"), read("plan-create.json")))
    text = json.dumps(created)
    for address, real in sorted(real_ids(read("plan.json")).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(json.dumps(address), json.dumps(real))
    renamed = comparable_again(json.loads(text))
    assert set(differences(applied, renamed, wildcard_unknown=True)) == CREATE_ONLY


def comparable_again(data: dict) -> dict:
    """Re-sort lists after renaming ids (the canonical order depends on the ids)."""
    from terraform_compare import _canonical
    return {name: {key: _canonical(item) for key, item in items.items()} for name, items in data.items()}
