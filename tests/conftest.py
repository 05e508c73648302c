"""Shared fixtures: the repository root and the peer data (real public inputs), skipped when absent."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PEER_DATA = REPO_ROOT.parent / "shared" / "peer-data"

# `import golden` works whether or not tests/ is a package.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def peer_data() -> Path:
    """/work/shared/peer-data (../shared/peer-data from the repository root), or skip."""
    if not PEER_DATA.is_dir():
        pytest.skip(f"peer data not found at {PEER_DATA}")
    return PEER_DATA
