"""Sets of addresses of one IP family as sorted, disjoint, inclusive integer intervals.

Routing partitions the destination space (longest prefix match), so the path walker needs
exact set algebra over addresses; z3 then only reasons about the headers that filters test.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable

from ..model.values import IpNet, format_ip

FAMILY_BITS = {4: 32, 6: 128}


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, disjoint, non-adjacent intervals covering the same integers."""
    merged: list[list[int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((a, b) for a, b in merged)


@dataclass(frozen=True)
class AddressSet:
    version: int
    intervals: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, version: int, nets: Iterable[IpNet]) -> "AddressSet":
        return cls(version, merge_intervals((n.first, n.last) for n in nets if n.version == version))

    @classmethod
    def everything(cls, version: int) -> "AddressSet":
        return cls(version, ((0, (1 << FAMILY_BITS[version]) - 1),))

    @classmethod
    def hosts(cls, version: int, addresses: Iterable[int]) -> "AddressSet":
        return cls(version, merge_intervals((a, a) for a in addresses))

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def union(self, other: "AddressSet") -> "AddressSet":
        return AddressSet(self.version, merge_intervals(self.intervals + other.intervals))

    def intersect(self, other: "AddressSet") -> "AddressSet":
        out: list[tuple[int, int]] = []
        a, b = self.intervals, other.intervals
        i = j = 0
        while i < len(a) and j < len(b):
            low = max(a[i][0], b[j][0])
            high = min(a[i][1], b[j][1])
            if low <= high:
                out.append((low, high))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return AddressSet(self.version, tuple(out))

    def subtract(self, other: "AddressSet") -> "AddressSet":
        return self.intersect(other.complement())

    def complement(self) -> "AddressSet":
        top = (1 << FAMILY_BITS[self.version]) - 1
        out: list[tuple[int, int]] = []
        cursor = 0
        for low, high in self.intervals:
            if low > cursor:
                out.append((cursor, low - 1))
            cursor = high + 1
        if cursor <= top:
            out.append((cursor, top))
        return AddressSet(self.version, tuple(out))

    def contains(self, address: int) -> bool:
        # Binary search: address sets for large groups can hold thousands of intervals.
        lo, hi = 0, len(self.intervals) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            low, high = self.intervals[mid]
            if address < low:
                hi = mid - 1
            elif address > high:
                lo = mid + 1
            else:
                return True
        return False

    def contains_range(self, low: int, high: int) -> bool:
        """Whether one interval of the set covers all of [low, high]."""
        index = bisect.bisect_right(self.intervals, (low, float("inf"))) - 1
        return index >= 0 and self.intervals[index][0] <= low and high <= self.intervals[index][1]

    def first(self) -> int | None:
        return self.intervals[0][0] if self.intervals else None

    def size(self) -> int:
        return sum(high - low + 1 for low, high in self.intervals)

    def __str__(self) -> str:
        if not self.intervals:
            return "{}"
        parts = []
        for low, high in self.intervals[:4]:
            parts.append(format_ip(self.version, low) if low == high
                         else f"{format_ip(self.version, low)}-{format_ip(self.version, high)}")
        more = f" (+{len(self.intervals) - 4} more)" if len(self.intervals) > 4 else ""
        return "{" + ", ".join(parts) + more + "}"
