"""A small JSON Schema validator for the keywords rule-schema.json uses, with vpcreach's error shape.

Why not the jsonschema package: it is only a test dependency, and its messages do not follow
`<where>: <what is wrong>: <value> (expected <what is valid>)`. This validator supports exactly the keywords
below and refuses a schema that uses any other, so the schema cannot silently mean more than is checked.
tests/rules/test_rule_schema.py cross-checks it against jsonschema on the same inputs.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..errors import show_value
from ..model import json_pointer

ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
KEYWORDS = {"type", "enum", "required", "properties", "additionalProperties", "pattern", "minLength",
            "minItems", "items", "$ref"} | ANNOTATIONS

TYPE_NAMES = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
              "number": "a number", "boolean": "true or false", "null": "null"}


class SchemaError(Exception):
    """The schema itself uses something this validator does not implement (a bug in vpcreach)."""


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    python = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}[name]
    return isinstance(value, python)


def schema_errors(instance: Any, schema: dict, root: dict | None = None,
                  path: tuple[object, ...] = ()) -> Iterator[tuple[str, str, str | None, str | None]]:
    """Yields (pointer, what, shown value, expected) for each violation, in document order."""
    root = schema if root is None else root
    unsupported = set(schema) - KEYWORDS
    if unsupported:
        raise SchemaError(f"unsupported schema keywords: {sorted(unsupported)}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise SchemaError(f"unsupported $ref: {ref}")
        yield from schema_errors(instance, root["$defs"][ref.removeprefix("#/$defs/")], root, path)
        return
    pointer = json_pointer(*path)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(instance, n) for n in names):
            yield pointer, "wrong type", show_value(instance), " or ".join(TYPE_NAMES[n] for n in names)
            return
    if "enum" in schema and instance not in schema["enum"]:
        yield pointer, "not an allowed value", show_value(instance), "one of " + ", ".join(map(str, schema["enum"]))
        return
    if isinstance(instance, str):
        yield from _string_errors(instance, schema, pointer)
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            yield pointer, "too few items", show_value(instance), f"at least {schema['minItems']}"
        for index, item in enumerate(instance):
            if "items" in schema:
                yield from schema_errors(item, schema["items"], root, (*path, index))
    if isinstance(instance, dict):
        yield from _object_errors(instance, schema, root, path)


def _string_errors(value: str, schema: dict, pointer: str) -> Iterator[tuple[str, str, str | None, str | None]]:
    if len(value.strip()) < schema.get("minLength", 0):
        yield pointer, "too short", show_value(value), f"at least {schema['minLength']} characters"
    elif "pattern" in schema and not re.search(schema["pattern"], value):
        yield pointer, "does not match the required pattern", show_value(value), f"text matching {schema['pattern']}"


def _object_errors(value: dict, schema: dict, root: dict,
                   path: tuple[object, ...]) -> Iterator[tuple[str, str, str | None, str | None]]:
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            yield json_pointer(*path), "missing required field", show_value(name), None
    for name, item in value.items():
        if name in properties:
            yield from schema_errors(item, properties[name], root, (*path, name))
        elif schema.get("additionalProperties", True) is False:
            yield (json_pointer(*path, name), "unknown field", show_value(name),
                   "one of " + ", ".join(properties))
