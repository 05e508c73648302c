"""Text renderings of reachability answers and the exposure sweep (JSON is each object's to_dict)."""
from __future__ import annotations

from ..engine import Exposure, Result
from ..model import Network


def _hop_lines(hops, indent: str = "  ") -> list[str]:
    if not hops:
        return [f"{indent}(none)"]
    width_component = max(len(h.component) for h in hops)
    width_kind = max(len(h.kind) for h in hops)
    lines = []
    for number, hop in enumerate(hops, 1):
        lines.append(f"{indent}{number:>2}  {hop.component:<{width_component}}  {hop.kind:<{width_kind}}  "
                     f"{hop.decision:<9}  {hop.detail}")
        if hop.location:
            lines.append(f"{indent}    {'':<{width_component}}  at {hop.location}")
    return lines


def render_result(result: Result) -> str:
    """A traceroute-like account: the verdict, the witness packet, every hop there and back."""
    lines = [f"query: {result.query.summary()}", f"verdict: {result.verdict}"]
    if result.packet is not None:
        lines.append(f"packet: {result.packet.describe()}")
    if result.verdict == "reachable":
        lines.append("forward:")
        lines.extend(_hop_lines(result.forward))
        if not result.query.forward_only:
            lines.append("return:")
            lines.extend(_hop_lines(result.reverse))
    for note in result.notes:
        lines.append(f"note: {note}")
    if result.explanations:
        lines.append("blocked by:" if result.verdict == "unreachable" else "undecided because:")
        for e in result.explanations:
            lines.append(f"  {e.code}  {e.component}  ({e.direction}) {e.detail}")
            if e.location:
                lines.append(f"      at {e.location}")
    return "\n".join(lines) + "\n"


def render_exposure(network: Network, exposures: tuple[Exposure, ...]) -> str:
    if not exposures:
        return "No network interface is reachable from the internet.\n"
    names = {r.id: r.name for r in (*network.instances, *network.network_interfaces) if r.name}
    rows = [("ENI", "INSTANCE", "ADDRESS", "OPEN TO THE INTERNET", "VIA")]
    for e in exposures:
        instance = e.instance_id or "-"
        if e.instance_id and names.get(e.instance_id):
            instance += f" ({names[e.instance_id]})"
        rows.append((e.eni_id, instance, e.address, e.describe(), e.gateway_id))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(f"{cell:<{w}}" for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in rows]
    decided = [e for e in exposures if not e.undecided]
    enis = len({e.eni_id for e in decided})
    lines.append("")
    lines.append(f"{enis} network interface{'s' if enis != 1 else ''} reachable from the internet "
                 f"({len(decided)} protocol/port range{'s' if len(decided) != 1 else ''})")
    undecided = len(exposures) - len(decided)
    if undecided:
        lines.append(f"{undecided} address{'es' if undecided != 1 else ''} undecided (see above)")
    return "\n".join(lines) + "\n"
