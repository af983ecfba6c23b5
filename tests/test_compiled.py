"""graphkit compile: compiled copies of the hot modules are loaded only while the module's source is the
one compiled, run the readers to the same records as the source, and can be turned off and removed.

Three modules are compiled for real (the RIS and MEDLINE readers and their text helpers, ~35 s on two
cores): the resolver and the normaliser compile the same way (``graphkit compile`` builds them all) and
are measured in docs/scale.md. Under CI=true a missing Cython or C compiler fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest
from click.testing import CliRunner

from conftest import CORPUS, FIXTURES, ROOT
from graphkit import compiled
from graphkit.cli import main

SMALL = ("graphkit.readers._text", "graphkit.readers.ris", "graphkit.readers.medline", "graphkit.resolve.papers")
SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


def _can_compile() -> str | None:
    try:
        import Cython  # noqa: F401
    except ImportError:
        return "Cython is not installed (pip install 'graphkit[fast]')"
    if not (shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc")):
        return "no C compiler"
    return None


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A user cache with compiled copies of SMALL (built once for the module)."""
    why = _can_compile()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    root = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRAPHKIT_CACHE_DIR", str(root))
    try:
        states = compiled.compile_modules(SMALL)
    finally:
        mp.undo()
    assert [s.compiled for s in states] == [True] * len(SMALL)
    return root


def _run(code: str, cache, **env: str) -> str:
    """``code`` in a fresh interpreter whose user cache is ``cache``; its stdout."""
    # (the switch that turns the copies off is the tests' to set, not the caller's shell's)
    full = {**{k: v for k, v in os.environ.items() if k != "GRAPHKIT_COMPILED"}, "GRAPHKIT_CACHE_DIR": str(cache), **env}
    return subprocess.run([sys.executable, "-c", code], env=full, check=True, capture_output=True,
                          text=True).stdout


READ = """
import json, sys, graphkit.readers.ris as ris
records = []
for path in sys.argv[1:]:
    records += [r.to_dict() if hasattr(r, "to_dict") else repr(r) for r in ris.read_ris(path)]
from graphkit import compiled
print(ris.__file__, [s.running for s in compiled.status(("graphkit.readers.ris", "graphkit.resolve.authors"))])
print(json.dumps(records, sort_keys=True, default=str))
"""


def _ris_files() -> list[str]:
    files = sorted(str(p) for p in FIXTURES.rglob("*.ris"))
    if (CORPUS / "ris").is_dir():
        files += sorted(str(p) for p in (CORPUS / "ris").iterdir() if p.is_file())
    return files


def test_the_compiled_ris_reader_runs_and_reads_what_the_source_reads(cache):
    files = _ris_files()
    code = READ.replace("sys.argv[1:]", repr(files))
    fast = _run(code, cache).split("\n", 1)
    slow = _run(code, cache, GRAPHKIT_COMPILED="0").split("\n", 1)
    assert fast[0].split()[0].endswith(SUFFIX) and str(cache) in fast[0]  # the compiled copy ran
    assert fast[0].endswith("[True, False]")  # status: the reader runs compiled, the resolver has no copy
    assert slow[0].split()[0].endswith("ris.py") and slow[0].endswith("[False, False]")  # GRAPHKIT_COMPILED=0
    assert len(json.loads(fast[1])) > 50
    assert fast[1] == slow[1]


MATCH = """
import json, sys
import graphkit.resolve.papers as papers
from graphkit.readers import read_files
from graphkit.model import Record
resolver = papers.PaperResolver()
for item in read_files(sys.argv[1:]):
    if isinstance(item, Record):
        resolver.add(item)
print(papers.__file__, len(resolver.duplicates))
print(json.dumps([resolver.roots(), [str(d) for d in resolver.duplicates], [w.key for w in resolver.works()]]))
"""


def test_the_compiled_paper_matcher_merges_what_the_source_merges(cache, tmp_path):
    """Generated records with known duplicates (DOI, PMID, exact and fuzzy titles) and the RIS files:
    the compiled matcher gives the same works and duplicate pairs as the source."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    m = generate(1500, tmp_path, seed=5, dup_rate=0.2, broken_rate=0.0, shards=1)
    files = [str(info.path) for info in m.files] + _ris_files()[:20]
    code = MATCH.replace("sys.argv[1:]", repr(files))
    fast = _run(code, cache).split("\n", 1)
    slow = _run(code, cache, GRAPHKIT_COMPILED="0").split("\n", 1)
    assert fast[0].split()[0].endswith(SUFFIX) and slow[0].split()[0].endswith("papers.py")
    assert int(fast[0].split()[1]) > 100  # (duplicates found)
    assert fast[1] == slow[1]


CYCLES = """
import gc, sys
gc.disable()  # (as a build reads: graphkit.build.no_cyclic_gc, inherited by the read workers)
import graphkit.readers.medline as medline, graphkit.readers.ris as ris
gc.collect()
n = 0
for path in sys.argv[1:]:
    read = medline.read_medline if path.endswith(".nbib") else ris.read_ris
    n += sum(1 for item in read(path) if hasattr(item, "authors"))
gc.set_debug(gc.DEBUG_SAVEALL)
gc.collect()
left = sorted({f"{type(o).__module__}.{type(o).__name__}" for o in gc.garbage
               if "pyx_scope" in type(o).__name__ or type(o).__module__.startswith("graphkit")})
print(medline.__file__, n, left)
"""


def test_the_compiled_readers_leave_no_cycle_per_record(cache):
    """A build reads with the cyclic collector paused. A compiled generator that keeps a nested function
    (its closure refers to the generator's scope, which holds it) made one cycle per record: at 1M
    records each MEDLINE read worker grew by ~2.5 GB. Read with the collector paused, nothing of
    graphkit's is left for it."""
    files = sorted(str(p) for p in FIXTURES.rglob("*.nbib")) + _ris_files()[:20]
    out = _run(CYCLES.replace("sys.argv[1:]", repr(files)), cache).split()
    assert out[0].endswith(SUFFIX)  # (the compiled MEDLINE reader ran)
    assert int(out[1]) > 50
    assert " ".join(out[2:]) == "[]"


def test_compiled_modules_keep_no_closure_in_a_generator() -> None:
    """The rule behind the test above, for every module ``graphkit compile`` builds (no compiler needed):
    a generator function defines no nested function and keeps no lambda or generator expression in a
    variable (compiled, each is a reference cycle per call). A lambda passed on at once is fine."""
    import ast
    import importlib.util

    kept = []
    for module in compiled.MODULES:
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin
        tree = ast.parse(open(spec.origin, encoding="utf-8").read())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            inner, generator = [], False
            stack = list(ast.iter_child_nodes(fn))
            while stack:
                node = stack.pop()
                if isinstance(node, (ast.Yield, ast.YieldFrom)):
                    generator = True
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    inner.append(node.lineno)
                    continue
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Lambda, ast.GeneratorExp)):
                    inner.append(node.lineno)
                if isinstance(node, (ast.Lambda, ast.ClassDef)):
                    continue
                stack.extend(ast.iter_child_nodes(node))
            if generator and inner:
                kept.append(f"{module}.{fn.name} (lines {inner})")
    assert kept == []


def test_a_copy_is_loaded_only_for_the_source_it_was_built_from(cache, tmp_path, monkeypatch):
    """An edited module (an editable install, an upgrade) imports as source, never as a stale copy."""
    import graphkit.readers

    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(cache))
    finder = compiled.CompiledFinder(compiled.folder(), (*SMALL, "graphkit.engine.normalise"))
    spec = finder.find_spec("graphkit.readers._text", graphkit.readers.__path__)
    assert spec is not None and spec.origin.endswith(SUFFIX)
    same, edited = tmp_path / "same", tmp_path / "edited"
    source = os.path.join(graphkit.readers.__path__[0], "_text.py")
    for folder in (same, edited):
        folder.mkdir()
        shutil.copy(source, folder / "_text.py")
    with open(edited / "_text.py", "a", encoding="utf-8") as fh:
        fh.write("\n# an edit\n")
    assert finder.find_spec("graphkit.readers._text", [str(same)]).origin.endswith(SUFFIX)
    assert finder.find_spec("graphkit.readers._text", [str(edited)]) is None
    import graphkit.engine

    assert finder.find_spec("graphkit.engine.normalise", graphkit.engine.__path__) is None  # not compiled
    assert finder.find_spec("graphkit.model", None) is None  # not a listed module


def test_compile_status_and_clean(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(cache))
    result = CliRunner().invoke(main, ["compile", "--status"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines() if line.startswith("graphkit."))
    assert lines["graphkit.readers.ris"] == "compiled"
    assert lines["graphkit.resolve.authors"].startswith("source")
    assert f"{len(SMALL)} of {len(compiled.MODULES)} modules compiled" in result.output
    # a copy of the cache, cleaned: the copies go, the source runs
    other = tmp_path / "other"
    shutil.copytree(cache, other)
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(other))
    result = CliRunner().invoke(main, ["compile", "--clean"])
    assert result.exit_code == 0 and f"removed {len(SMALL)} compiled modules" in result.output
    assert not compiled.folder().exists()
    assert _run("import graphkit.readers.ris as r; print(r.__file__)", other).strip().endswith("ris.py")


def test_no_compiled_folder_installs_no_finder(tmp_path):
    out = _run("import sys, graphkit; from graphkit.compiled import CompiledFinder; "
               "print(any(isinstance(f, CompiledFinder) for f in sys.meta_path))", tmp_path / "empty")
    assert out.strip() == "False"


def test_a_module_without_source_is_a_compile_error(tmp_path, monkeypatch):
    pytest.importorskip("Cython")
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(tmp_path))
    with pytest.raises(compiled.CompileError, match="graphkit.no_such_module"):
        compiled.compile_modules(["graphkit.no_such_module"])


def test_a_copy_that_does_not_load_here_runs_the_source_with_a_warning(tmp_path):
    """A copy built on another system (a cache shared over a file server) or damaged: the import still
    works, on the source, and says why once. Needs no compiler: the 'copy' is not a shared library."""
    import graphkit.readers

    env = {**{k: v for k, v in os.environ.items() if k != "GRAPHKIT_COMPILED"}, "GRAPHKIT_CACHE_DIR": str(tmp_path)}
    source = os.path.join(graphkit.readers.__path__[0], "_text.py")
    where = subprocess.run([sys.executable, "-c", "from graphkit import compiled; print(compiled.folder())"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    os.makedirs(where)
    with open(source, "rb") as fh:
        name = compiled.copy_name("graphkit.readers._text", fh.read())
    with open(os.path.join(where, name), "wb") as fh:
        fh.write(b"not a shared library")
    out = subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig(); "
                          "import graphkit.readers._text as t; print(t.__file__); "
                          "import graphkit.readers.ris as r; print(len(list(r.read_ris(%r))))"
                          % str(FIXTURES / "api" / "networks.ris")],
                         env=env, check=True, capture_output=True, text=True)
    lines = out.stdout.split()
    assert lines[0].endswith("_text.py") and int(lines[1]) > 0
    assert out.stderr.count("its compiled copy does not load here") == 1, out.stderr
    assert "Traceback" not in out.stderr
