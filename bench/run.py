"""The speed and memory benchmarks: generate synthetic networks, measure, compare with the targets.

    python3 bench/run.py            the full run (targets on a 2-core machine):
                                    load a 10,000-ENI snapshot                     <= 3 s
                                    one query with its explanation, 1,000 ENIs    median <= 20 ms (after load)
                                    the exposure sweep of 10,000 ENIs              <= 10 s (after load)
                                    peak memory of any measurement                 <= 1 GB
    python3 bench/run.py --quick    a small smoke run (same code paths, small networks, no verdict on targets)

Each measurement runs in a fresh `python3 bench/run.py --child ...` process, so caches, imports and memory of one
do not flatter another; a child reports its own peak RSS, and the overall peak is the parent's
`getrusage(RUSAGE_CHILDREN).ru_maxrss` (the largest child). Networks are generated (deterministically, see
generate.py) under bench/results/networks/. Prints a table and writes bench/results/latest.json.

Queries: a fixed, seeded list of varied questions (ENI to ENI in the same subnet, across subnets and across peered
and unpeered VPCs, to and from the internet, tag selectors, addresses, subnets; several protocols and ports),
answered by one Analyzer reused across them, as `vpcreach query --batch` does. Each is timed through the normal
`Analyzer.query` path (witness or explanations included) plus `Result.to_dict()`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))
import generate  # noqa: E402  (bench/generate.py, beside this file)

MB = 1024 * 1024
TARGETS = {  # measure -> (target, unit, how it is compared)
    "load_s": (3.0, "s", "<="),
    "query_median_ms": (20.0, "ms", "<="),
    "exposure_s": (10.0, "s", "<="),
    "peak_rss_mb": (1024.0, "MB", "<="),
}
FULL = dict(load_enis=10_000, query_enis=1_000, exposure_enis=10_000, queries=200)
QUICK = dict(load_enis=300, query_enis=120, exposure_enis=300, queries=40)


# ---------------------------------------------------------------- the questions

def endpoint_facts(network) -> list[dict[str, Any]]:
    """One record per instance ENI: where it is and what the generator made it (from its instance's tags)."""
    from vpcreach.model import NetworkInterface

    subnets = {s.id: s for s in network.subnets}
    vpc_names = {v.id: v.name for v in network.vpcs}
    facts = []
    for instance in sorted(network.instances, key=lambda i: i.id):
        for position, eni_id in enumerate(instance.eni_ids):
            eni = network.get(eni_id, NetworkInterface)
            if eni is None:
                continue
            subnet = subnets[eni.subnet_id]
            facts.append(dict(
                eni=eni.id, instance=instance.id, name=instance.tag("Name"), tier=instance.tag("Tier"),
                role=instance.tag("Role") or instance.tag("Tier"), service=instance.tag("Service"),
                vpc=vpc_names.get(eni.vpc_id), vpc_id=eni.vpc_id, subnet=eni.subnet_id,
                az=subnet.availability_zone, primary=position == 0,
                private_ip=eni.private_ips[0], public=bool(eni.public_ips), ipv6=bool(eni.ipv6_addresses)))
    return facts


def service_port(fact: dict[str, Any]) -> int:
    return generate.SERVICE_PORT_BASE + int(fact["service"][3:])


class QuestionMaker:
    """A seeded stream of questions, drawn in turn from each kind below (so every run asks the same ones)."""

    def __init__(self, network, seed: int):
        from vpcreach.model import PortRange

        self.PortRange = PortRange
        self.rng = random.Random(seed)
        self.facts = endpoint_facts(network)
        self.by_role: dict[str, list[dict]] = {}
        for fact in self.facts:
            self.by_role.setdefault(fact["role"], []).append(fact)
        self.subnets = sorted(network.subnets, key=lambda s: s.id)

    def pick(self, role: str, **where: Any) -> dict[str, Any] | None:
        pool = [f for f in self.by_role.get(role, []) if all(f[k] == v for k, v in where.items())]
        return self.rng.choice(pool) if pool else None

    def query(self, source: str, destination: str, protocol: int = 6, port: int | None = None):
        from vpcreach.engine import Query

        ports = self.PortRange(port, port) if port is not None else None
        return Query(source=source, destination=destination, protocol=protocol, ports=ports)

    # Each kind returns a Query, or None when this network has no fitting endpoints (tiny networks).
    def same_subnet(self):
        a = self.pick("app")
        b = a and self.pick("app", subnet=a["subnet"])
        if not b or a["eni"] == b["eni"]:
            return None
        port = service_port(b) if b["service"] else 8080
        return self.query(a["eni"], b["eni"], port=self.rng.choice((port, 22)))

    def web_to_app(self):
        web = self.pick("public")
        app = web and self.pick("app", vpc_id=web["vpc_id"])
        return app and self.query(web["instance"], app["eni"], port=self.rng.choice((8080, 22, service_port(app)
                                                                                    if app["service"] else 8080)))

    def to_database(self):
        db = self.pick("db")
        client = db and self.pick(self.rng.choice(("app", "public")), vpc_id=db["vpc_id"])
        return client and self.query(client["eni"], db["eni"], port=self.rng.choice((5432, 3306, 5432)))

    def from_database(self):
        db = self.pick("db")
        app = db and self.pick("app", vpc_id=db["vpc_id"])
        return app and self.query(db["eni"], app["private_ip"], protocol=self.rng.choice((6, 17)), port=8080)

    def bastion_ssh(self):
        bastion = self.pick("bastion")
        target = self.pick(self.rng.choice(("app", "db", "public")))
        return bastion and target and self.query(bastion["eni"], target["eni"], port=22)

    def across_spokes(self):
        a = self.pick("app")
        b = self.pick("app")
        if not a or not b or a["vpc_id"] == b["vpc_id"]:
            return None
        return self.query(a["eni"], b["eni"], port=service_port(b) if b["service"] else 8080)

    def to_internet(self):
        source = self.pick(self.rng.choice(("app", "app", "db", "public")))
        return source and self.query(source["eni"], "internet", protocol=self.rng.choice((6, 6, 17, -1)),
                                     port=self.rng.choice((443, 80, 123)))

    def from_internet(self):
        target = self.pick(self.rng.choice(("public", "public", "bastion", "app")))
        return target and self.query("internet", target["eni"], port=self.rng.choice((443, 80, 22, 3389)))

    def icmp(self):
        bastion = self.pick("bastion")
        target = self.pick(self.rng.choice(("public", "app")))
        return bastion and target and self.query(bastion["eni"], target["eni"], protocol=1)

    def by_name_tag(self):
        a = self.pick(self.rng.choice(("public", "app")))
        b = a and self.pick(self.rng.choice(("app", "db")), vpc_id=a["vpc_id"])
        return b and self.query(f"tag:Name={a['name']}", f"tag:Name={b['name']}",
                                port=self.rng.choice((8080, 5432, 443)))

    def bastions_by_role(self):
        target = self.pick(self.rng.choice(("app", "db")))
        return target and self.query("tag:Role=bastion", target["eni"], port=22)

    def subnet_to_internet(self):
        subnet = self.rng.choice(self.subnets)
        return self.query(subnet.id, "internet", port=443)

    KINDS = ("same_subnet", "web_to_app", "to_database", "from_database", "bastion_ssh", "across_spokes",
             "to_internet", "from_internet", "icmp", "by_name_tag", "bastions_by_role", "subnet_to_internet")

    def questions(self, count: int) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        misses = 0
        while len(out) < count and misses < 50 * len(self.KINDS):
            kind = self.KINDS[len(out) % len(self.KINDS)] if misses == 0 else self.rng.choice(self.KINDS)
            made = getattr(self, kind)()
            if made is None:
                misses += 1
                continue
            misses = 0
            out.append((kind, made))
        return out


# ---------------------------------------------------------------- the measurements (run in child processes)

def peak_rss_mb() -> float:
    """This process's peak resident set (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (MB if sys.platform == "darwin" else 1024)


def measure_load(path: str) -> dict[str, Any]:
    from vpcreach.importers import load_source

    started = time.perf_counter()
    network = load_source(path)
    elapsed = time.perf_counter() - started
    rules = sum(len(g.ingress) + len(g.egress) for g in network.security_groups)
    return dict(load_s=elapsed, enis=len(network.network_interfaces), security_group_rules=rules,
                diagnostics=len(network.diagnostics))


def measure_queries(path: str, count: int, seed: int) -> dict[str, Any]:
    from vpcreach.engine import Analyzer
    from vpcreach.importers import load_source

    network = load_source(path)
    analyzer = Analyzer(network)
    questions = QuestionMaker(network, seed).questions(count)
    timings, verdicts, codes, kinds = [], Counter(), Counter(), Counter()
    slowest: list[tuple[float, str]] = []
    for kind, question in questions:
        started = time.perf_counter()
        result = analyzer.query(question)
        result.to_dict()
        elapsed_ms = (time.perf_counter() - started) * 1000
        timings.append(elapsed_ms)
        verdicts[result.verdict] += 1
        kinds[f"{kind}:{result.verdict}"] += 1
        codes.update({e.code for e in result.explanations})
        slowest.append((elapsed_ms, f"{kind}: {question.summary()} -> {result.verdict}"))
    ordered = sorted(timings)
    slowest.sort(reverse=True)
    return dict(
        queries=len(timings), query_median_ms=statistics.median(ordered),
        query_p90_ms=ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], query_max_ms=ordered[-1],
        query_first_ms=timings[0], enis=len(network.network_interfaces), verdicts=dict(sorted(verdicts.items())),
        explanation_codes=dict(sorted(codes.items())), by_kind=dict(sorted(kinds.items())),
        slowest=[f"{ms:.0f} ms  {what}" for ms, what in slowest[:5]])


def measure_exposure(path: str) -> dict[str, Any]:
    from vpcreach.engine import Analyzer
    from vpcreach.importers import load_source

    network = load_source(path)
    started = time.perf_counter()
    exposures = Analyzer(network).exposure()
    elapsed = time.perf_counter() - started
    return dict(exposure_s=elapsed, enis=len(network.network_interfaces), exposures=len(exposures),
                exposed_enis=len({e.eni_id for e in exposures}))


def child_main(args: argparse.Namespace) -> int:
    if args.child == "load":
        out = measure_load(args.path)
    elif args.child == "query":
        out = measure_queries(args.path, args.queries, args.seed)
    else:
        out = measure_exposure(args.path)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))
    return 0


# ---------------------------------------------------------------- the parent

def run_child(kind: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--path", str(path),
               "--queries", str(args.queries), "--seed", str(args.seed)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return dict(error=f"timed out after {args.timeout} s")
    if done.returncode != 0:
        return dict(error=(done.stderr.strip().splitlines() or ["exit status %d" % done.returncode])[-1])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - started
    return out


def network_path(enis: int, args: argparse.Namespace) -> Path:
    """Generate (always: it is deterministic and fast) the network of `enis` ENIs into the work folder."""
    path = Path(args.work) / f"enis-{enis}-seed-{args.seed}"
    generate.generate(str(path), enis, seed=args.seed)
    return path


def verdict(measure: str, value: float | None) -> str:
    if value is None:
        return "FAIL"
    target, _, _ = TARGETS[measure]
    return "pass" if value <= target else "FAIL"


def table(rows: list[tuple[str, str, str, str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summarise(results: dict[str, dict[str, Any]], sizes: dict[str, int], quick: bool):
    # RUSAGE_CHILDREN covers every finished child, one killed at its time limit included.
    overall_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / (MB if sys.platform == "darwin" else 1024)
    measures = [
        (f"load, {sizes['load_enis']:,} ENIs", "load", "load_s", "{:.2f} s"),
        (f"query median, {sizes['query_enis']:,} ENIs", "query", "query_median_ms", "{:.1f} ms"),
        (f"exposure sweep, {sizes['exposure_enis']:,} ENIs", "exposure", "exposure_s", "{:.2f} s"),
    ]
    rows = [("measure", "value", "target", "result")]
    summary: dict[str, Any] = {}

    def add(label: str, key: str, measured: float | None, shown: str) -> None:
        target, unit, op = TARGETS[key]
        result = "n/a (quick)" if quick else verdict(key, measured)
        rows.append((label, shown, f"{op} {target:g} {unit}", result))
        summary[key] = dict(value=measured, target=target, unit=unit, result=result)

    for label, kind, key, form in measures:
        if kind in results:
            measured = results[kind].get(key)
            add(label, key, measured, form.format(measured) if measured is not None else results[kind]["error"])
    add("peak memory (largest child)", "peak_rss_mb", overall_peak if results else None, f"{overall_peak:.0f} MB")
    for label, key, form in (("query p90", "query_p90_ms", "{:.1f} ms"), ("query max", "query_max_ms", "{:.1f} ms"),
                             ("first query (cold caches)", "query_first_ms", "{:.1f} ms")):
        measured = results.get("query", {}).get(key)
        if measured is not None:
            rows.append((label, form.format(measured), "", "info"))
    for kind, out in results.items():
        if "peak_rss_mb" in out:
            rows.append((f"peak memory of {kind}", f"{out['peak_rss_mb']:.0f} MB", "", "info"))
    return table(rows), summary


def machine() -> dict[str, Any]:
    import z3

    return dict(platform=platform.platform(), python=platform.python_version(), cpus=os.cpu_count(),
                z3=z3.get_version_string(), processor=platform.processor() or platform.machine())


def parent_main(args: argparse.Namespace) -> int:
    sizes = dict(QUICK if args.quick else FULL)
    for key in ("load_enis", "query_enis", "exposure_enis", "queries"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    args.queries = sizes["queries"]
    wanted = args.only.split(",") if args.only else ["load", "query", "exposure"]
    paths: dict[int, Path] = {}
    generated: dict[str, Any] = {}
    for enis in sorted({sizes[f"{kind}_enis"] for kind in wanted}):
        started = time.perf_counter()
        paths[enis] = network_path(enis, args)
        generated[str(enis)] = dict(seconds=round(time.perf_counter() - started, 2), path=str(paths[enis]))
        print(f"generated {enis:,} ENIs in {generated[str(enis)]['seconds']} s: {paths[enis]}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for kind in wanted:
        print(f"measuring {kind} ...", flush=True)
        results[kind] = run_child(kind, paths[sizes[f"{kind}_enis"]], args)
    text, summary = summarise(results, sizes, args.quick)
    print()
    print(text)
    query = results.get("query", {})
    if "verdicts" in query:
        print(f"\nquery verdicts: {query['verdicts']}; explanation codes: {query['explanation_codes']}")
        print("slowest queries:\n  " + "\n  ".join(query["slowest"]))
    report = dict(quick=args.quick, seed=args.seed, sizes=sizes, machine=machine(), generated=generated,
                  summary=summary, measurements=results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = Path(args.output)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {output}")
    failed = any(s.get("result") == "FAIL" for s in summary.values() if isinstance(s, dict))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small networks: a smoke run of every measurement")
    parser.add_argument("--seed", type=int, default=1, help="generator and question seed")
    parser.add_argument("--queries", type=int, default=None, help="number of questions (default 200)")
    parser.add_argument("--load-enis", type=int, default=None)
    parser.add_argument("--query-enis", type=int, default=None)
    parser.add_argument("--exposure-enis", type=int, default=None)
    parser.add_argument("--only", default="", help="comma-separated subset of load,query,exposure")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per measurement")
    parser.add_argument("--work", default=str(RESULTS / "networks"), help="where generated networks go")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    parser.add_argument("--child", choices=("load", "query", "exposure"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return child_main(args) if args.child else parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
