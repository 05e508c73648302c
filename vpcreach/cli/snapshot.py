"""`vpcreach snapshot`: read AWS accounts into the describe-* folder layout (see docs/live.md)."""
from __future__ import annotations

from typing import List, Optional

import typer

from ..errors import InputError
from .main import app


@app.command("snapshot")
def snapshot(
    output: str = typer.Option(..., "--output", "-o", help="Folder to write the snapshot into."),
    region: List[str] = typer.Option([], "--region", help="Region to read; repeat for several. "
                                     "Default: the profile's or AWS_REGION."),
    all_regions: bool = typer.Option(False, "--all-regions", help="Read every region enabled for the account."),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile (credentials, SSO, region)."),
    role_arn: List[str] = typer.Option([], "--role-arn", help="Role to assume, one per account; repeat for several."),
    page_size: Optional[int] = typer.Option(None, "--page-size", min=5, max=1000,
                                            help="Items per API page (default: AWS's page size)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a snapshot already in --output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output; warnings only."),
) -> None:
    """Read VPC networking from AWS (read-only) into OUTPUT, for check, query, show and exposure."""
    # boto3 takes a tenth of a second to import: only this command pays for it.
    from ..importers.live_output import refuse_existing_snapshot, write_snapshot
    from ..importers.live_progress import Progress
    from ..importers.live_snapshot import take_snapshot

    if region and all_regions:
        raise InputError.at("--all-regions", "cannot be combined with --region", None,
                            "either --region R (repeatable) or --all-regions")
    refuse_existing_snapshot(output, overwrite)  # before minutes of reading, not after
    progress = Progress(log=not quiet)
    taken = take_snapshot(region, all_regions, profile, role_arn, page_size, progress=progress)
    write_snapshot(taken, output, overwrite)
    manifest = taken.manifest
    calls = sum(manifest["calls"].values())
    typer.echo(f"wrote {output}: {len(manifest['accounts'])} account(s), {len(manifest['regions'])} region(s), "
               f"{calls} API calls")
    if not manifest["complete"]:
        typer.echo(f"warning: the snapshot is incomplete: {len(manifest['missing'])} call(s) failed "
                   f"(listed under \"missing\" in {output}/manifest.json)", err=True)
