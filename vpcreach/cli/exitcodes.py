"""Process exit codes, one meaning each (like httpie's status enum)."""
from enum import IntEnum


class Exit(IntEnum):
    OK = 0  # answered, and nothing at or above the failure threshold
    FINDINGS = 1  # findings at or above --fail-on, or an --expect that did not hold
    BAD_INPUT = 2  # bad input or usage
    INCONCLUSIVE = 3  # the answer depends on something vpcreach could not decide
