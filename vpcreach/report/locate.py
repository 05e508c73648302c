"""Where a finding is: parse a location string back into file / JSON pointer / Terraform address, and
find the line a JSON pointer's value starts on (SARIF regions need a line; the model keeps pointers).

The line locator walks only down the pointer's path and lets the C JSON scanner skip every sibling
value, so locating a handful of findings in a multi-megabyte plan stays cheap.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# `call (account/region)/pointer`, as Origin.__str__ renders an API origin.
_API_LOCATION = re.compile(r"^(?P<call>[a-z0-9-]+:[A-Za-z0-9]+) \((?P<scope>[^)]*)\)(?P<pointer>/.*)?$")
# `file: address` or `file: address#pointer` (an implied resource named by a Terraform address).
_TERRAFORM_LOCATION = re.compile(r"^(?P<file>[^#]+?): (?P<address>[^#\s]+)(?:#(?P<pointer>/[^ ]*))?(?: \((?P<note>.*)\))?$")
_FILE_LOCATION = re.compile(r"^(?P<file>[^#]+)#(?P<pointer>/[^ ]*|)(?: \((?P<note>.*)\))?$")


@dataclass(frozen=True)
class Location:
    """A finding's location split into the parts reporters need."""

    text: str
    file: str | None = None
    pointer: str | None = None
    address: str | None = None  # Terraform address, for plans and state
    call: str | None = None  # API call, for live reads


def parse_location(text: str) -> Location:
    """Invert `str(Origin)`: file#pointer, `file: address`, or an API call."""
    api = _API_LOCATION.match(text)
    if api:
        return Location(text, pointer=api["pointer"], call=api["call"])
    terraform = _TERRAFORM_LOCATION.match(text)
    if terraform:
        return Location(text, file=terraform["file"], address=terraform["address"], pointer=terraform["pointer"])
    plain = _FILE_LOCATION.match(text)
    if plain:
        return Location(text, file=plain["file"], pointer=plain["pointer"] or "")
    if text and " " not in text:
        return Location(text, file=text)
    return Location(text)


def split_pointer(pointer: str) -> list[str]:
    """RFC 6901 tokens of a pointer ("" is the whole document)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


class JsonLineIndex:
    """The text of one JSON file, answering "on which line does the value at this pointer start?"."""

    def __init__(self, text: str):
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of_offset(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)

    def offset_of(self, pointer: str) -> int | None:
        """Character offset where the pointer's value starts, or None if the path is not in the document."""
        position = self._skip_space(0)
        for token in split_pointer(pointer):
            if position >= len(self.text):
                return None
            opener = self.text[position]
            if opener == "{":
                found = self._member(position, token)
            elif opener == "[":
                found = self._element(position, token)
            else:
                return None
            if found is None:
                return None
            position = found
        return position

    def line_of(self, pointer: str) -> int | None:
        offset = self.offset_of(pointer)
        return None if offset is None else self.line_of_offset(offset)

    # ------------------------------------------------------------ scanning helpers

    def _skip_space(self, position: int) -> int:
        return _WHITESPACE.match(self.text, position).end()  # type: ignore[union-attr]

    def _skip_value(self, position: int) -> int:
        _, end = _DECODER.raw_decode(self.text, position)
        return self._skip_space(end)

    def _member(self, position: int, key: str) -> int | None:
        position = self._skip_space(position + 1)
        while position < len(self.text) and self.text[position] == '"':
            name, end = _DECODER.raw_decode(self.text, position)
            position = self._skip_space(end)
            if self.text[position] != ":":
                return None
            value_start = self._skip_space(position + 1)
            if name == key:
                return value_start
            position = self._skip_value(value_start)
            if self.text[position] == ",":
                position = self._skip_space(position + 1)
        return None

    def _element(self, position: int, token: str) -> int | None:
        if not token.isdigit():
            return None
        wanted = int(token)
        position = self._skip_space(position + 1)
        index = 0
        while position < len(self.text) and self.text[position] != "]":
            if index == wanted:
                return position
            position = self._skip_value(position)
            if self.text[position] == ",":
                position = self._skip_space(position + 1)
            index += 1
        return None


@lru_cache(maxsize=32)
def _json_index(path: str) -> JsonLineIndex | None:
    try:
        return JsonLineIndex(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=32)
def _terraform_pointers(path: str) -> dict[str, str]:
    """Terraform address -> pointer of its entry in `resource_changes` (or a state's `resources`)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    pointers: dict[str, str] = {}
    if not isinstance(document, dict):
        return pointers
    for index, change in enumerate(document.get("resource_changes") or ()):
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            pointers.setdefault(change["address"], f"/resource_changes/{index}")
    return pointers


@lru_cache(maxsize=8)
def _yaml_lines(path: str) -> dict[str, int]:
    """Pointer -> 1-based line of every node in a (small) YAML file, such as an intent policy."""
    import yaml

    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, pointer: str) -> None:
        lines[pointer] = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{pointer}/{index}")
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                escaped = str(key.value).replace("~", "~0").replace("/", "~1")
                walk(value, f"{pointer}/{escaped}")

    if root is not None:
        walk(root, "")
    return lines


def line_in_file(location: Location) -> int | None:
    """The 1-based line of a location in its file, when the file is JSON or YAML and the path is found there."""
    if not location.file:
        return None
    if location.file.endswith((".yaml", ".yml")):
        return _yaml_lines(location.file).get(location.pointer or "")
    index = _json_index(location.file)
    if index is None:
        return None
    pointer = location.pointer
    if location.address and not pointer:
        pointer = _terraform_pointers(location.file).get(location.address)
    if pointer is None:
        return None
    try:
        return index.line_of(pointer)
    except (ValueError, IndexError):  # a malformed document or pointer: no region rather than a crash
        return None
