"""Regenerate checkov_findings.json: run checkov once on every Terraform plan in ../shared/peer-data.

Not a test (pytest does not collect it). Checkov's pins would break vpcreach's environment, so it lives in
its own venv:
    python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov
    python3 tests/peers/record_checkov_findings.py --checkov /tmp/checkov-venv/bin/checkov
Only the network-related check ids below are kept; every other checkov check (S3, IAM, RDS encryption, ...)
is outside what vpcreach analyses.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PEER_DATA = REPO.parent / "shared" / "peer-data"
OUTPUT = Path(__file__).with_name("checkov_findings.json")
COMMAND = "checkov -f {plan} --framework terraform_plan -o json"

# Checks about VPC networking or network exposure. The ones vpcreach does not report are listed, with the
# reason, in checkov_disagreements.yaml.
NETWORK_CHECKS = {
    "CKV_AWS_23": "Ensure every security group and rule has a description",
    "CKV_AWS_24": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
    "CKV_AWS_25": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
    "CKV_AWS_260": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80",
    "CKV_AWS_277": "Ensure no security groups allow ingress from 0.0.0.0:0 to port -1",
    "CKV_AWS_382": "Ensure no security groups allow egress from 0.0.0.0:0 to port -1",
    "CKV_AWS_130": "Ensure VPC subnets do not assign public IP by default",
    "CKV_AWS_88": "EC2 instance should not have public IP.",
    "CKV2_AWS_5": "Ensure that Security Groups are attached to another resource",
    "CKV2_AWS_11": "Ensure VPC flow logging is enabled in all VPCs",
    "CKV2_AWS_12": "Ensure the default security group of every VPC restricts all traffic",
    "CKV2_AWS_19": "Ensure that all EIP addresses allocated to a VPC are attached to EC2 instances",
    "CKV2_AWS_1": "Ensure that all NACL are attached to subnets",
    "CKV_AWS_229": "Ensure no NACL allow ingress from 0.0.0.0:0 to port 21",
    "CKV_AWS_230": "Ensure no NACL allow ingress from 0.0.0.0:0 to port 20",
    "CKV_AWS_231": "Ensure no NACL allow ingress from 0.0.0.0:0 to port 3389",
    "CKV_AWS_232": "Ensure no NACL allow ingress from 0.0.0.0:0 to port 22",
    "CKV_AWS_352": "Ensure NACL ingress does not allow all Ports",
    "CKV_AWS_196": "Ensure no aws_elasticache_security_group resources exist",
    "CKV_AWS_198": "Ensure no aws_db_security_group resources exist",
    "CKV_AWS_17": "Ensure all data stored in RDS is not publicly accessible",
    "CKV_AWS_38": "Ensure Amazon EKS public endpoint not accessible to 0.0.0.0/0",
    "CKV_AWS_39": "Ensure Amazon EKS public endpoint disabled",
}


def plan_files() -> list[Path]:
    """terraform-compliance */plan.out.json, the 3 checkov plans, and regula's plan JSON files."""
    plans = sorted((PEER_DATA / "terraform-compliance").rglob("plan.out.json"))
    plans += sorted((PEER_DATA / "checkov").rglob("*.json"))
    plans += sorted(p for p in (PEER_DATA / "regula").rglob("*.json") if _is_plan(p))
    return plans


def _is_plan(path: Path) -> bool:
    try:
        document = json.loads(path.read_text())
    except ValueError:
        return False
    return isinstance(document, dict) and "format_version" in document and (
        "planned_values" in document or "resource_changes" in document)


def run_checkov(checkov: str, plan: Path) -> list[dict]:
    done = subprocess.run([checkov, "-f", str(plan), "--framework", "terraform_plan", "-o", "json"],
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1 = some check failed
        raise SystemExit(f"checkov failed on {plan}: {done.stderr[-2000:]}")
    reports = json.loads(done.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [c for r in reports if isinstance(r, dict) and "results" in r for c in r["results"]["failed_checks"]]
    return sorted(({"check_id": c["check_id"], "resource": c["resource"]} for c in failed
                   if c["check_id"] in NETWORK_CHECKS), key=lambda f: (f["check_id"], f["resource"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkov", required=True, help="checkov executable from its own venv")
    args = parser.parse_args()
    version = subprocess.run([args.checkov, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    plans = {}
    for plan in plan_files():
        relative = plan.relative_to(PEER_DATA).as_posix()
        plans[relative] = run_checkov(args.checkov, plan)
        print(f"{relative}: {len(plans[relative])} network findings", file=sys.stderr)
    document = {
        "checkov_version": version,
        "command": COMMAND,
        "framework": "terraform_plan",
        "plans_root": "../shared/peer-data",
        "network_checks": NETWORK_CHECKS,
        "plans": plans,
    }
    OUTPUT.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
