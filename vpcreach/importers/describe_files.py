"""Finding and reading describe-* JSON files: the folder layouts and exact JSON error positions.

Layouts accepted (a file is recognised by its top-level keys, never by its name):
- Batfish / `vpcreach snapshot`: `<snapshot>/aws_configs/[<region>/ | accounts/<acct>/<region>/]<Name>.json`;
  the account and region come from the folders. The path given may be the snapshot folder or aws_configs.
- any other folder: every `*.json` below it, recursively, with no account/region from the folders.
- a single JSON file (one describe-* output, or several top-level keys combined in one object).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from ..errors import InputError, Problem

EXPECTED_DOCUMENT = "a JSON object as printed by aws ec2 describe-*"
BATFISH_FOLDER = "aws_configs"


@dataclass(frozen=True)
class DescribeFile:
    """One file to read, with the account/region its folder implies (None when the layout says nothing)."""

    path: str  # as given by the user, joined with the relative path below it
    account: str | None = None
    region: str | None = None
    from_folder: bool = False  # found by walking a folder (not named by the user)


def find_describe_files(root: str) -> tuple[list[DescribeFile], bool]:
    """The JSON files under `root` in sorted order, and whether the Batfish layout was recognised."""
    if os.path.isfile(root):
        return [DescribeFile(root)], False
    configs = _batfish_configs_folder(root)
    if configs is not None:
        return [_with_layout(configs, path) for path in _json_files(configs)], True
    return [DescribeFile(path, from_folder=True) for path in _json_files(root)], False


def _batfish_configs_folder(root: str) -> str | None:
    if os.path.basename(os.path.normpath(root)) == BATFISH_FOLDER:
        return root
    inner = os.path.join(root, BATFISH_FOLDER)
    return inner if os.path.isdir(inner) else None


def _json_files(root: str) -> list[str]:
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        found.extend(os.path.join(folder, name) for name in files if name.lower().endswith(".json"))
    return sorted(found, key=lambda p: os.path.relpath(p, root).split(os.sep))


def _with_layout(configs: str, path: str) -> DescribeFile:
    parts = os.path.relpath(path, configs).split(os.sep)[:-1]
    if len(parts) >= 3 and parts[0] == "accounts":
        return DescribeFile(path, account=parts[1], region=parts[2], from_folder=True)
    if len(parts) == 2 and parts[0] == "accounts":
        return DescribeFile(path, account=parts[1], from_folder=True)
    if len(parts) == 1:
        return DescribeFile(path, region=parts[0], from_folder=True)
    return DescribeFile(path, from_folder=True)


def read_json(path: str, expected: str = EXPECTED_DOCUMENT) -> object:
    """Parse a JSON file; bad input raises one InputError naming the file, line and column."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise InputError(Problem(path, "cannot read file", error.strerror or str(error), expected)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(Problem(path, "not UTF-8 text", f"byte {error.start}", expected)) from None
    if not text.strip():
        raise InputError(Problem(path, "empty file", None, expected))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{path}:{error.lineno}:{error.colno}"
        raise InputError(Problem(where, "invalid JSON", error.msg, expected)) from None
