"""`vpcreach query` and `vpcreach exposure` through the real entry point, as golden files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden import assert_golden, run_cli

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = "fixtures/example"

GOLDEN_RUNS = {
    "query_reachable_text": ["query", EXAMPLE, "--from", "tag:Tier=app", "--to", "internet", "--port", "443"],
    "query_reachable_json": ["query", EXAMPLE, "--from", "i-0web00000000000001", "--to", "i-0app00000000000001",
                             "--protocol", "tcp", "--port", "8080", "--format", "json"],
    "query_blocked_text": ["query", EXAMPLE, "--from", "i-0bastion0000000001", "--to", "tag:Tier=db", "--port", "5432"],
    "query_blocked_json": ["query", EXAMPLE, "--from", "internet", "--to", "i-0db000000000000001",
                           "--port", "3389", "--format", "json"],
    "query_expect_fails": ["query", EXAMPLE, "--from", "internet", "--to", "i-0web00000000000001",
                           "--port", "443", "--expect", "unreachable"],
    "query_forward_only": ["query", "fixtures/scenarios/nacls/network.json", "--from", "eni-web", "--to", "eni-strict",
                           "--port", "443", "--forward-only"],
    "query_inconclusive": ["query", "fixtures/scenarios/inconclusive/network.json", "--from", "eni-x",
                           "--to", "192.168.1.10", "--port", "22"],
    "query_batch": ["query", EXAMPLE, "--batch", "fixtures/queries/example-batch.json"],
    "query_bad_batch": ["query", EXAMPLE, "--batch", "fixtures/queries/bad-batch.json"],
    "query_bad_port_and_protocol": ["query", EXAMPLE, "--from", "internet", "--to", "i-0web00000000000001",
                                    "--protocol", "bogus", "--port", "70000"],
    "query_unknown_endpoint": ["query", EXAMPLE, "--from", "i-nope", "--to", "internet"],
    "query_bad_tag": ["query", EXAMPLE, "--from", "tag:Tier=none", "--to", "internet"],
    "exposure_text": ["exposure", EXAMPLE],
    "exposure_json": ["exposure", EXAMPLE, "--format", "json"],
    "exposure_plan_before_apply": ["exposure", "fixtures/example/terraform/plan-create.json"],
    "query_plan_before_apply": ["query", "fixtures/example/terraform/plan-create.json", "--from", "internet",
                                "--to", "aws_instance.web", "--port", "443"],
}


@pytest.mark.parametrize("name", sorted(GOLDEN_RUNS))
def test_golden(name):
    assert_golden(GOLDEN / f"{name}.txt", run_cli(GOLDEN_RUNS[name]))


def test_exit_codes_follow_the_answer():
    reachable = ["query", EXAMPLE, "--from", "tag:Tier=app", "--to", "internet", "--port", "443"]
    assert run_cli(reachable).exit_code == 0
    assert run_cli(reachable + ["--expect", "reachable"]).exit_code == 0
    assert run_cli(reachable + ["--expect", "unreachable"]).exit_code == 1
    assert run_cli(GOLDEN_RUNS["query_inconclusive"]).exit_code == 3
    assert run_cli(GOLDEN_RUNS["query_bad_port_and_protocol"]).exit_code == 2


def test_json_answer_has_the_documented_shape():
    result = run_cli(GOLDEN_RUNS["query_blocked_json"])
    answer = json.loads(result.stdout)
    assert set(answer) == {"query", "verdict", "reachable", "packet", "forward", "return", "explanations", "notes"}
    assert (answer["verdict"], answer["reachable"], answer["packet"]) == ("unreachable", False, None)
    assert [e["code"] for e in answer["explanations"]] == ["NO_PUBLIC_IP"]


def test_witnesses_are_reproducible_byte_for_byte():
    runs = [run_cli(GOLDEN_RUNS["query_reachable_json"]).stdout for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_batch_prints_one_json_result_per_query_in_order(repo_root):
    queries = json.loads((repo_root / "fixtures/queries/example-batch.json").read_text())
    answers = [json.loads(line) for line in run_cli(GOLDEN_RUNS["query_batch"]).stdout.splitlines()]
    assert [(a["query"]["from"], a["query"]["to"]) for a in answers] == [(q["from"], q["to"]) for q in queries]
    assert [a["verdict"] for a in answers] == ["reachable", "unreachable", "reachable", "reachable"]


def test_ephemeral_ports_narrow_the_replies_a_nacl_must_admit():
    """acl-db lets replies out only to 1024-65535; a client using ports 1000-1023 gets no reply."""
    base = ["query", EXAMPLE, "--from", "tag:Tier=app", "--to", "tag:Tier=db", "--port", "5432"]
    assert run_cli(base + ["--expect", "reachable"]).exit_code == 0
    narrowed = run_cli(base + ["--ephemeral-ports", "1000-1023", "--format", "json"])
    answer = json.loads(narrowed.stdout)
    assert answer["verdict"] == "unreachable"
    assert {(e["code"], e["direction"]) for e in answer["explanations"]} == {("SUBNET_ACL_RESTRICTION", "return")}
