"""A per-user cache of data that is slow to compute and the same for every run (JSON files).

``$GRAPHKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/graphkit``, else ``~/.cache/graphkit``. Callers name an
entry with a key that changes whenever its inputs do (data, code, library versions), so an entry is
never stale, only unused. The cache is a convenience: an entry that cannot be read is computed again,
one that cannot be written is not kept (logged at debug level), and no run fails because of it.
Entries are JSON (no code runs when one is read), written to a temporary name and renamed.
Entries today: the MeSH concept index's folded tables (``mesh-concepts-*``,
:func:`graphkit.resolve.concepts.mesh_index`) and the rules as DuckDB runs them (``duckdb-sql-*``,
:func:`graphkit.engine.sql.to_duckdb`). Deleting the folder is always safe.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    if os.environ.get("GRAPHKIT_CACHE_DIR"):
        return Path(os.environ["GRAPHKIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graphkit"


def load_json(name: str) -> Any | None:
    """The entry ``name``, or None when it is missing or unreadable."""
    path = cache_dir() / f"{name}.json"
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.debug("cache entry %s unreadable (%s); computing it again", path, exc)
        return None


def save_json(name: str, value: Any) -> None:
    """Keep ``value`` as the entry ``name`` (atomically; failures are only logged)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, folder / f"{name}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.debug("cache entry %s not kept (%s)", name, exc)
