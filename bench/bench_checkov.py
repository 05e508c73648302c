"""Time `vpcreach check` against `checkov` on the same Terraform plans (../shared/peer-data).

    python3 bench/bench_checkov.py --checkov /tmp/checkov-venv/bin/checkov   (or CHECKOV=... in the environment)

Both run as fresh processes per plan, as a CI step would (the headline ratio): checkov `-f PLAN --framework terraform_plan -o json`,
vpcreach `check PLAN --isolated --format json --fail-on never`. Each plan is timed `--repeat` times and the
fastest run kept (the least disturbed by other load on the machine). Writes bench/results/checkov.json with
per-plan and total wall times and the ratio checkov / vpcreach (target: vpcreach at least 10x faster), plus
vpcreach's in-process time per plan (its work without interpreter start-up).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "peers"))
from record_checkov_findings import PEER_DATA, plan_files  # noqa: E402  (the same plans as the parity data)

RESULTS = REPO / "bench" / "results" / "checkov.json"
TARGET_RATIO = 10.0


def timed(command: list[str], ok_codes: tuple[int, ...]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok_codes:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def best_of(command: list[str], repeat: int, ok_codes: tuple[int, ...]) -> float:
    return min(timed(command, ok_codes) for _ in range(repeat))


def in_process(plan: Path, repeat: int) -> float:
    """vpcreach's own work on one plan (import, rules, report) without interpreter start-up: what a long-lived
    process (a pre-commit run over many plans, a server) pays per plan."""
    import contextlib
    import io

    from vpcreach.cli.check import CheckOptions, run_check

    options = CheckOptions(sources=(str(plan),), output_format="json", isolated=True, fail_on="never")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            run_check(options)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkov", default=os.environ.get("CHECKOV"), help="checkov executable (or CHECKOV env)")
    parser.add_argument("--vpcreach", default=shutil.which("vpcreach") or "vpcreach", help="vpcreach executable")
    parser.add_argument("--repeat", type=int, default=1, help="runs per plan and tool; the fastest is kept")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()
    if not args.checkov:
        parser.error("give --checkov PATH or set CHECKOV (install checkov in its own venv, see the docstring)")
    if not PEER_DATA.is_dir():
        parser.error(f"peer data not found at {PEER_DATA}")
    checkov_version = subprocess.run([args.checkov, "--version"], capture_output=True, text=True,
                                     check=True).stdout.strip()
    rows = []
    for plan in plan_files():
        relative = plan.relative_to(PEER_DATA).as_posix()
        checkov = best_of([args.checkov, "-f", str(plan), "--framework", "terraform_plan", "-o", "json"],
                          args.repeat, (0, 1))
        vpcreach = best_of([args.vpcreach, "check", str(plan), "--isolated", "--format", "json", "--fail-on", "never"],
                           args.repeat, (0,))
        warm = in_process(plan, args.repeat)
        rows.append({"plan": relative, "bytes": plan.stat().st_size, "checkov_s": round(checkov, 3),
                     "vpcreach_s": round(vpcreach, 3), "vpcreach_in_process_s": round(warm, 4),
                     "ratio": round(checkov / vpcreach, 2)})
        print(f"{relative}: checkov {checkov:.2f}s, vpcreach {vpcreach:.2f}s, x{checkov / vpcreach:.1f}", file=sys.stderr)
    total_checkov = sum(r["checkov_s"] for r in rows)
    total_vpcreach = sum(r["vpcreach_s"] for r in rows)
    total_warm = sum(r["vpcreach_in_process_s"] for r in rows)
    ratio = total_checkov / total_vpcreach
    result = {
        "checkov_version": checkov_version,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "repeat": args.repeat,
        "plans": rows,
        "total": {"plans": len(rows), "checkov_s": round(total_checkov, 2), "vpcreach_s": round(total_vpcreach, 2),
                  "ratio": round(ratio, 2), "target_ratio": TARGET_RATIO, "meets_target": ratio >= TARGET_RATIO,
                  "vpcreach_in_process_s": round(total_warm, 3),
                  "ratio_in_process": round(total_checkov / total_warm, 1)},
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"total: checkov {total_checkov:.1f}s, vpcreach {total_vpcreach:.1f}s, ratio {ratio:.1f}x "
          f"(target {TARGET_RATIO:.0f}x); vpcreach in-process {total_warm:.2f}s, ratio "
          f"{total_checkov / total_warm:.0f}x -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
