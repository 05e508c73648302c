"""The rule catalogue as data, shipped in the wheel as the package vpcreach._rules (see pyproject.toml)."""
