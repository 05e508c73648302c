"""Progress of a snapshot on stderr: one redrawn line on a terminal, plain log lines in CI or when piped."""
from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .live_snapshot import RegionRead


def is_interactive(stream: TextIO) -> bool:
    """A progress line only makes sense on a terminal that is not a CI log."""
    in_ci = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
    return not in_ci and hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """Thread-safe: workers report each finished (account, region) and each warning."""

    def __init__(self, stream: TextIO | None = None, interactive: bool | None = None, log: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = is_interactive(self.stream) if interactive is None else interactive
        self.log = log  # False: warnings only
        self.total = 0
        self.done = 0
        self._lock = threading.Lock()
        self._line_open = False

    @classmethod
    def quiet(cls) -> "Progress":
        """For in-memory snapshots (`aws:` sources): warnings still go to stderr, progress does not."""
        return cls(interactive=False, log=False)

    def start(self, total: int) -> None:
        with self._lock:
            self.total = total
            self._draw()

    def region_done(self, read: "RegionRead") -> None:
        with self._lock:
            self.done += 1
            if self.interactive:
                self._draw(f"{read.account}/{read.region}")
            elif self.log:
                calls = sum(read.calls.values())
                self._print(f"vpcreach snapshot: read {read.account}/{read.region} "
                            f"({calls} calls, {len(read.failures)} failed) [{self.done}/{self.total}]")

    def warn(self, message: str) -> None:
        with self._lock:
            self._print(f"warning: {message}")
            self._draw()

    def finish(self) -> None:
        with self._lock:
            if self._line_open:
                self.stream.write("\n")
                self.stream.flush()
                self._line_open = False

    def _draw(self, last: str = "") -> None:
        if not (self.interactive and self.log and self.total):
            return
        text = f"reading {self.done}/{self.total} account regions" + (f" ({last})" if last else "")
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self._line_open = True

    def _print(self, line: str) -> None:
        if self._line_open:
            self.stream.write("\r\033[K")
            self._line_open = False
        self.stream.write(line + "\n")
        self.stream.flush()
