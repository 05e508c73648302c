"""One entry point for every `vpcreach check` output format; only the chosen renderer is imported."""
from __future__ import annotations

import importlib

from .base import CheckReport

# format -> (module, function): a CI gate renders one format per run, so it imports one renderer.
RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text", "render_text"),
    "json": ("json_report", "render_json"),
    "sarif": ("sarif", "render_sarif"),
    "junit": ("junit", "render_junit"),
    "markdown": ("markdown", "render_markdown"),
}
FORMATS = tuple(RENDERERS)


def render(report: CheckReport, output_format: str) -> str:
    module, function = RENDERERS[output_format]
    return getattr(importlib.import_module(f"{__package__}.{module}"), function)(report)
