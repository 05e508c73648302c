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


def _register_commands() -> None:
    # Imported here so `vpcreach --help` stays cheap and each command module stays independent.
    from . import check  # noqa: F401
    from . import query, show  # noqa: F401
    from . import rules  # noqa: F401
    from . import snapshot  # noqa: F401


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
