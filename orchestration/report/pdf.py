"""Print the report's HTML page to PDF with headless Chromium (the Debian package `chromium`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from orchestration.errors import UsageError

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_SECONDS = 120


def find_chromium() -> str | None:
    return next((path for path in map(shutil.which, CHROMIUM_CANDIDATES) if path), None)


def print_to_pdf(page: Path, out: Path) -> Path:
    """Write `out` from the HTML file `page`. The browser runs with a throw-away profile and no network
    (the page needs none; a request would fail instead of waiting)."""
    chromium = find_chromium()
    if chromium is None:
        raise UsageError("--pdf needs Chromium, and none was found (looked for "
                         + ", ".join(CHROMIUM_CANDIDATES) + "); install it (Debian: `apt-get install chromium`) "
                         "or drop --pdf and print the HTML page from a browser")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="modqa-chromium-") as profile:
        command = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                   "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                   f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={partial}",
                   page.resolve().as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise UsageError(f"Chromium did not print {page} within {PRINT_TIMEOUT_SECONDS} s") from None
    if result.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"Chromium ({chromium}) could not print {page} to PDF: {detail}")
    partial.replace(out)
    return out
