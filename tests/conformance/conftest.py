"""Prints the conformance summary lines in the terminal summary, so `pytest -q` shows them without `-s`."""
from __future__ import annotations

import conformance_summary


def pytest_terminal_summary(terminalreporter) -> None:
    for line in conformance_summary.lines():
        terminalreporter.write_line(line)
