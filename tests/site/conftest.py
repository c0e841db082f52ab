"""Headless Chromium against pages served on 127.0.0.1, offline (tests marked ``site``).

Why Selenium and not Playwright: Playwright for Python drives its own browser build, which cannot be
downloaded here; Selenium drives Debian's ``chromium`` through Debian's ``chromium-driver``, which is
built from the same source as the browser, so the two always match (``.ci/run`` installs both).

The pages load their math and widget scripts from CDNs. For the test, the server serves those from
npm packages fetched once with ``npm pack`` into ``_build/vendor/`` (pinned versions, see
``CDN_ASSETS``), and rewrites the CDN addresses in the HTML it serves; the built site itself keeps its
CDN links for the deployed book. A page that loads any other external script or stylesheet fails the
test: add the asset to ``CDN_ASSETS`` rather than let the test reach the network.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import re
import shutil
import subprocess
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
VENDOR_DIR = REPOSITORY / "_build" / "vendor"
SCREENSHOT_DIR = REPOSITORY / "_build" / "screenshots"



def _first_program(environment_variable: str, candidates: list[str]) -> str:
    """``$environment_variable`` if set, else the first candidate that exists (path or on PATH)."""
    if os.environ.get(environment_variable):
        return os.environ[environment_variable]
    for candidate in candidates:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return candidates[0]


# Debian's packages (what .ci/run installs); elsewhere (e.g. GitHub's Ubuntu runners) Chrome and the
# chromedriver the runner image provides.
CHROMIUM = _first_program("CHROMIUM", ["/usr/bin/chromium", "chromium", "google-chrome", "chromium-browser"])
CHROMEDRIVER = _first_program("CHROMEDRIVER", [
    "/usr/bin/chromedriver", str(Path(os.environ.get("CHROMEWEBDRIVER", "/nonexistent")) / "chromedriver"),
    "chromedriver"])
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1000")
# CDN address prefix -> (npm package spec, path inside the package). The page's address after the
# prefix is appended to the path inside the package when the path ends with "/".
CDN_ASSETS = {
    "https://cdn.jsdelivr.net/npm/mathjax@3/": ("mathjax@3.2.2", ""),
    "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js": ("requirejs@2.3.4", "require.js"),
    "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.6/": ("@jupyter-widgets/html-manager@1.0.6", ""),
}
LOCAL_CDN_PREFIX = "/_cdn"
LOCAL_TAG = re.compile(r'<(?:script|link)\b[^>]*"/_cdn/[^>]*>')
SRI_ATTRIBUTE = re.compile(r'\s(?:integrity|crossorigin)="[^"]*"')
EXTERNAL_ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref|img[^>]*\bsrc)="(https?://[^"]+)"')
STYLESHEET_OR_SCRIPT = re.compile(r'<script[^>]*\bsrc="(https?://[^"]+)"|<link[^>]*rel="stylesheet"[^>]*href="(https?://[^"]+)"')


def _required(what: str, reason: str):
    """Fail on CI (where ``.ci/run`` installs everything), skip elsewhere, with the reason."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: {reason}")
    pytest.skip(f"{what}: {reason}")


# --- vendored CDN assets -------------------------------------------------------------------------

def _package_dir(spec: str) -> Path:
    return VENDOR_DIR / spec.replace("/", "__")


def vendor_package(spec: str) -> Path:
    """Unpack the npm package ``spec`` (``name@version``) under ``_build/vendor``, once; return its folder.

    The test workers of ``make test`` (pytest-xdist) may ask at the same time: one unpacks, the others wait.
    """
    target = _package_dir(spec)
    if (target / "package.json").is_file():
        return target
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VENDOR_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "package.json").is_file():
            _unpack_package(spec, target)
    return target


def _unpack_package(spec: str, target: Path) -> None:
    if shutil.which("npm") is None:
        _required("npm", "needed once to fetch the MathJax and widget scripts the pages use (apt-get install npm)")
    download = VENDOR_DIR / "_downloads"
    download.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(["npm", "pack", spec, "--pack-destination", str(download), "--silent"],
                            capture_output=True, text=True, timeout=300)
    if packed.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed:\n{packed.stderr[-2000:]}")
    archive = download / packed.stdout.strip().splitlines()[-1]
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    (partial / "package").rename(target)
    shutil.rmtree(partial)


@pytest.fixture(scope="session")
def cdn_files() -> dict[str, Path]:
    """Local path (under ``/_cdn/``) -> file or folder serving each CDN asset."""
    return {f"{LOCAL_CDN_PREFIX}/{index}/": vendor_package(spec) / inner
            for index, (spec, inner) in enumerate(CDN_ASSETS.values())}


def rewrite_cdn_addresses(html: str) -> str:
    """Point the page's CDN addresses at the local server (same order as ``cdn_files``).

    A rewritten tag loses its ``integrity`` (subresource-integrity hash) and ``crossorigin``
    attributes: the vendored file is the same release from npm, not always the same bytes as the
    CDN's build (cdnjs minifies require.js itself). The deployed pages keep both.
    """
    for index, prefix in enumerate(CDN_ASSETS):
        html = html.replace(prefix, f"{LOCAL_CDN_PREFIX}/{index}/")
    return LOCAL_TAG.sub(lambda tag: SRI_ATTRIBUTE.sub("", tag.group(0)), html)


def unvendored_assets(html: str) -> list[str]:
    """External scripts and stylesheets left in a page after :func:`rewrite_cdn_addresses`."""
    return [a or b for a, b in STYLESHEET_OR_SCRIPT.findall(html)]


# --- a local static server -----------------------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``root``; ``/_cdn/<n>/...`` from the vendored packages; HTML with CDN addresses rewritten."""

    cdn: dict[str, Path] = {}

    def log_message(self, *args):  # quiet
        pass

    def _local_file(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        for prefix, target in self.cdn.items():
            if path.startswith(prefix):
                rest = path[len(prefix):]
                return target if target.is_file() else target / rest
            if path == prefix.rstrip("/") and target.is_file():
                return target
        return None

    def do_GET(self):
        local = self._local_file()
        if local is not None:
            return self._send(local)
        path = Path(self.translate_path(self.path))
        if self.path == "/favicon.ico" and not path.is_file():
            return self._send_bytes(b"", "image/x-icon")  # asked for by the browser itself, not by a page
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = rewrite_cdn_addresses(path.read_text(encoding="utf-8")).encode()
            return self._send_bytes(body, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, path: Path):
        if not path.is_file():
            return self.send_error(404, f"not vendored: {path}")
        return self._send_bytes(path.read_bytes(), self.guess_type(str(path)))

    def _send_bytes(self, body: bytes, content_type: str):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Server:
    """A running local server; ``url(path)`` is the address of a page under its root."""

    base: str
    httpd: http.server.ThreadingHTTPServer

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path.lstrip('/')}"


@pytest.fixture(scope="session")
def serve(cdn_files):
    """``serve(folder)`` starts a server of ``folder`` on 127.0.0.1 (a free port); all stop at the end."""
    servers: list[Server] = []

    def start(root: Path) -> Server:
        handler = type("Handler", (_Handler,), {"cdn": cdn_files})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        server = Server(f"http://127.0.0.1:{httpd.server_address[1]}", httpd)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.httpd.shutdown()
        server.httpd.server_close()


# --- the browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for the session (Selenium + Debian's chromedriver), console logs captured."""
    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).is_file():
            _required(program, "not installed (apt-get install chromium chromium-driver; .ci/run does it)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _required("selenium", "not installed (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not try to download anything
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def console_errors(driver) -> list[str]:
    """The console errors (and failed loads) since the last call; reading the log empties it."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(driver, script: str, timeout: float = 30.0, what: str = "condition"):
    """Poll a JavaScript expression until it is truthy; return its value or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}: {script}")


def save_screenshot(driver, name: str) -> Path:
    """Save the whole page (as tall as its content, up to 6000 px) to ``_build/screenshots/<name>.png``."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 6000);")
    driver.set_window_size(1280, max(800, height))
    path = SCREENSHOT_DIR / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    return path


@pytest.fixture(scope="session")
def page_tools():
    """The helpers above, for test modules (``page_tools.console_errors(driver)`` ...)."""
    return type("PageTools", (), {"console_errors": staticmethod(console_errors), "wait_for": staticmethod(wait_for),
                                  "save_screenshot": staticmethod(save_screenshot),
                                  "unvendored_assets": staticmethod(unvendored_assets),
                                  "CDN_ASSETS": CDN_ASSETS, "SCREENSHOT_DIR": SCREENSHOT_DIR})


# --- the book, built from the repository ---------------------------------------------------------

BUILD_TIMEOUT_S = 1200


@pytest.fixture(scope="session")
def book_html(tmp_path_factory) -> Path:
    """The HTML of the book as committed (``jupyter-book build``, warnings allowed: the build test
    checks those), or the folder ``$SITE_HTML`` names (e.g. ``_build/html`` after ``make book``)."""
    if os.environ.get("SITE_HTML"):
        html = Path(os.environ["SITE_HTML"]).resolve()
        assert (html / "index.html").is_file(), f"SITE_HTML={html} holds no index.html"
        return html
    from booktools.pipeline.stage import jupyter_book_command

    output = tmp_path_factory.mktemp("book")
    command = [part for part in jupyter_book_command(REPOSITORY, output) if part not in ("-W",)]
    build = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    html = output / "_build" / "html"
    assert (html / "index.html").is_file(), f"the book did not build:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    return html


@pytest.fixture(scope="session")
def book_site(book_html, serve) -> Server:
    """The built book served on 127.0.0.1, CDN assets from the vendored copies."""
    return serve(book_html)
