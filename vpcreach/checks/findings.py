"""What a check reports, before and after the catalogue gives it a rule's code, name and severity."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, order=True)
class Hit:
    """One occurrence of a bad pattern, as a check function yields it.

    resource_ids: the resources it concerns, most specific first (this is what suppression tags are read from).
    location:     str(Origin) of the most specific resource or rule.
    severity:     None to use the rule's severity; checks graded by actual exposure set it.
    key:          extra text that makes the fingerprint unique when one resource has several hits (e.g. a rule).
    """

    resource_ids: tuple[str, ...]
    message: str
    location: str
    severity: str | None = None
    key: str = ""
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, order=True)
class Finding:
    """A Hit after the catalogue named it: sorted by (code, location, message) for deterministic output."""

    code: str
    name: str
    severity: str
    message: str
    resource_ids: tuple[str, ...]
    location: str
    fingerprint: str
    title: str = ""
    details: tuple[tuple[str, str], ...] = field(default=(), compare=False)


def fingerprint(code: str, hit: Hit) -> str:
    """Stable across runs and unrelated edits: rule code, resources and key, not message or file position."""
    text = "\x1f".join((code, *hit.resource_ids, hit.key))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
