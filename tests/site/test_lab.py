"""``make lab`` for real: JupyterLab headless on 127.0.0.1, a chapter run in Chromium, one live control moved.

The server is started the way a reader starts it, ``make lab CHAPTER=…``, in the environment that runs
the tests (``VENV`` is its prefix; ``-o`` keeps make from reinstalling it), with the reader's defaults
replaced only where a test needs it: no browser, loopback, a free port, a token, Jupyter's config,
data and runtime folders in a temporary folder (so the kernel is the environment's own ``python3``),
nothing fetched from the network (no news, no update check, no extension manager), no autosave (the
committed chapter is never written), every cell kept in the page (no windowing), and the application
object exposed to the page so that the test can run the notebook's own commands. The chapter is
``book/part2/01_hidden_games.ipynb``, the quickest one with a live control (about 20 s of execution).
The server is shut down at the end whatever happens, its kernels with it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

REPOSITORY = Path(__file__).resolve().parents[2]
CHAPTER = "book/part2/01_hidden_games.ipynb"
START_TIMEOUT_S = 90
RUN_TIMEOUT_S = 300         # run all cells: ~20 s alone, several times that on a busy 2-core machine
REDRAW_TIMEOUT_S = 120      # a new λ recompiles the chapter's GDA run
LAB_SETTINGS = {  # JupyterLab user settings (folder under lab/user-settings -> file stem -> values)
    "@jupyterlab/docmanager-extension": {"plugin": {"autosave": False}},
    "@jupyterlab/notebook-extension": {"tracker": {"windowingMode": "none"}},
    "@jupyterlab/apputils-extension": {"notification": {"fetchNews": "false", "checkForUpdates": False}},
}

# The notebook panel of the chapter, once its kernel is connected (null before).
PANEL = """(() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel && kernel.connectionStatus === 'connected' ? panel : null;
})()"""
# Where the notebook stands: the kernel's status, the code cells not run yet, the error outputs.
NOTEBOOK_STATE = f"""(() => {{
  const panel = {PANEL};
  if (!panel) return null;
  const cells = panel.content.widgets.map(cell => cell.model).filter(model => model.type === 'code');
  const errors = cells.flatMap(model => model.outputs.toJSON()).filter(output => output.output_type === 'error')
                      .map(output => output.ename + ': ' + output.evalue);
  return {{status: panel.sessionContext.session.kernel.status,
           unexecuted: cells.filter(model => !model.executionCount).length, errors: errors}};
}})()"""
# The live control (the chapter's ipywidgets slider) and the figure it draws, in the rendered page.
# booktools.figures.live_figures: a VBox of the controls (an HBox) and the Image widget they redraw.
SLIDER = "document.querySelector('.jp-Notebook .widget-vbox .widget-slider')"
READOUT = "document.querySelector('.jp-Notebook .widget-vbox .widget-slider .widget-readout')"
FIGURE = "document.querySelector('.jp-Notebook .widget-vbox img.widget-image')"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _isolated_environment(folder: Path) -> dict[str, str]:
    """The test's environment with Jupyter's and IPython's folders under ``folder`` and the user settings."""
    # MPLBACKEND (Agg on CI) would keep the kernel from drawing inline; MAKEFLAGS would pass the variables
    # of an enclosing `make test` on to `make lab`.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("JUPYTER")
                   and name not in ("MPLBACKEND", "IPYTHONDIR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        environment[name] = str(folder / name.lower())
    environment["MINIMAX_CLAIMS_DIR"] = str(folder / "claims")
    environment["JUPYTER_PLATFORM_DIRS"] = "0"
    for extension, plugins in LAB_SETTINGS.items():
        settings = folder / "jupyter_config_dir" / "lab" / "user-settings" / extension
        settings.mkdir(parents=True)
        for plugin, values in plugins.items():
            (settings / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))
    return environment


def _api(base: str, token: str, path: str, method: str = "GET") -> dict:
    request = urllib.request.Request(f"{base}/api/{path}", method=method, headers={"Authorization": f"token {token}"},
                                     data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else {}


def _stop(process: subprocess.Popen, base: str, token: str) -> None:
    """Shut the server down through its API (which stops its kernels); failing that, end it and its children."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    try:
        _api(base, token, "shutdown", method="POST")
        process.wait(timeout=30)
    except Exception:  # noqa: BLE001 - whatever went wrong, the processes below must end
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # make, jupyter-lab: the session started for them
    for child in children:  # kernels run in sessions of their own
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    for child in psutil.wait_procs(children, timeout=10)[1]:
        child.kill()
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``make lab CHAPTER=…`` running: yields (base address, token); stopped at the end whatever happens."""
    folder = tmp_path_factory.mktemp("jupyterlab")
    environment = _isolated_environment(folder)
    port, token = _free_port(), secrets.token_hex(24)
    lab_args = " ".join([
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True",
        # Checkpoints go to the test's folder: none may land in the repository (book/**/.ipynb_checkpoints).
        f"--FileCheckpoints.checkpoint_dir={folder / 'checkpoints'}",
        *(["--allow-root"] if os.geteuid() == 0 else [])])  # CI's containers run as root
    venv = Path(sys.prefix)
    log = folder / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", f"{venv}/.installed", "lab", f"VENV={venv}", f"CHAPTER={CHAPTER}",
             f"LAB_ARGS={lab_args}"],
            cwd=REPOSITORY, env=environment, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"make lab exited ({process.returncode}):\n{log.read_text()[-4000:]}"
            try:
                _api(base, token, "status")
                break
            except OSError:
                assert time.monotonic() < deadline, f"no server after {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}"
                time.sleep(0.5)
        yield base, token, log
    finally:
        _stop(process, base, token)


def test_make_lab_runs_a_chapter_whose_live_control_redraws_its_figure(lab, browser, page_tools):
    from selenium.webdriver.common.keys import Keys

    base, token, log = lab
    wait_for = page_tools.wait_for
    committed = (REPOSITORY / CHAPTER).read_bytes()
    browser.get(f"{base}/lab/tree/{CHAPTER}?token={token}")
    try:
        wait_for(browser, f"!!{PANEL}", timeout=START_TIMEOUT_S, what="the chapter open with its kernel connected")
        # The kernel is the environment's own Python (the one running make lab, and these tests).
        prefix = browser.execute_async_script(
            f"const done = arguments[arguments.length - 1]; {PANEL}.sessionContext.session.kernel"
            ".requestExecute({code: '', store_history: false,"
            " user_expressions: {prefix: \"__import__('sys').prefix\"}}).done"
            ".then(reply => done(reply.content.user_expressions.prefix.data['text/plain']));")
        assert prefix == repr(sys.prefix)
        # Outputs (and widgets) saved in the notebook go first: every figure below is drawn by this kernel.
        cleared = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "jupyterapp.commands.execute('notebook:clear-all-cell-outputs')"
            f".then(() => {{ done({NOTEBOOK_STATE}); jupyterapp.commands.execute('notebook:run-all-cells'); }});")
        assert cleared["unexecuted"] > 10 and not cleared["errors"], cleared
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:
            state = browser.execute_script(f"return {NOTEBOOK_STATE};")
            assert not state["errors"], f"the chapter raised: {state['errors']}"
            if state["unexecuted"] == 0 and state["status"] == "idle":
                break
            assert time.monotonic() < deadline, f"the chapter did not finish in {RUN_TIMEOUT_S} s: {state}"
            time.sleep(0.5)

        # ipywidgets 8 shows an Image widget's PNG through a blob: URL, a new one at every redraw.
        wait_for(browser, f"{FIGURE} && {FIGURE}.src && {FIGURE}.complete && {FIGURE}.naturalWidth > 0", timeout=30,
                 what="the live control's figure")
        before = browser.execute_script(f"return [{READOUT}.textContent, {FIGURE}.src];")
        handle = browser.execute_script(f"const handle = {SLIDER}.querySelector('.noUi-handle');"
                                        "handle.scrollIntoView({block: 'center'}); return handle;")
        handle.send_keys(Keys.ARROW_RIGHT)  # one step, as a reader's arrow key: λ 0.50 -> 0.75
        after = wait_for(browser, f"{READOUT}.textContent !== {json.dumps(before[0])} && {FIGURE} && "
                         f"{FIGURE}.src && {FIGURE}.src !== {json.dumps(before[1])} && "
                         f"[{READOUT}.textContent, {FIGURE}.src]", timeout=REDRAW_TIMEOUT_S,
                         what="the figure redrawn for the new λ")
        page_tools.save_screenshot(browser, "lab")
        assert (before[0], after[0]) == ("0.50", "0.75")
        assert (log.parent / "claims" / "01_hidden_games.json").is_file()  # the kernel ran the chapter's last cell
        assert (REPOSITORY / CHAPTER).read_bytes() == committed  # JupyterLab did not save over the chapter
        assert not (REPOSITORY / CHAPTER).with_name(".ipynb_checkpoints").exists(), "a checkpoint in the repository"
    except BaseException:
        page_tools.save_screenshot(browser, "lab-failure")
        print(f"JupyterLab's log, {log}:\n{log.read_text()[-6000:]}")
        raise
    finally:  # leave the page without its "unsaved changes" prompt, which would block the next test's page
        browser.execute_script("const panel = window.jupyterapp && jupyterapp.shell.currentWidget;"
                               "if (panel && panel.context) panel.context.model.dirty = false;")
        browser.get("about:blank")
