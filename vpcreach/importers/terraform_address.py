"""Terraform resource addresses and references, parsed into parts.

An address such as `module.sg["a"].module.x[0].aws_security_group.bad[1]` is a module
instance path (`[("sg", "a"), ("x", 0)]`) plus a resource (`aws_security_group.bad`) and an
optional instance key. A reference such as `aws_vpc.main.id` or `module.vpc.vpc_id` is
split the same way, with the trailing attribute kept separately.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

Key = Union[int, str, None]
ModulePath = tuple[tuple[str, Key], ...]


def format_key(key: Key) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'


def format_module_path(path: ModulePath) -> str:
    return ".".join(f"module.{name}{format_key(key)}" for name, key in path)


def split_steps(text: str) -> list[tuple[str, Key]] | None:
    """`a.b["x.y"].c[0]` -> [("a", None), ("b", "x.y"), ("c", 0)]; None if it does not parse."""
    steps: list[tuple[str, Key]] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        while i < n and text[i] not in ".[":
            i += 1
        name = text[start:i]
        if not name:
            return None
        key: Key = None
        if i < n and text[i] == "[":
            i += 1
            if i < n and text[i] == '"':
                i += 1
                chars: list[str] = []
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n:
                        i += 1
                    chars.append(text[i])
                    i += 1
                key = "".join(chars)
                i += 1  # closing quote
            else:
                start = i
                while i < n and text[i] != "]":
                    i += 1
                raw = text[start:i]
                key = int(raw) if raw.lstrip("-").isdigit() else raw  # e.g. count.index stays a name
            if i >= n or text[i] != "]":
                return None
            i += 1
        steps.append((name, key))
        if i < n:
            if text[i] != ".":
                return None
            i += 1
            if i == n:
                return None
    return steps


@dataclass(frozen=True)
class Address:
    """A managed or data resource instance address."""

    module: ModulePath
    mode: str  # "managed" or "data"
    type: str
    name: str
    key: Key = None

    @property
    def resource(self) -> str:
        """The address inside its module, without instance key: `aws_vpc.main`, `data.aws_vpc.x`."""
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    def __str__(self) -> str:
        module = format_module_path(self.module)
        own = self.resource + format_key(self.key)
        return f"{module}.{own}" if module else own


def parse_address(text: str) -> Address | None:
    steps = split_steps(text)
    if not steps:
        return None
    module: list[tuple[str, Key]] = []
    i = 0
    while i + 1 < len(steps) and steps[i] == ("module", None):
        module.append(steps[i + 1])
        i += 2
    rest = steps[i:]
    mode = "managed"
    if rest and rest[0] == ("data", None):
        mode, rest = "data", rest[1:]
    if len(rest) != 2 or rest[0][1] is not None:
        return None
    return Address(tuple(module), mode, rest[0][0], rest[1][0], rest[1][1])


@dataclass(frozen=True)
class Reference:
    """One entry of a configuration expression's `references` list, inside one module.

    kind: "resource", "data", "module" (an output of a child module), "var", "local",
          or "context" (count.index, each.key, each.value, path.*, terraform.*, self)
    """

    kind: str
    text: str
    type: str = ""  # resource/data type; module call name for "module"; variable/local name
    name: str = ""  # resource/data name; output name for "module"
    key: Key = None  # explicit instance key, e.g. aws_subnet.a[0] or module.sg["a"]
    attribute: str | None = None  # e.g. "id" in aws_vpc.main.id

    @property
    def target(self) -> tuple[str, str, str, Key]:
        return (self.kind, self.type, self.name, self.key)


CONTEXT_ROOTS = frozenset({"count", "each", "path", "terraform", "self"})


def parse_reference(text: str) -> Reference | None:
    steps = split_steps(text)
    if not steps:
        return None
    root, root_key = steps[0]
    if root in CONTEXT_ROOTS:
        return Reference("context", text, type=root, name=steps[1][0] if len(steps) > 1 else "")
    if root in ("var", "local"):
        if len(steps) < 2:
            return None
        return Reference(root, text, type=steps[1][0])
    if root == "module":
        if len(steps) < 2:
            return None
        call, key = steps[1]
        output = steps[2][0] if len(steps) > 2 else ""
        return Reference("module", text, type=call, name=output, key=key)
    kind = "resource"
    if root == "data":
        kind, steps = "data", steps[1:]
        if not steps:
            return None
        root, root_key = steps[0]
    if len(steps) < 2 or root_key is not None:
        return None
    name, key = steps[1]
    attribute = steps[2][0] if len(steps) > 2 else None
    return Reference(kind, text, type=root, name=name, key=key, attribute=attribute)
