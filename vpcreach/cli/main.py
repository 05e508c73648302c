"""The `vpcreach` command: a thin typer layer. Each command lives in its own module."""
from __future__ import annotations

import os
import sys

import typer

from ..errors import InputError
from .exitcodes import Exit

app = typer.Typer(
    name="vpcreach",
    help="Cloud VPC policy linter and reachability analyzer for AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"vpcreach {__version__}")
        raise typer.Exit(Exit.OK)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Cloud VPC policy linter and reachability analyzer for AWS."""
    # A callback keeps `vpcreach COMMAND` a command group even when only one command module is loaded.


# Command name -> the module that defines it. A CI gate runs one command per process, so only that
# command's module (and what it needs) is imported; help and unknown commands import them all.
COMMAND_MODULES = {"check": "check", "query": "query", "exposure": "query", "show": "show",
                   "snapshot": "snapshot", "rules": "rules"}


def _register_commands(argv: list[str] | None = None) -> None:
    import importlib

    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    wanted = COMMAND_MODULES.get(words[0]) if words else None
    for module in sorted(set(COMMAND_MODULES.values())) if wanted is None else [wanted]:
        importlib.import_module(f"{__package__}.{module}")


def _click_exception_types() -> tuple[type, ...]:
    """Usage errors: newer typer releases vendor their own copy of click, older ones use click."""
    import click

    types: list[type] = [click.exceptions.ClickException]
    vendored = getattr(typer, "_click", None)
    if vendored is not None:
        types.append(vendored.exceptions.ClickException)
    return tuple(types)


def report_input_error(error: InputError) -> int:
    for problem in error.problems:
        print(f"error: {problem.line()}", file=sys.stderr)
        if problem.hint:
            print(f"hint: {problem.hint}", file=sys.stderr)
    return Exit.BAD_INPUT


def run() -> None:
    """Console-script entry point: maps bad input to exit 2 with one line per problem."""
    _register_commands()
    try:
        # With standalone_mode=False click *returns* a command's typer.Exit code instead of raising it.
        code = app(standalone_mode=False)
    except InputError as error:
        sys.exit(report_input_error(error))
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:  # click usage errors and anything unexpected
        if isinstance(error, _click_exception_types()):
            error.show()
            sys.exit(Exit.BAD_INPUT)
        if os.environ.get("VPCREACH_DEBUG"):
            raise
        print(f"error: internal error: {type(error).__name__}: {error} "
              "(set VPCREACH_DEBUG=1 for a traceback and please report it)", file=sys.stderr)
        sys.exit(70)
    if isinstance(code, int) and code:
        sys.exit(code)
