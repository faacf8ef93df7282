"""The laporan of a real run in headless Chromium: no network request, the warehouse's numbers, every chart drawn.

Chromium is driven over the DevTools protocol with a small client (``websockets``, already a dependency); the
Debian package ``chromium`` provides the browser (``.ci/run`` installs it). Without it the test skips loudly.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tka.sample import generate_drive

PERIOD = "2025-08"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "about:")
pytestmark = pytest.mark.slow


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        message = (f"\n{'!' * 78}\nCHROMIUM NOT FOUND at {CHROMIUM}: the laporan browser test is SKIPPED.\n"
                   f"Install Debian's package (apt-get install -y chromium) to run it; .ci/run does.\n{'!' * 78}")
        print(message)
        pytest.skip(message)
    return path


class DevTools:
    """A minimal Chrome DevTools protocol client: one page session, commands in order, events kept."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=None, open_timeout=30)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def call(self, method: str, timeout: float = 60, **params: Any) -> dict[str, Any]:
        """Send one command (on the page session once attached) and return its result."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        """Block until an event ``method`` arrives (or has arrived)."""
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def real_run(tmp_path_factory, prefect_harness) -> tuple[Path, str]:
    from flows.monthly_ingest import monthly_ingest

    root = tmp_path_factory.mktemp("laporan-browser")
    generate_drive(PERIOD, "kukar", 7, root / "drive", root / "truth.json")
    url = f"sqlite:///{root / 'warehouse.db'}"
    monthly_ingest(period=PERIOD, drive_url=str(root / "drive"), warehouse_url=url, dry_run_alerts=True)
    return root / "drive" / "_review" / PERIOD / f"laporan_{PERIOD}.html", url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    exe = _chromium()
    profile = tmp_path / "profile"
    proc = subprocess.Popen([exe, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
                             "--window-size=1240,1754", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail(f"chromium did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        client = DevTools(f"ws://127.0.0.1:{port}{path}")
        target = client.call("Target.createTarget", url="about:blank")["targetId"]
        client.session = client.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        yield client
        client.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


PAGE_FACTS = """JSON.stringify({
  keys: Object.fromEntries([...document.querySelectorAll('[data-key]')].map(e => [e.dataset.key, e.textContent])),
  charts: [...document.querySelectorAll('[data-chart]')].map(d => {
    const s = d.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
    return {chart: d.dataset.chart, width: r.width, height: r.height,
            shapes: s ? s.querySelectorAll('path, use, rect').length : 0};
  }),
  title: document.title
})"""


def test_the_laporan_renders_offline_with_the_warehouse_numbers(real_run, browser, tmp_path) -> None:
    from tka.report.laporan import build_report
    from tka.warehouse import make_engine

    html_path, url = real_run
    browser.call("Network.enable")
    browser.call("Page.enable")
    browser.call("Page.navigate", url=html_path.as_uri())
    browser.wait_for("Page.loadEventFired")
    facts = json.loads(browser.call("Runtime.evaluate", expression=PAGE_FACTS, returnByValue=True)["result"]["value"])
    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    (tmp_path / "laporan.png").write_bytes(base64.b64decode(shot["data"]))
    pdf = browser.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)
    (tmp_path / "laporan.pdf").write_bytes(base64.b64decode(pdf["data"]))

    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requests and all(u.startswith(LOCAL_SCHEMES) for u in requests), requests
    assert requests[0] == html_path.as_uri()

    engine = make_engine(url)
    try:
        report = build_report(engine, PERIOD)
    finally:
        engine.dispose()
    page = {k: int(v.replace(".", "")) for k, v in facts["keys"].items()}
    assert {k: page[k] for k in report.headline} == report.headline
    assert page["quarantined"] == int(report.quality["quarantined"].sum())
    assert page["files"] == int(report.quality["files"].sum())
    assert facts["title"] == "Laporan Bulanan TKA Kabupaten Kutai Kartanegara — Agustus 2025"

    assert [c["chart"] for c in facts["charts"]] == ["kecamatan", "nationality", "sector", "company", "position",
                                                     "trend"]
    for chart in facts["charts"]:
        assert chart["width"] > 200 and chart["height"] > 100 and chart["shapes"] > 5, chart
    assert (tmp_path / "laporan.png").stat().st_size > 10_000
    assert (tmp_path / "laporan.pdf").read_bytes().count(b"/Type /Page\n") + \
        (tmp_path / "laporan.pdf").read_bytes().count(b"/Type/Page") >= 2
