"""One entry point for every `vpcreach check` output format."""
from __future__ import annotations

from typing import Callable

from .base import CheckReport
from .json_report import render_json
from .junit import render_junit
from .markdown import render_markdown
from .sarif import render_sarif
from .text import render_text

RENDERERS: dict[str, Callable[[CheckReport], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "markdown": render_markdown,
}
FORMATS = tuple(RENDERERS)


def render(report: CheckReport, output_format: str) -> str:
    return RENDERERS[output_format](report)
