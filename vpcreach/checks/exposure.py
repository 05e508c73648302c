"""Checks judged on what the reachability engine proves the internet can reach, not on what rules say."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

from ..model import ALL_PROTOCOLS, Instance, NetworkInterface
from .context import CheckContext, covers_internet, internet, undecided, via
from .findings import Hit
from .security_groups import PROTOCOL_NUMBERS, groups_space
from .spaces import ALL_ADDRESSES, IntervalSet, describe_addresses, describe_ports

VERSION = {"ipv4": 4, "ipv6": 6}


def covers_protocol(exposure: Any, protocol: int) -> bool:
    """Whether an engine Exposure includes `protocol` (-1 means every protocol but its except_protocols)."""
    if exposure.protocol == ALL_PROTOCOLS:
        return protocol not in getattr(exposure, "except_protocols", ())
    return exposure.protocol == protocol


def _exposed_ports(exposure: Any, protocol: int, ports: Sequence[int]) -> list[int]:
    if not covers_protocol(exposure, protocol):
        return []
    if exposure.ports is None:
        return sorted(ports)
    return sorted(p for p in ports if exposure.ports.low <= p <= exposure.ports.high)


def _who(ctx: CheckContext, eni_id: str, instance_id: str | None) -> str:
    instance = ctx.network.get(instance_id, Instance) if instance_id else None
    if instance is None:
        return f"network interface {eni_id}"
    return f"instance {instance.id}" + (f" ({instance.name})" if instance.name else "")


def _admitted_sources(ctx: CheckContext, eni: NetworkInterface | None, version: int, protocol: int,
                      ports: Sequence[int]) -> IntervalSet:
    """Internet addresses the interface's security groups admit on any of `ports`."""
    if eni is None:
        return internet(version)
    space = groups_space(ctx, eni.security_group_ids, version)
    sources = IntervalSet()
    for port in ports:
        sources = sources.union(space.intersect_box(((protocol, protocol), (port, port), ALL_ADDRESSES[version]))
                                .values(2))
    return sources.intersection(internet(version))


def internet_exposed_ports(ctx: CheckContext, ports: Sequence[int],
                           protocols: Sequence[str] = ("tcp",)) -> Iterator[Hit]:
    """One hit per interface, family and protocol that the internet can reach on any of `ports`.

    Reachable from every internet address: the rule's severity. Only from some (an office prefix list, say):
    capped at low, and the message names the sources.
    """
    found: dict[tuple[str, str, int], tuple[Any, set[int]]] = {}
    # Certain exposures first, so an interface's finding describes a decided path when there is one.
    for exposure in sorted(ctx.exposures, key=lambda e: (bool(undecided(e)), e.eni_id, e.family,
                                                                   str(e.address))):
        for name in protocols:
            number = PROTOCOL_NUMBERS[name]
            exposed = _exposed_ports(exposure, number, ports)
            if exposed:
                found.setdefault((exposure.eni_id, exposure.family, number), (exposure, set()))[1].update(exposed)
    for (eni_id, family, number), (exposure, exposed) in sorted(found.items()):
        version = VERSION[family]
        eni = ctx.network.get(eni_id, NetworkInterface)
        # An undecided exposure can be broader than what the interface's groups admit; keep what they admit.
        exposed = {p for p in exposed if _admitted_sources(ctx, eni, version, number, [p])}
        if not exposed:
            continue
        sources = _admitted_sources(ctx, eni, version, number, sorted(exposed))
        everyone = covers_internet(version, sources)
        origin = "anywhere on the internet" if everyone else f"the internet ({describe_addresses(version, sources)})"
        traffic = describe_ports(number, IntervalSet((p, p) for p in exposed))
        rules = sorted(str(o) for o in getattr(exposure, "security_group_rules", ()))
        location = rules[0] if rules else (str(eni.origin) if eni else eni_id)
        doubt = undecided(exposure)
        severity = ctx.capped("low") if not everyone else (ctx.capped("medium") if doubt else None)
        yield Hit((eni_id,) + ((exposure.instance_id,) if exposure.instance_id else ()),
                  f"{_who(ctx, eni_id, exposure.instance_id)} {'may accept' if doubt else 'accepts'} {traffic} from "
                  f"{origin} at {exposure.address} (interface {eni_id}){via(exposure)}"
                  + (f" ({doubt})" if doubt else ""),
                  location, severity=severity, key=f"{family}:{number}")
