"""Writing a Snapshot as the describe-* folder layout the offline importer reads, plus `manifest.json`.

Layout (Batfish's multi-account layout):
    DIR/manifest.json
    DIR/aws_configs/accounts/<account>/<region>/<Name>.json
Everything is read before anything is written, so a failed snapshot leaves no partial folder.
"""
from __future__ import annotations

import os
import shutil

from ..errors import InputError
from .live_snapshot import Snapshot, dumps

MANIFEST = "manifest.json"
CONFIGS = "aws_configs"


def refuse_existing_snapshot(output: str, overwrite: bool) -> None:
    """Stale files from an earlier snapshot would be read as current data, so never mix two snapshots."""
    existing = [name for name in (MANIFEST, CONFIGS) if os.path.exists(os.path.join(output, name))]
    if existing and not overwrite:
        raise InputError.at(output, "the folder already holds a snapshot", existing[0], "a new or empty folder",
                            "choose another --output, or pass --overwrite to replace it")
    if os.path.exists(output) and not os.path.isdir(output):
        raise InputError.at(output, "not a folder", None, "a folder to write the snapshot into")


def write_snapshot(snapshot: Snapshot, output: str, overwrite: bool = False) -> list[str]:
    """Write every document and the manifest; returns the files written, relative to `output`."""
    refuse_existing_snapshot(output, overwrite)
    if overwrite:
        shutil.rmtree(os.path.join(output, CONFIGS), ignore_errors=True)
    written = []
    for read in snapshot.reads:
        folder = os.path.join(CONFIGS, "accounts", read.account, read.region)
        os.makedirs(os.path.join(output, folder), exist_ok=True)
        for name in sorted(read.documents):
            relative = os.path.join(folder, f"{name}.json")
            _write(os.path.join(output, relative), dumps(read.documents[name]))
            written.append(relative)
    _write(os.path.join(output, MANIFEST), dumps(snapshot.manifest))
    written.append(MANIFEST)
    return written


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise InputError.at(path, "cannot write file", error.strerror or str(error), "a writable folder") from None
