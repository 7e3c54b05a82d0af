"""Debian's Chromium, headless, driven over the DevTools protocol (websockets): open a page, with a cookie if
needed, let its scripts run, and ask the page what it shows. Nothing outside 127.0.0.1 resolves, so a page
that still needed a CDN would show it."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1280,900",
]


def available() -> bool:
    return Path(CHROMIUM).is_file()


class Browser:
    def __init__(self) -> None:
        from websockets.sync.client import connect

        self._profile = tempfile.mkdtemp(prefix="sme-chromium-")
        self._process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        active = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not active.is_file() or len(active.read_text().splitlines()) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = active.read_text().splitlines()[0]
        page = next(t for t in httpx.get(f"http://127.0.0.1:{port}/json/list").json() if t["type"] == "page")
        self._socket = connect(page["webSocketDebuggerUrl"], max_size=None)
        self._ids = itertools.count(1)
        self.call("Page.enable")
        self.call("Network.enable")

    def call(self, method: str, **params) -> dict:
        request_id = next(self._ids)
        self._socket.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=60))
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def open(self, url: str, cookie: tuple[str, str] | None = None, settle: float = 1.5) -> None:
        if cookie:
            self.call("Network.setCookie", name=cookie[0], value=cookie[1], url=url)
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading")
            time.sleep(0.2)
        time.sleep(settle)  # the page's own scripts (tables filled from JavaScript)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_) -> None:
        self.close()


# What a page shows, asked of the page itself
PAGE_FACTS = """(() => {
  const resources = performance.getEntriesByType('resource').map(e => e.name);
  const sheets = Array.from(document.styleSheets)
    .map(s => { try { return s.cssRules.length } catch (e) { return -1 } });
  return {
    title: document.title,
    text: document.body ? document.body.innerText : '',
    remote: resources.filter(u => !u.startsWith(location.origin) && !u.startsWith('data:') && !u.startsWith('file:')),
    css_rules: sheets.reduce((a, b) => a + Math.max(b, 0), 0),
    body_font: getComputedStyle(document.body).fontFamily,
    fonts_loaded: Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family),
  };
})()"""
