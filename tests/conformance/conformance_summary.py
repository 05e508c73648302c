"""Per-source tallies of the conformance cases, printed by conftest.py at the end of the session."""
from __future__ import annotations

from collections import Counter

SUMMARY: dict[str, dict[str, str]] = {}  # source -> case id -> computed status
TOTALS: dict[str, int] = {}  # source -> how many cases it states


def record(source: str, total: int, case_id: str, status: str) -> None:
    TOTALS[source] = total
    SUMMARY.setdefault(source, {})[case_id] = status


def lines() -> list[str]:
    out = []
    for source, statuses in sorted(SUMMARY.items()):
        counts = Counter(statuses.values())
        out.append(f"{source} conformance: {counts['agree']} agree, {counts['skip']} skipped, "
                   f"{counts['disagree']} disagree of {TOTALS[source]}")
    return out
