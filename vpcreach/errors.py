"""Problems with user input, in one shape everywhere: `<where>: <what>: <value> (expected <valid>)`.

Importers collect every Problem in an input before raising one InputError, so a user sees
all that is wrong at once. The CLI prints one line per problem and exits 2, never a traceback.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


def show_value(value: object, limit: int = 80) -> str:
    """A short, single-line rendering of an offending value."""
    if isinstance(value, str):
        text = json.dumps(value)
    else:
        try:
            text = json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, order=True)
class Problem:
    where: str  # file and JSON pointer, file and Terraform address, or API call
    what: str
    value: str | None = None  # already rendered with show_value
    expected: str | None = None
    hint: str | None = None

    def line(self) -> str:
        text = f"{self.where}: {self.what}"
        if self.value is not None:
            text += f": {self.value}"
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def __str__(self) -> str:
        return self.line() + (f"\nhint: {self.hint}" if self.hint else "")


class InputError(Exception):
    """One or more problems that make an input unusable. Exit code 2."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = sorted(problems) if isinstance(problems, list) else [problems]
        super().__init__("\n".join(p.line() for p in self.problems))

    @classmethod
    def at(cls, where: str, what: str, value: object = None, expected: str | None = None,
           hint: str | None = None) -> "InputError":
        shown = None if value is None else show_value(value)
        return cls(Problem(where, what, shown, expected, hint))


class ProblemCollector:
    """Gathers problems while an importer walks an input; raises them together at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str, value: object = None, expected: str | None = None,
            hint: str | None = None) -> None:
        shown = None if value is None else show_value(value)
        self.problems.append(Problem(where, what, shown, expected, hint))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def read_document(path: Path, where: str, what: str, parse: Callable[[str], Any], parse_errors: tuple,
                  language: str, readable: str, valid: str, detail: Callable[[Exception], str] = str) -> Any:
    """Read and parse one input file, turning I/O and syntax errors into one-line InputErrors:
    `<where>: cannot read <what>: <reason> (expected <readable>)` or
    `<where>: <what> is not valid <language>: <error> (expected <valid>)`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError.at(where, f"cannot read {what}", error.strerror or str(error), readable) from None
    except UnicodeDecodeError as error:
        raise InputError.at(where, f"{what} is not valid {language}", detail(error), valid) from None
    try:
        return parse(text)
    except parse_errors as error:
        raise InputError.at(where, f"{what} is not valid {language}", detail(error), valid) from None
