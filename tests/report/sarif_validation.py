"""SARIF validation shared by the report and CLI tests: the 2.1.0 schema plus GitHub code scanning's constraints."""
from __future__ import annotations

import json
from pathlib import Path

SARIF_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def validate_sarif(document: dict) -> None:
    """Schema validation when ../shared is present, plus GitHub's own requirements (checked always)."""
    if SARIF_SCHEMA.is_file():  # test_sarif_schema_is_present says when it is not
        import jsonschema

        jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        for key in ("id", "name", "shortDescription", "fullDescription", "help", "helpUri", "properties"):
            assert rule[key], (rule["id"], key)
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
        assert isinstance(rule["properties"]["security-severity"], str)
        assert rule["properties"]["tags"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        assert result["partialFingerprints"]
        for location in result["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert "\\" not in uri and not uri.startswith("/"), uri
            assert location["physicalLocation"]["region"]["startLine"] >= 1
