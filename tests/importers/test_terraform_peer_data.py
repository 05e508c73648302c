"""Every Terraform plan and state in the peer data (real public inputs) loads, with the resource counts
it holds (checked against the SOURCE.md tables and the files by hand), and leaks nothing unmodelled."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcreach.importers.terraform_plan import load_plan
from vpcreach.importers.terraform_state import load_state
from vpcreach.model.serialize import network_to_json

# file (relative to the peer data) -> non-zero model collection counts
EXPECTED_COUNTS = {
    "terraform-compliance/tests/functional/test_count_does_not_work_for_resources/plan.out.json": {'vpcs': 1, 'route_tables': 1, 'security_groups': 1, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_issue-127/plan.out.json": {'security_groups': 2, 'network_interfaces': 1, 'instances': 1},
    "terraform-compliance/tests/functional/test_issue-156/plan.out.json": {'security_groups': 1, 'network_interfaces': 1, 'instances': 1},
    "terraform-compliance/tests/functional/test_issue-157/plan.out.json": {'security_groups': 1, 'network_interfaces': 1, 'instances': 1},
    "terraform-compliance/tests/functional/test_issue-158/plan.out.json": {'vpcs': 1, 'subnets': 6, 'route_tables': 5, 'internet_gateways': 1, 'nat_gateways': 3, 'vpn_gateways': 1, 'security_groups': 1, 'network_acls': 1, 'elastic_ips': 3},
    "terraform-compliance/tests/functional/test_issue-166/plan.out.json": {'security_groups': 1, 'network_interfaces': 1, 'instances': 1},
    "terraform-compliance/tests/functional/test_issue-168/plan.out.json": {'vpcs': 1, 'subnets': 1, 'route_tables': 1, 'security_groups': 1, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_issue-171/plan.out.json": {'vpcs': 1, 'subnets': 4, 'route_tables': 2, 'internet_gateways': 1, 'security_groups': 2, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_issue-172/plan.out.json": {'vpcs': 1, 'subnets': 4, 'route_tables': 2, 'internet_gateways': 1, 'security_groups': 2, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_issue-181_sg_with_comma_separated/plan.out.json": {'security_groups': 2},
    "terraform-compliance/tests/functional/test_issue-190/plan.out.json": {'security_groups': 2},
    "terraform-compliance/tests/functional/test_issue-198/plan.out.json": {'security_groups': 1},
    "terraform-compliance/tests/functional/test_issue-216/plan.out.json": {'security_groups': 1},
    "terraform-compliance/tests/functional/test_issue-232/plan.out.json": {},
    "terraform-compliance/tests/functional/test_issue-234-egress/plan.out.json": {'security_groups': 2},
    "terraform-compliance/tests/functional/test_issue-234-ingress/plan.out.json": {'security_groups': 2},
    "terraform-compliance/tests/functional/test_issue-249-bad_feature/plan.out.json": {'security_groups': 3},
    "terraform-compliance/tests/functional/test_issue-249-has/plan.out.json": {'security_groups': 3},
    "terraform-compliance/tests/functional/test_issue-249-must_not/plan.out.json": {'security_groups': 3},
    "terraform-compliance/tests/functional/test_issue-249-must_not_bad_feature/plan.out.json": {'security_groups': 3},
    "terraform-compliance/tests/functional/test_issue-249/plan.out.json": {'security_groups': 3},
    "terraform-compliance/tests/functional/test_issue-275/plan.out.json": {'security_groups': 1},
    "terraform-compliance/tests/functional/test_issue-514/plan.out.json": {'vpcs': 1, 'subnets': 2, 'route_tables': 1, 'security_groups': 1, 'network_acls': 2},
    "terraform-compliance/tests/functional/test_issue-554/plan.out.json": {'vpcs': 1, 'route_tables': 1, 'internet_gateways': 1, 'security_groups': 2, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_issue-sgr/plan.out.json": {'vpcs': 1, 'route_tables': 1, 'internet_gateways': 1, 'security_groups': 2, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_issue_360/plan.out.json": {'security_groups': 1},
    "terraform-compliance/tests/functional/test_issue_400/plan.out.json": {'security_groups': 3},
    "terraform-compliance/tests/functional/test_issue_522/plan.out.json": {'security_groups': 1},
    "terraform-compliance/tests/functional/test_multiple_failures/plan.out.json": {'security_groups': 2},
    "terraform-compliance/tests/functional/test_pull_330/plan.out.json": {'vpcs': 1, 'subnets': 1, 'route_tables': 1, 'internet_gateways': 1, 'nat_gateways': 1, 'vpn_gateways': 1, 'security_groups': 3, 'network_acls': 1},
    "terraform-compliance/tests/functional/test_referencing_terraform_addresses_on_resource_mounting/plan.out.json": {'security_groups': 1, 'network_interfaces': 1, 'instances': 1},
    "terraform-compliance/tests/functional/test_referencing_terraform_addresses_on_resource_mounting_filtering/plan.out.json": {'security_groups': 1, 'network_interfaces': 1, 'instances': 1},
    "checkov/tests/common/runner_registry/plan_with_for_each_for_enrichment/tf_plan.json": {'security_groups': 3},
    "checkov/tests/terraform/runner/resources/plan/tfplan.json": {'vpcs': 2, 'subnets': 4, 'route_tables': 3, 'internet_gateways': 1, 'security_groups': 4, 'network_acls': 2, 'network_interfaces': 3, 'instances': 2},
    "checkov/tests/terraform/runner/resources/plan_change_keys/tfplan.json": {},
    "regula/pkg/loader/test_inputs/data/tfplan.0.12.json": {'security_groups': 4},
    "regula/pkg/loader/test_inputs/data/tfplan.0.13.json": {'security_groups': 4},
    "regula/pkg/loader/test_inputs/data/tfplan.0.14.json": {'security_groups': 4},
    "regula/pkg/loader/test_inputs/data/tfplan.0.15.json": {'security_groups': 4},
    "regula/rego/tests/examples/aws/inputs/tag_all_resources_infra.json": {'vpcs': 3, 'route_tables': 3, 'security_groups': 3, 'network_acls': 3},
    "regula/rego/tests/lib/inputs/resource_view_06_tf_v0_15_infra.json": {'vpcs': 4, 'route_tables': 4, 'security_groups': 7, 'network_acls': 4},
    "regula/rego/tests/lib/inputs/resource_view_06_tf_v1_0_infra.json": {'vpcs': 4, 'route_tables': 4, 'security_groups': 7, 'network_acls': 4},
    "regula/rego/tests/rules/tf/aws/security_group/inputs/ingress_anywhere_infra.json": {'security_groups': 5},
    "regula/rego/tests/rules/tf/aws/security_group/inputs/ingress_anywhere_rdp_infra.json": {'security_groups': 4},
    "regula/rego/tests/rules/tf/aws/security_group/inputs/ingress_anywhere_ssh_infra.json": {'security_groups': 4},
    "regula/rego/tests/rules/tf/aws/vpc/inputs/flow_log_infra.json": {'vpcs': 2, 'route_tables': 2, 'security_groups': 2, 'network_acls': 2},
    "driftctl/pkg/iac/terraform/state/test/aws_default_network_acl/terraform.tfstate": {'network_acls': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_default_route_table/terraform.tfstate": {'route_tables': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_ec2_eip/terraform.tfstate": {'elastic_ips': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_ec2_eip_association/terraform.tfstate": {},
    "driftctl/pkg/iac/terraform/state/test/aws_ec2_instance/terraform.tfstate": {'network_interfaces': 1, 'instances': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_internet_gateway/terraform.tfstate": {'internet_gateways': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_lb/terraform.tfstate": {},
    "driftctl/pkg/iac/terraform/state/test/aws_lb_listener/terraform.tfstate": {'subnets': 1, 'internet_gateways': 1, 'security_groups': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_nat_gateway/terraform.tfstate": {'nat_gateways': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_network_acl/terraform.tfstate": {'network_acls': 2},
    "driftctl/pkg/iac/terraform/state/test/aws_network_acl_rule/terraform.tfstate": {},
    "driftctl/pkg/iac/terraform/state/test/aws_route/terraform.tfstate": {},
    "driftctl/pkg/iac/terraform/state/test/aws_route_assoc/terraform.tfstate": {},
    "driftctl/pkg/iac/terraform/state/test/aws_route_table/terraform.tfstate": {'route_tables': 1},
    "driftctl/pkg/iac/terraform/state/test/aws_subnet/terraform.tfstate": {'subnets': 6},
    "driftctl/pkg/iac/terraform/state/test/aws_vpc/terraform.tfstate": {'vpcs': 2, 'route_tables': 2, 'security_groups': 2, 'network_acls': 2},
    "driftctl/pkg/iac/terraform/state/test/aws_vpc_security_group/terraform.tfstate": {'security_groups': 2},
    "driftctl/pkg/iac/terraform/state/test/aws_vpc_security_group_rule/terraform.tfstate": {},
    "inframap/generate/testdata/aws_state_cyclic.json": {'security_groups': 4, 'network_interfaces': 2, 'instances': 2},
    "inframap/generate/testdata/aws_state_multiple_hanging_edges.json": {'security_groups': 4},
    "inframap/generate/testdata/aws_state_sg.json": {'security_groups': 3},
    "inframap/generate/testdata/aws_state_sgr.json": {'security_groups': 4, 'network_interfaces': 1, 'instances': 1},
    "inframap/generate/testdata/aws_state_with_count.json": {},
    "inframap/generate/testdata/repeated_modules.json": {'internet_gateways': 1, 'nat_gateways': 1, 'security_groups': 2, 'network_interfaces': 7, 'instances': 7, 'elastic_ips': 1},
    "inframap/generate/testdata/version_3_state.json": {'security_groups': 5, 'network_interfaces': 1, 'instances': 1},
}

STATE_SUFFIXES = (".tfstate",)
STATE_FOLDERS = ("driftctl/", "inframap/")


def load(peer_data: Path, relative: str):
    path = peer_data / relative
    document = json.loads(path.read_text(encoding="utf-8"))
    loader = load_state if relative.startswith(STATE_FOLDERS) else load_plan
    return loader(str(path), document)


@pytest.mark.parametrize("relative", sorted(EXPECTED_COUNTS))
def test_peer_file_loads_with_expected_counts(peer_data: Path, relative: str) -> None:
    network = load(peer_data, relative)
    assert {k: v for k, v in network.counts().items() if v} == EXPECTED_COUNTS[relative]


def test_every_peer_plan_and_state_is_listed(peer_data: Path) -> None:
    found = {str(p.relative_to(peer_data)) for p in peer_data.glob("terraform-compliance/**/plan.out.json")}
    found |= {str(p.relative_to(peer_data)) for p in peer_data.glob("checkov/**/*.json")}
    found |= {str(p.relative_to(peer_data)) for p in peer_data.glob("regula/**/*.json") if "expected" not in p.name}
    found |= {str(p.relative_to(peer_data)) for p in peer_data.glob("driftctl/**/terraform.tfstate")}
    found |= {str(p.relative_to(peer_data)) for p in peer_data.glob("inframap/generate/testdata/*.json")}
    assert found == set(EXPECTED_COUNTS)


TERRAGOAT = "checkov/tests/terraform/runner/resources/plan/tfplan.json"


SECRET_NAMES = ("password", "secret", "access_key", "private_key", "user_data")


def secret_values(value, key: str = "") -> set[str]:
    """Every string stored under an attribute whose name says it is a secret (found, not hard-coded)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found |= secret_values(v, k)
    elif isinstance(value, list):
        for v in value:
            found |= secret_values(v, key)
    elif isinstance(value, str) and len(value) >= 8 and any(name in key.lower() for name in SECRET_NAMES):
        found.add(value)
    return found


def test_terragoat_secrets_never_reach_the_model(peer_data: Path) -> None:
    secrets = secret_values(json.loads((peer_data / TERRAGOAT).read_text(encoding="utf-8")))
    assert len(secrets) >= 3  # the planted key, password and user data really are there
    output = network_to_json(load(peer_data, TERRAGOAT))
    assert [s for s in secrets if s in output] == []


def test_terragoat_names_every_unmodelled_type(peer_data: Path) -> None:
    network = load(peer_data, TERRAGOAT)
    messages = [d.message for d in network.diagnostics if d.kind == "unmodelled"]
    assert "aws_elb: 1 resource not modelled" in messages
    assert "aws_flow_log: 1 resource not modelled" in messages
    grouped = [m for m in messages if m.startswith("non-network resources not modelled: ")]
    assert len(grouped) == 1 and "aws_s3_bucket (" in grouped[0] and "aws_iam_access_key (1)" in grouped[0]


def test_module_for_each_instances_keep_their_keys(peer_data: Path) -> None:
    network = load(peer_data, "checkov/tests/common/runner_registry/plan_with_for_each_for_enrichment/tf_plan.json")
    assert sorted(g.origin.address for g in network.security_groups) == [
        'module.sg["awful_example"].aws_security_group.bad', 'module.sg["bad_example"].aws_security_group.bad',
        'module.sg["terrible_example"].aws_security_group.bad']
    # vpc_id = var.vpc_id -> the module call's data.aws_vpc.sandbox.id, read into prior_state at plan time
    assert {g.vpc_id for g in network.security_groups} == {"vpc-123456abc"}


def test_module_vpc_count_references_resolve_by_index(peer_data: Path) -> None:
    network = load(peer_data, "terraform-compliance/tests/functional/test_issue-158/plan.out.json")
    tables = {t.id: t for t in network.route_tables}
    private = tables["module.vpc.aws_route_table.private[1]"]
    assert [str(r.target) for r in private.routes] == ["module.vpc.aws_nat_gateway.this[1]"]
    public = tables["module.vpc.aws_route_table.public[0]"]
    assert [(r.target.kind, str(r.target)) for r in public.routes] == [
        ("internet-gateway", "module.vpc.aws_internet_gateway.this[0]")]
    # vpc_id = local.vpc_id: a local cannot be evaluated from a plan
    subnet = next(s for s in network.subnets if s.id == "module.vpc.aws_subnet.private[0]")
    assert str(subnet.vpc_id) == "<unknown: local.vpc_id is not in the plan>"


def test_icmp_ports_are_type_and_code(peer_data: Path) -> None:
    network = load(peer_data, "terraform-compliance/tests/functional/test_issue_360/plan.out.json")
    (rule,) = network.security_groups[0].ingress
    assert (rule.protocol, rule.ports, str(rule.icmp)) == (1, None, "type 8 code 0")


def test_state_v3_flatmap_reads_nested_rules(peer_data: Path) -> None:
    network = load(peer_data, "inframap/generate/testdata/version_3_state.json")
    assert sum(len(g.ingress) + len(g.egress) for g in network.security_groups) > 0
