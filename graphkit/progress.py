"""Progress reporting through a callback, so library code never prints.

A ``Progress`` is called as ``progress(phase, advance, total)``: ``phase`` names the work ("read",
"nodes:Paper", ...), ``advance`` how many units were just done, ``total`` the expected units of that phase
or None when unknown. The CLI turns it into a rich progress bar.
"""

from __future__ import annotations

from typing import Callable, Optional

Progress = Callable[[str, int, Optional[int]], None]


def null_progress(phase: str, advance: int, total: int | None) -> None:  # noqa: ARG001
    """The default: report nothing."""
