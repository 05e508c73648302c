"""CLI golden files: one text file per command run, recording the command line, exit code, stdout and stderr.

    result = run_cli(["show", "fixtures/example"])
    assert_golden(GOLDEN / "show_example_text.txt", result)

Commands run in-process through the real entry point (`vpcreach.cli.main.run`, so exit-code mapping
and error printing are exercised) with the repository root as the working directory. Absolute paths
of the repository and of any extra folders are replaced by placeholders, so goldens are portable.
Set VPCREACH_UPDATE_GOLDEN=1 to (re)write the golden files instead of comparing.
"""
from __future__ import annotations

import contextlib
import difflib
import io
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
UPDATE_ENV = "VPCREACH_UPDATE_GOLDEN"


@dataclass(frozen=True)
class CliResult:
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _working_directory(path: Path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run_cli(args: list[str], cwd: Path = REPO_ROOT) -> CliResult:
    """Run `vpcreach ARGS` in-process; returns its exit code and captured output."""
    from vpcreach.cli.main import run

    stdout, stderr = io.StringIO(), io.StringIO()
    exit_code = 0
    saved_argv = sys.argv
    sys.argv = ["vpcreach", *args]
    try:
        with _working_directory(cwd), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                run()
            except SystemExit as done:
                exit_code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = saved_argv
    return CliResult(tuple(args), exit_code, stdout.getvalue(), stderr.getvalue())


def normalise(text: str, replacements: dict[str, str] | None = None) -> str:
    """Replace machine-specific absolute paths (longest first) with placeholders such as <repo>."""
    pairs = {str(REPO_ROOT): "<repo>", **(replacements or {})}
    for path in sorted(pairs, key=len, reverse=True):
        text = text.replace(path, pairs[path])
    return text


def render(result: CliResult, replacements: dict[str, str] | None = None) -> str:
    def section(name: str, body: str) -> str:
        return f"--- {name}\n{body}" + ("" if body.endswith("\n") or not body else "\n[no newline at end]\n")

    command = "$ vpcreach " + " ".join(shlex.quote(a) for a in result.args)
    text = f"{command}\nexit: {result.exit_code}\n" + section("stdout", result.stdout) + section("stderr", result.stderr)
    return normalise(text, replacements)


def assert_golden(path: Path, result: CliResult, replacements: dict[str, str] | None = None) -> None:
    actual = render(result, replacements)
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"golden file {path} is missing; run with {UPDATE_ENV}=1 to create it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            str(path), "actual output"))
        raise AssertionError(f"output differs from {path} (run with {UPDATE_ENV}=1 to accept):\n{diff}")
