"""Writing output files safely: temporary file + rename, no symlink followed, no stranger's file clobbered.

Every export goes through :func:`atomic_open` (a file handle), :func:`atomic_target` (a file name, for a
writer such as DuckDB) or :func:`check_targets` (the pre-flight of a multi-file export such as
``neo4j-admin``):

* the data is written to a temporary file in the target's directory and renamed over the target only
  when complete, so a crash or a full disk never leaves a half-written export behind, and a reader of the
  old file never sees a mixture;
* the rename replaces a directory entry: a symbolic link at the target is replaced, never written
  through (``adm/import.sh -> /home/me/.bashrc`` cannot touch ``.bashrc``), and a link is only replaced
  with ``force``;
* an existing file is only overwritten when graphkit wrote it (and nobody changed it since) or with
  ``force``. What graphkit wrote is remembered in a small ledger, ``.graphkit-outputs.json``, in the
  directory of the output (file name -> size and modification time of what was written).

Text outputs are opened with the ``graphkit-replace`` encoding error handler: a lone surrogate (which
UTF-8 cannot encode) becomes U+FFFD instead of aborting the export half-way.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from graphkit.model import GraphkitError

log = logging.getLogger(__name__)

LEDGER = ".graphkit-outputs.json"
REPLACE_ERRORS = "graphkit-replace"


def _replace_unencodable(exc: UnicodeError) -> tuple[bytes, int]:
    # bytes, not str: CPython's UTF-8 encoder takes only ASCII text back from an error handler
    if isinstance(exc, UnicodeEncodeError) and exc.encoding.replace("-", "").lower() == "utf8":
        return "\ufffd".encode("utf-8") * (exc.end - exc.start), exc.end
    raise exc


codecs.register_error(REPLACE_ERRORS, _replace_unencodable)


class OutputError(GraphkitError):
    """An output file that graphkit will not (or cannot) write."""


def _ledger_path(directory: Path) -> Path:
    return directory / LEDGER


def _load_ledger(directory: Path) -> dict[str, Any]:
    path = _ledger_path(directory)
    try:
        if path.is_symlink():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _fingerprint(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns]


def written_by_graphkit(path: Path) -> bool:
    """True when ``path`` is a regular file that graphkit wrote and that is unchanged since."""
    path = Path(path)
    try:
        st = path.lstat()
    except OSError:
        return False
    import stat

    if not stat.S_ISREG(st.st_mode):
        return False
    entry = _load_ledger(path.parent).get(path.name)
    return entry == _fingerprint(st)


def _remember(paths: Iterable[Path]) -> None:
    by_dir: dict[Path, list[Path]] = {}
    for p in paths:
        by_dir.setdefault(p.parent, []).append(p)
    for directory, files in by_dir.items():
        ledger = _load_ledger(directory)
        for p in files:
            try:
                ledger[p.name] = _fingerprint(p.lstat())
            except OSError:
                ledger.pop(p.name, None)
        ledger = {name: fp for name, fp in ledger.items() if (directory / name).exists()}
        target = _ledger_path(directory)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".graphkit-ledger-", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(ledger, fh, indent=0, sort_keys=True)
            os.replace(tmp, target)
        except OSError as exc:  # the export itself succeeded; only the overwrite permission is lost
            log.warning("cannot record the outputs in %s: %s", target, exc)


def check_target(path: str | Path, *, force: bool = False) -> Path:
    """The output path, after refusing what must not be overwritten (see the module docstring)."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise OutputError(f"{path}: give a file name for the output")
    if path.is_symlink():
        if not force:
            raise OutputError(f"{path} is a symbolic link; graphkit does not write through links "
                              "(remove it, or use --force to replace the link itself)")
        return path
    if path.is_dir():
        raise OutputError(f"{path} is a directory; give a file name for the output")
    if path.exists() and not force and not written_by_graphkit(path):
        raise OutputError(f"{path} exists and was not written by graphkit (or was changed since); "
                          "use --force to overwrite it")
    return path


def check_targets(paths: Iterable[str | Path], *, force: bool = False) -> list[Path]:
    """:func:`check_target` for every path, before anything is written."""
    return [check_target(p, force=force) for p in paths]


def ensure_directory(path: str | Path) -> Path:
    """Create ``path`` (and parents) as a directory; a clear error when that is impossible."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the directory {path}: {exc.strerror or exc}") from None
    return path


@contextmanager
def atomic_target(path: str | Path, *, force: bool = False, executable: bool = False,
                  create_parent: bool = True) -> Iterator[Path]:
    """A temporary file beside ``path`` for a writer that takes a file name (DuckDB's ``COPY ... TO``):
    on success it is renamed to ``path`` (and remembered as written by graphkit), on any error it is
    removed and ``path`` is left as it was. ``executable`` sets mode 0755 on the temporary file before the
    rename (never on whatever ``path`` points to)."""
    path = check_target(path, force=force)
    directory = path.parent
    if create_parent:
        ensure_directory(directory)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o755 if executable else 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _remember([path])


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, force: bool = False, encoding: str = "utf-8",
                newline: str | None = None, executable: bool = False, create_parent: bool = True) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing (:func:`atomic_target`): on success it is
    renamed to ``path``, on any error it is removed and ``path`` is left as it was.

    ``mode`` is "w" (text, UTF-8, lone surrogates written as U+FFFD) or "wb". ``executable`` sets mode 0755
    on the temporary file before the rename (never on whatever ``path`` points to).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode {mode!r} is not 'w' or 'wb'")
    with atomic_target(path, force=force, executable=executable, create_parent=create_parent) as tmp:
        fh: IO
        if mode == "wb":
            fh = open(tmp, "wb")
        else:
            fh = open(tmp, "w", encoding=encoding, errors=REPLACE_ERRORS, newline=newline)
        with fh:
            yield fh


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str, *, force: bool = False, executable: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path, force=force, executable=executable) as fh:
        fh.write(text)
    return Path(path)
