"""Exports to a URL (``s3://bucket/dir``, ``gs://...``, ``hdfs://namenode:8020/dir``, ``file:///dir``)
through pyarrow's file systems.

An export to a URL is written by its usual exporter into a local scratch directory first (the system's
temp dir, or ``--work-dir``), then each finished file is uploaded. Every export format works that way,
and the files are byte for byte those of a local export. This holds for both engines: the graph ends up
in the driver as Arrow tables either way (the author keys are computed in Python), so writing the files
through Spark's executors would be a round trip, not a shortcut.

Output safety, as far as a remote store allows: all targets are checked before the first upload, and an
existing object or file is only replaced with ``force`` (there is no ledger of what graphkit wrote on a
remote store). On a local or HDFS target each file is written to a temporary name and renamed; an object
store (S3, GCS) makes an upload visible only when it is complete.

Credentials and endpoints come from the usual places (pyarrow reads ``AWS_*`` variables and profiles for
S3, ``GOOGLE_APPLICATION_CREDENTIALS`` for GCS); HDFS needs Hadoop's ``libhdfs`` and ``CLASSPATH``
(``ARROW_LIBHDFS_DIR``), as for any pyarrow HDFS client.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from graphkit.atomic import LEDGER, OutputError

log = logging.getLogger(__name__)

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
_RENAMES = {"local", "hdfs"}  # file systems where a rename is atomic: write a temporary name, then move


def is_url(out: str | Path) -> bool:
    """True for ``scheme://...`` (a Windows drive letter such as ``C:\\`` is a path, not a URL)."""
    return isinstance(out, str) and bool(_URL.match(out))


def filesystem(url: str) -> tuple[Any, str]:
    """(pyarrow file system, path inside it) of ``url``; a clear error for a scheme pyarrow cannot open."""
    import pyarrow as pa
    from pyarrow import fs

    try:
        return fs.FileSystem.from_uri(url)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise OutputError(f"cannot open {url}: {' '.join(str(exc).split())[:300]}") from None


def check_url(url: str, *, force: bool = False, names: list[str] | None = None) -> None:
    """Refuse before a long build: ``url`` itself (a file export) or ``names`` inside it (a directory
    export) exists and ``force`` is not given."""
    from pyarrow import fs

    filesystem_, path = filesystem(url)
    targets = [path] if names is None else [f"{path.rstrip('/')}/{n}" for n in names]
    try:
        infos = filesystem_.get_file_info(targets)
    except OSError as exc:
        raise OutputError(f"cannot reach {url}: {' '.join(str(exc).split())[:300]}") from None
    for info in infos:
        if info.type == fs.FileType.Directory and names is None:
            raise OutputError(f"{url} is a directory; give a file name")
        if info.type != fs.FileType.NotFound and not force:
            shown = url if names is None else f"{url.rstrip('/')}/{PurePosixPath(info.path).name}"
            raise OutputError(f"{shown} exists; graphkit replaces remote files only with --force")


def export_to_url(writer: Callable[..., dict[str, Any]], graph: Any, url: str, *, scratch: str | None = None,
                  **options: Any) -> dict[str, Any]:
    """Run ``writer(graph, local_path, **options)`` into a scratch directory and upload what it wrote
    to ``url`` (a file, or a directory for the multi-file exports); the summary's ``path`` is ``url``."""
    filesystem_, base = filesystem(url)
    name = PurePosixPath(base).name or "export"
    with tempfile.TemporaryDirectory(prefix="graphkit-upload-", dir=scratch) as tmp:
        local = Path(tmp) / name
        summary = writer(graph, local, **options)
        if local.is_dir():
            files = sorted(p.relative_to(local).as_posix() for p in local.rglob("*")
                           if p.is_file() and p.name != LEDGER)
            check_url(url, force=bool(options.get("force")), names=files)
            for rel in files:
                _upload(local / rel, filesystem_, f"{base.rstrip('/')}/{rel}")
            summary["files"] = len(files)
        else:
            check_url(url, force=bool(options.get("force")))
            _upload(local, filesystem_, base)
    summary["path"] = url
    log.info("uploaded the export to %s", url)
    return summary


def _upload(src: Path, filesystem_: Any, dest: str) -> None:
    parent = str(PurePosixPath(dest).parent)
    target = dest
    if filesystem_.type_name in _RENAMES:
        target = f"{parent}/.{PurePosixPath(dest).name}.graphkit-upload"
    try:
        if parent not in ("", "."):
            filesystem_.create_dir(parent, recursive=True)
        with open(src, "rb") as fh, filesystem_.open_output_stream(target, compression=None) as out:
            shutil.copyfileobj(fh, out, 1 << 22)
        if target != dest:
            filesystem_.move(target, dest)
        if filesystem_.type_name == "local":  # keep import.sh executable (object stores have no modes)
            os.chmod(dest, src.stat().st_mode & 0o777)
    except OSError as exc:
        if target != dest:
            try:
                filesystem_.delete_file(target)
            except OSError:
                pass
        raise OutputError(f"cannot write {dest}: {' '.join(str(exc).split())[:300]}") from None
