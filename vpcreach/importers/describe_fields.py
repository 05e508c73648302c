"""Typed access to one JSON object of a describe-* answer, recording every bad value as a Problem.

A reader never raises for bad data: it records the problem (with the exact file#pointer) and returns
None, so one pass over a snapshot reports everything that is wrong with it at once.
"""
from __future__ import annotations

from typing import Any

from ..errors import ProblemCollector
from ..model import IpNet, Origin, ValueProblem, json_pointer, parse_cidr, parse_ip

MISSING = "missing required field"
WRONG_TYPE = "wrong type"
Tags = tuple[tuple[str, str], ...]


class Fields:
    """One JSON object at a known origin; the problems collector is shared by the whole load."""

    __slots__ = ("data", "_origin", "_parent", "_parts", "problems")

    def __init__(self, data: dict[str, Any], origin: Origin, problems: ProblemCollector, parts: tuple = ()):
        """`origin` is this object's origin or, with `parts`, its parent's: the child origin is then built
        only when used (most nested objects - tags, group ids, addresses - need one only for a bad value, and
        building origins was the largest cost of loading a big snapshot)."""
        self.data = data
        self._origin = None if parts else origin
        self._parent = origin
        self._parts = parts
        self.problems = problems

    @property
    def origin(self) -> Origin:
        if self._origin is None:
            self._origin = self._parent.child(*self._parts)
        return self._origin

    # ------------------------------------------------------------ locations

    def where(self, key: str | None = None) -> str:
        pointer = (self.origin.pointer or "") + (json_pointer(key) if key is not None else "")
        return f"{self.origin.file}#{pointer}"

    def bad(self, key: str | None, what: str, value: object = None, expected: str | None = None) -> None:
        self.problems.add(self.where(key), what, value, expected)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    # ------------------------------------------------------------ scalars

    def string(self, key: str, required: bool = False, expected: str = "a string") -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(key, MISSING, None, expected)
            return None
        if not isinstance(value, str) or (required and not value):
            self.bad(key, WRONG_TYPE, value, expected)
            return None
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.bad(key, WRONG_TYPE, value, "true or false")
            return default
        return value

    def integer(self, key: str, required: bool = False, expected: str = "an integer") -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(key, MISSING, None, expected)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(key, WRONG_TYPE, value, expected)
            return None
        return value

    def cidr(self, key: str, required: bool = False) -> IpNet | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(key, MISSING, None, "a CIDR block such as 10.0.0.0/16 or 2001:db8::/56")
            return None
        try:
            return parse_cidr(value)
        except ValueProblem as problem:
            self.bad(key, "invalid CIDR", value, problem.expected)
            return None

    def ip(self, key: str, required: bool = False) -> str | None:
        """A validated address, kept as the string AWS printed."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(key, MISSING, None, "an IP address such as 10.0.0.5 or 2001:db8::5")
            return None
        try:
            parse_ip(value)
        except ValueProblem as problem:
            self.bad(key, "invalid IP address", value, problem.expected)
            return None
        return value

    # ------------------------------------------------------------ structure

    def array(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(key, WRONG_TYPE, value, "a JSON array")
            return []
        return value

    def objects(self, key: str) -> list["Fields"]:
        """The JSON objects of an array field, each with its own origin (non-objects are problems)."""
        result = []
        for index, item in enumerate(self.array(key)):
            if isinstance(item, dict):
                result.append(Fields(item, self.origin, self.problems, (key, index)))
            else:
                origin = self.origin.child(key, index)
                self.problems.add(f"{origin.file}#{origin.pointer}", WRONG_TYPE, item, "a JSON object")
        return result

    def obj(self, key: str) -> "Fields | None":
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(key, WRONG_TYPE, value, "a JSON object")
            return None
        return Fields(value, self.origin, self.problems, (key,))

    def strings(self, key: str) -> tuple[str, ...]:
        """An array of strings, e.g. SubnetIds."""
        result = []
        for index, item in enumerate(self.array(key)):
            if isinstance(item, str):
                result.append(item)
            else:
                self.problems.add(self.where(key) + json_pointer(index), WRONG_TYPE, item, "a string")
        return tuple(result)

    def nested_strings(self, key: str, inner: str, expected: str = "a string") -> tuple[str, ...]:
        """`[{"GroupId": "sg-1"}, ...]` -> ("sg-1", ...)."""
        return tuple(value for item in self.objects(key)
                     if (value := item.string(inner, required=True, expected=expected)) is not None)

    def state(self, key: str = "State", inner: str | None = None, default: str = "") -> str:
        """A state string, either plain (`"State": "available"`) or wrapped (`"Status": {"Code": ...}`)."""
        if inner is None:
            return self.string(key) or default
        wrapper = self.obj(key)
        return (wrapper.string(inner) if wrapper is not None else None) or default

    def tags(self) -> Tags:
        """Tags (most calls) or TagSet (describe-network-interfaces), sorted."""
        key = "TagSet" if "TagSet" in self.data and "Tags" not in self.data else "Tags"
        pairs = []
        for tag in self.objects(key):
            name, value = tag.data.get("Key"), tag.data.get("Value", "")
            if isinstance(name, str) and isinstance(value, str):
                pairs.append((name, value))
            else:
                tag.bad(None, WRONG_TYPE, tag.data, 'a tag such as {"Key": "Name", "Value": "web"}')
        return tuple(sorted(pairs))
