"""Headless Chromium for tests, driven over the DevTools protocol: open a local page, record every
console error, uncaught exception and network request, and read the rendered page.

Chromium comes from the system (Debian package `chromium`; .ci/run installs it). Without it the
browser tests skip and say how to get it.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.sync.client import connect as websocket_connect

from orchestration.report.pdf import CHROMIUM_CANDIDATES as CANDIDATES
from orchestration.report.pdf import find_chromium

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def require_chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium found (looked for " + ", ".join(CANDIDATES) + "); install it with "
                    "`apt-get install -y chromium` to run the browser tests (.ci/run does)")
    return path


@dataclass
class PageSession:
    """One page's DevTools connection and what it has seen so far."""

    socket: object
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    _next_id: int = 0

    def call(self, method: str, timeout: float = 30.0, **params) -> dict:
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def _record(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.console_errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.console_errors.append(f"{params['entry']['text']} ({params['entry'].get('url', '')})")
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])

    def drain(self, seconds: float) -> None:
        """Keep recording events for a while (late requests, errors after load)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._record(json.loads(self.socket.recv(timeout=left)))
            except TimeoutError:
                return

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30.0):
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.drain(0.25)
        raise AssertionError(f"timed out after {timeout} s waiting for: {expression}")

    @property
    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


@contextmanager
def open_page(url: str, profile_dir: Path) -> Iterator[PageSession]:
    """Start headless Chromium with networking disabled, open `url`, yield the page's session."""
    chromium = require_chromium()
    command = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-default-apps",
               # Anything that tries the network fails fast; the test still sees the attempt.
               "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
               "--remote-debugging-port=0", f"--user-data-dir={profile_dir}", "about:blank"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"Chromium did not start ({chromium})")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with no_proxy.open(f"http://127.0.0.1:{port}/json/list") as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        with websocket_connect(pages[0]["webSocketDebuggerUrl"], max_size=None, proxy=None) as socket:
            session = PageSession(socket)
            for domain in ("Runtime", "Log", "Network", "Page"):
                session.call(f"{domain}.enable")
            session.call("Page.navigate", url=url)
            yield session
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
