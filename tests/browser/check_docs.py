"""Opens the Swagger UI in headless Chromium and checks what it rendered.

    python3 tests/browser/check_docs.py http://127.0.0.1:8000

Chromium loads `/docs/`, runs its scripts (the UI fetches `/openapi.json` and
renders it), and dumps the resulting DOM. The check passes when the page
rendered one operation block for every operation of the document — same
method, same path — and nothing else, and did not report a failure to load
the definition. Every host but the server's is unresolvable for the browser,
so the page can only have worked from assets the binary serves itself.
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Each operation renders as <div class="opblock opblock-get …"> containing
# <span class="opblock-summary-path" data-path="/api/v1/tasks/">.
OPERATION = re.compile(
    r'<div class="opblock opblock-(?P<method>[a-z]+)[^"]*"[^>]*>.*?'
    r'class="opblock-summary-path" data-path="(?P<path>[^"]*)"',
    re.DOTALL,
)


def documented_operations(base_url: str) -> set[tuple[str, str]]:
    with urllib.request.urlopen(f"{base_url}/openapi.json", timeout=10) as response:
        document = json.load(response)
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def rendered_dom(base_url: str, chromium: str) -> str:
    with tempfile.TemporaryDirectory(prefix="trm-docs-check-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            # Only the server resolves: a CDN the page wanted would fail.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            # Virtual time runs the page's scripts (fetching and rendering
            # the document) before the DOM is dumped.
            "--virtual-time-budget=20000",
            "--dump-dom",
            f"{base_url}/docs/",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            sys.exit(f"chromium exited with {result.returncode}:\n{result.stderr[-2000:]}")
        return result.stdout


def main() -> None:
    base_url = sys.argv[1].rstrip("/")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not on PATH (Debian package: chromium)")
    expected = documented_operations(base_url)
    dom = rendered_dom(base_url, chromium)
    problems = []
    if "Failed to load API definition" in dom:
        problems.append("the UI says it failed to load the API definition")
    rendered = [(m["method"], m["path"]) for m in OPERATION.finditer(dom)]
    if len(rendered) != len(set(rendered)):
        problems.append(f"some operations rendered twice: {sorted(rendered)}")
    missing = expected - set(rendered)
    extra = set(rendered) - expected
    if missing:
        problems.append(f"documented but not rendered: {sorted(missing)}")
    if extra:
        problems.append(f"rendered but not documented: {sorted(extra)}")
    if not expected:
        problems.append("the document lists no operations")
    if problems:
        sys.exit("the Swagger UI check failed:\n  " + "\n  ".join(problems))
    print(f"the Swagger UI rendered all {len(expected)} operations of /openapi.json")


if __name__ == "__main__":
    main()
