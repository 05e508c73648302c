"""vpcreach's small schema validator agrees with the jsonschema package on rule-schema.json."""
from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

from vpcreach.checks.catalogue import rule_schema
from vpcreach.checks.schema import SchemaError, schema_errors

REPO_ROOT = Path(__file__).resolve().parents[2]
VALID = yaml.safe_load((REPO_ROOT / "rules" / "VPC001-blackhole-route.yaml").read_text())


def mutated(path: list, value: object) -> dict:
    data = copy.deepcopy(VALID)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


MUTATIONS = {
    "valid": VALID,
    "severity": mutated(["severity"], "urgent"),
    "code": mutated(["code"], "VPC1234"),
    "name-case": mutated(["name"], "Blackhole_Route"),
    "missing-check": mutated(["check"], KeyError),
    "extra-field": mutated(["owner"], "team-a"),
    "remediation-missing-cli": mutated(["remediation", "cli"], KeyError),
    "references-empty": mutated(["references"], []),
    "hit-without-message": mutated(["examples", "bad", "hits"], [{"resources": ["rtb-1"]}]),
    "network-number": mutated(["examples", "good", "network"], 5),
    "hit-severity": mutated(["examples", "bad", "hits", 0, "severity"], "severe"),
}


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(rule_schema())


@pytest.mark.parametrize("name", MUTATIONS)
def test_both_validators_agree(name):
    data = MUTATIONS[name]
    ours = sorted(pointer for pointer, *_ in schema_errors(data, rule_schema()))
    theirs = jsonschema.Draft202012Validator(rule_schema()).iter_errors(data)
    # jsonschema reports a missing or unknown field at the object, we at the object (missing) or field (unknown).
    theirs_pointers = sorted({"".join(f"/{p}" for p in e.absolute_path) for e in theirs})
    ours_objects = sorted({p.rsplit("/", 1)[0] if name == "extra-field" else p for p in ours})
    assert ours_objects == theirs_pointers
    assert (name == "valid") == (ours == [])


def test_unsupported_keywords_are_refused_not_ignored():
    with pytest.raises(SchemaError, match="unsupported schema keywords"):
        list(schema_errors({}, {"type": "object", "maxProperties": 3}))
