"""Optional compiled copies of graphkit's hottest pure-Python modules (``graphkit compile``).

graphkit is pure Python and stays so: ``pip install graphkit`` needs no compiler. A user who wants the
10-30% that compiling buys on the steps below runs ``graphkit compile`` once (it needs Cython, ``pip
install 'graphkit[fast]'``, and a C compiler). Each module in :data:`MODULES` is compiled with Cython *as
it is* (no type declarations, Python semantics: ``annotation_typing=False``) into the user cache
(:func:`graphkit.user_cache.cache_dir` ``/compiled/<ABI>/``), under a name that carries a hash of the
module's source. At import, :class:`CompiledFinder` (installed by ``graphkit/__init__.py`` when that folder
exists) loads the compiled copy of a listed module **only while its source is the one compiled**: an
edited ``.py`` (an editable install, an upgrade) is imported as source until it is compiled again, so a
stale copy can never shadow the code. ``GRAPHKIT_COMPILED=0`` turns the finder off; ``graphkit compile
--status`` says which modules run compiled, ``--clean`` removes the copies.

Why these modules (docs/scale.md, "Compiled modules"): they are the per-record and per-occurrence Python
loops that stay after the relational work moved to the engine: the RIS and MEDLINE readers and their
text helpers, per-record normalisation and the task that runs it, the term splitter, a keyword's concept
text, the text folding and identifier rules every record goes through, the paper matcher, and the author
resolver's adding and passes.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from graphkit.model import GraphkitError

log = logging.getLogger(__name__)

# the modules compiled (the hot per-record / per-occurrence loops; each compiles as it is)
MODULES: tuple[str, ...] = (
    "graphkit.readers._text",
    "graphkit.readers.ris",
    "graphkit.readers.medline",
    "graphkit.engine.normalise",
    "graphkit.resolve.terms",
    "graphkit.resolve.authors",
    "graphkit.resolve.papers",
    "graphkit.resolve.concepts",
    "graphkit.resolve.text",
    "graphkit.ids",
    "graphkit.engine.ingest",
)
# Cython's directives: Python semantics everywhere (type hints are not C types), functions that behave as
# Python functions (introspection, pickling by name, monkeypatching in tests)
DIRECTIVES = {"language_level": 3, "binding": True, "annotation_typing": False, "embedsignature": False}
# part of every compiled copy's key: a change of how modules are compiled makes every copy stale
BUILD = "1"
ENV_SWITCH = "GRAPHKIT_COMPILED"


def folder() -> Path:
    """Where this interpreter's compiled copies live (one folder per extension ABI)."""
    from graphkit.user_cache import cache_dir

    abi = (sysconfig.get_config_var("EXT_SUFFIX") or ".so").rsplit(".", 1)[0].strip(".") or "abi"
    return cache_dir() / "compiled" / abi


def _key(source: bytes) -> str:
    return hashlib.sha256(BUILD.encode() + b"\0" + source).hexdigest()[:20]


def copy_name(module: str, source: bytes) -> str:
    """The file name of the compiled copy of ``module`` built from ``source``."""
    return f"{module}-{_key(source)}{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"


def _source_path(module: str, path: Sequence[str] | None = None) -> Path | None:
    """The ``.py`` file the module is imported from (``path``: its package's ``__path__``, as an import
    gives it; by default this package's folder)."""
    if path is None:
        parent = module.rpartition(".")[0]
        if parent.split(".")[0] != __name__.split(".")[0]:
            return None
        path = [str(Path(__file__).parent.joinpath(*parent.split(".")[1:]))]
    spec = importlib.machinery.PathFinder.find_spec(module, path)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _current_copy(where: Path, module: str, path: Sequence[str] | None = None
                  ) -> tuple[Path, bytes, Path] | None:
    """The module's ``.py`` file, its source as it is now, and where its compiled copy is (or would be);
    None when the module has no ``.py`` source."""
    source = _source_path(module, path)
    if source is None:
        return None
    data = source.read_bytes()
    return source, data, where / copy_name(module, data)


class CompiledFinder(importlib.abc.MetaPathFinder):
    """Loads the compiled copy of a module in :data:`MODULES` when one was built from the module's
    source as it is now; otherwise it steps aside and the source is imported as usual."""

    def __init__(self, where: Path, modules: Sequence[str] = MODULES) -> None:
        self.where = where
        self.modules = frozenset(modules)

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        try:
            current = _current_copy(self.where, fullname, path)
        except OSError:
            return None
        if current is None:
            return None
        source, _, copy = current
        if not copy.is_file():
            log.debug("%s: no compiled copy of its current source; importing the source", fullname)
            return None
        loader = _CompiledLoader(fullname, str(copy), source)
        return importlib.util.spec_from_file_location(fullname, copy, loader=loader)


class _CompiledLoader(importlib.machinery.ExtensionFileLoader):
    """Loads a compiled copy; one that does not load on this system (built on another one that shares
    the cache, e.g. a home directory on a cluster's file server) runs the source instead, with a
    warning, rather than failing the import."""

    def __init__(self, fullname: str, path: str, source: Path) -> None:
        super().__init__(fullname, path)
        self.source = source
        self.fallback: importlib.machinery.SourceFileLoader | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:  # type: ignore[override]
        try:
            return super().create_module(spec)
        except ImportError as exc:
            log.warning("%s: its compiled copy does not load here (%s); running the source "
                        "(graphkit compile --force builds it again, GRAPHKIT_COMPILED=0 skips the copies)",
                        self.name, " ".join(str(exc).split())[:200])
            self.fallback = importlib.machinery.SourceFileLoader(self.name, str(self.source))
            spec.origin = str(self.source)  # (the module's __file__)
            return None  # a plain module, filled by the source in exec_module

    def exec_module(self, module: ModuleType) -> None:
        if self.fallback is None:
            super().exec_module(module)
        else:
            self.fallback.exec_module(module)


def install() -> CompiledFinder | None:
    """Put the finder first on ``sys.meta_path`` when compiled copies exist (and ``GRAPHKIT_COMPILED`` is
    not ``0``); once per process. Cheap when there are none: one ``isdir``."""
    if not enabled():
        return None
    for finder in sys.meta_path:
        if isinstance(finder, CompiledFinder):
            return finder
    try:
        where = folder()
        if not where.is_dir():
            return None
    except (OSError, RuntimeError):  # (no home directory)
        return None
    finder = CompiledFinder(where)
    sys.meta_path.insert(0, finder)
    return finder


@dataclass
class ModuleStatus:
    module: str
    compiled: bool  # a copy of the module's current source exists
    running: bool  # this process runs the compiled copy
    path: str | None  # the copy's file


def status(modules: Sequence[str] = MODULES) -> list[ModuleStatus]:
    """For each module: whether a compiled copy of its current source exists, and whether this process
    imported it."""
    where = folder()
    out = []
    for module in modules:
        current = _current_copy(where, module)
        copy = current[2] if current else None
        exists = bool(copy and copy.is_file())
        loaded = sys.modules.get(module)
        running = exists and getattr(loaded, "__file__", None) == str(copy)
        out.append(ModuleStatus(module, exists, running, str(copy) if exists else None))
    return out


def enabled() -> bool:
    """Whether compiled copies are used in this environment (``GRAPHKIT_COMPILED`` is not ``0``)."""
    return os.environ.get(ENV_SWITCH, "1") != "0"


class CompileError(GraphkitError):
    """A module failed to compile (no C compiler, a compiler error); the message says which and why."""


def compile_modules(modules: Sequence[str] = MODULES, *, force: bool = False,
                    progress: Callable[[str, int, int | None], None] | None = None) -> list[ModuleStatus]:
    """Compile ``modules`` with Cython into :func:`folder` (those whose current source has a copy are
    skipped unless ``force``); older copies of the same modules are removed. Raises
    :class:`~graphkit.errors.MissingExtraError` without Cython and :class:`CompileError` when a module
    fails to compile (no C compiler, a compiler error)."""
    from graphkit.errors import needs_extras

    with needs_extras():  # (no Cython: the one line that names graphkit[fast])
        import Cython.Build  # noqa: F401

    where = folder()
    where.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[str, bytes, Path]] = []  # (module, its source, where its copy goes)
    for module in modules:
        current = _current_copy(where, module)
        if current is None:
            raise CompileError(f"{module}: no Python source to compile")
        if force or not current[2].is_file():
            todo.append((module, current[1], current[2]))
    if progress:
        progress("compile", 0, len(todo))
    if not todo:
        return status(modules)
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with tempfile.TemporaryDirectory(prefix="graphkit-compile-") as tmp:
        # the modules in parallel, one process each (the resolver alone is ~40 CPU s of C compiling)
        with ProcessPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
            jobs = {pool.submit(_compile_one, module, data, Path(tmp, str(i))): (module, target)
                    for i, (module, data, target) in enumerate(todo)}
            for job in as_completed(jobs):
                module, target = jobs[job]
                built = job.result()  # (a CompileError names its module)
                fd, staged = tempfile.mkstemp(prefix=f".{module}-", suffix=".tmp", dir=where)
                os.close(fd)  # (a name of its own: two compiles at once never write one file)
                try:
                    shutil.copyfile(built, staged)
                    os.replace(staged, target)
                finally:
                    Path(staged).unlink(missing_ok=True)
                for old in where.glob(f"{module}-*"):
                    if old != target:
                        old.unlink(missing_ok=True)
                log.info("compiled %s -> %s", module, target)
                if progress:
                    progress("compile", 1, len(todo))
    return status(modules)


def _compile_one(module: str, data: bytes, tmp: Path) -> Path:
    """Cythonize and build one module's source ``data`` under ``tmp``; the built file's path."""
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    # the source is copied under its package path, so Cython names the module as Python does
    src = Path(tmp, "src")
    copy = src.joinpath(*module.split(".")).with_suffix(".py")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)
    for parent in copy.parents:
        if parent == src:
            break
        (parent / "__init__.py").touch()
    # no debug information (-g0): a third of the build time and most of the file's size
    ext = Extension(module, [str(copy)], extra_compile_args=["-g0"] if os.name == "posix" else [])
    try:
        extensions = cythonize([ext], compiler_directives=DIRECTIVES, quiet=True, build_dir=str(Path(tmp, "c")))
        dist = Distribution({"ext_modules": extensions, "script_name": "graphkit-compile"})
        cmd = dist.get_command_obj("build_ext")
        cmd.build_lib = str(Path(tmp, "out"))  # type: ignore[attr-defined]
        cmd.build_temp = str(Path(tmp, "tmp"))  # type: ignore[attr-defined]
        cmd.ensure_finalized()
        cmd.run()
        outputs = cmd.get_outputs()
    except BaseException as exc:  # noqa: BLE001 (Cython's CompileError, setuptools' SystemExit, the compiler's)
        raise CompileError(f"{module} did not compile: {' '.join(str(exc).split())[:300]}") from None
    if not outputs or not Path(outputs[0]).is_file():
        raise CompileError(f"{module}: the C compiler gave no module")
    return Path(outputs[0])


def clean() -> int:
    """Remove every compiled copy (of every module); returns how many files went."""
    where = folder()
    if not where.is_dir():
        return 0
    n = sum(1 for p in where.iterdir() if p.is_file())
    shutil.rmtree(where, ignore_errors=True)
    return n
