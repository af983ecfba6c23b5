"""Headless Chromium for the page tests: the Debian /usr/bin/chromium driven by Playwright (its own driver,
no downloaded browser). Every request, console error, page error and dialog of a page is recorded.

Under CI=true a missing Chromium or Playwright fails the tests; elsewhere they are skipped.
"""

from __future__ import annotations

import atexit
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
READY = "window.graphkit && window.graphkit.ready === true"

# JS: count the painted pixels of vis-network's canvas (its background is transparent).
PAINTED = """() => {
  const c = document.querySelector('#gk-network canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
  return {painted: painted, total: d.length / 4};
}"""


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str | None:
    found = os.environ.get("GRAPHKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


_SHARED: dict[str, Any] = {}


def _shared_browser():
    """One Playwright and one Chromium for the whole test session, closed at exit. (Each test module imports
    the fixture below, which makes one session fixture per module; a second sync Playwright cannot start
    while the first runs, so they all share this one.)"""
    if "browser" in _SHARED:
        return _SHARED["browser"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    exe = chromium_path()
    if exe is None:
        _unavailable("chromium is not installed (scripts/test installs the Debian package)")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=FLAGS)
    except Exception as exc:  # noqa: BLE001
        pw.stop()
        _unavailable(f"chromium at {exe} did not start: {exc}")

    def close() -> None:
        try:
            b.close()
        finally:
            pw.stop()

    atexit.register(close)
    _SHARED["browser"] = b
    return b


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (fresh temporary profile per context, as Playwright makes contexts)."""
    return _shared_browser()


@dataclass
class LoadedPage:
    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Every request other than the page's own file:// load."""
        return [u for u in self.requests if u != self.url]

    def eval(self, js: str, arg: Any = None) -> Any:
        return self.page.evaluate(js, arg)

    def node_dom_point(self, node_id: str) -> tuple[float, float]:
        """Where a node is drawn, in page coordinates."""
        return tuple(self.page.evaluate("""(id) => {
            const r = document.getElementById('gk-network').getBoundingClientRect();
            const p = network.canvasToDOM(network.getPosition(id));
            return [r.left + p.x, r.top + p.y];
        }""", node_id))

    def close(self) -> None:
        self.page.context.close()


def open_page(browser, path: Path, *, init_script: str | None = None, timeout: float = 60_000,
              viewport: dict[str, int] | None = None) -> LoadedPage:
    """Load ``path`` from file:// in a new context (``viewport``, default VIEWPORT) and wait until the map
    is drawn."""
    context = browser.new_context(viewport=viewport or VIEWPORT, service_workers="block")
    page = context.new_page()
    loaded = LoadedPage(page, path.resolve().as_uri())
    context.on("request", lambda r: loaded.requests.append(r.url))
    page.on("console", lambda m: loaded.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.errors.append(f"pageerror: {e}"))

    def on_dialog(dialog) -> None:
        loaded.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    if init_script:
        page.add_init_script(init_script)
    page.goto(loaded.url, wait_until="load")
    page.wait_for_function(READY, timeout=timeout)
    return loaded


def open_map(browser, sel: Any, tmp_path: Path, name: str, **kwargs: Any) -> LoadedPage:
    """Write the selection ``sel`` as graphkit's page ``tmp_path/name.html`` and open it (see open_page)."""
    from graphkit.sinks.html import write_selection

    out = tmp_path / f"{name}.html"
    write_selection(sel, out)
    return open_page(browser, out, **kwargs)
