"""Fixtures: a real trm-server for the session, and a client for it.

The server is the debug binary the Rust build leaves in
target/debug/trm-server (built by `cargo build -p trm-server`; the
TRM_SERVER_BINARY variable names another one). It is started once per test
session on a free loopback port and stopped at the end, with a fresh store:

* TRM_CLIENT_TEST_STORE=sqlite (the default): a new SQLite file in a
  temporary directory;
* TRM_CLIENT_TEST_STORE=neo4j: the Neo4j at TRM_TEST_NEO4J_URI (user
  TRM_TEST_NEO4J_USER, password TRM_TEST_NEO4J_PASSWORD), which other test
  suites may share at the same time. So every test here works in a project of
  its own with a unique title, and asserts only on its own data.

The server's log goes to target/python-client-tests-<store>-server.log; a
panic in it fails the session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import trm_client
from trm_client import Client
from trm_client.api.projects import create_project, delete_project
from trm_client.models import Project, ProjectCreate

ROOT = Path(__file__).resolve().parents[3]
STORE = os.environ.get("TRM_CLIENT_TEST_STORE", "sqlite")


def _server_binary() -> Path:
    named = os.environ.get("TRM_SERVER_BINARY")
    if named:
        return Path(named)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    return target / "debug" / "trm-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pytest_report_header(config: pytest.Config) -> str:
    return f"trm_client from {trm_client.__file__}; store: {STORE}"


def pytest_configure(config: pytest.Config) -> None:
    # The tests are of the client as a user installs it (`pip install
    # ./clients/python`), not of the files next to them.
    source = ROOT / "clients" / "python" / "trm_client"
    if Path(trm_client.__file__).resolve().parent == source.resolve():
        raise pytest.UsageError(
            f"trm_client was imported from the source tree ({source}), not from an installed package: "
            "run the tests with clients/python/test"
        )


def _database_env(tmp: Path) -> dict[str, str]:
    if STORE == "sqlite":
        return {"TRM__DATABASE__URL": f"sqlite://{tmp}/trm.db"}
    if STORE == "neo4j":
        uri = os.environ.get("TRM_TEST_NEO4J_URI")
        if not uri:
            raise pytest.UsageError("TRM_CLIENT_TEST_STORE=neo4j needs TRM_TEST_NEO4J_URI")
        return {
            "TRM__DATABASE__URL": uri,
            "TRM__DATABASE__USER": os.environ.get("TRM_TEST_NEO4J_USER", "neo4j"),
            "TRM__DATABASE__PASSWORD": os.environ.get("TRM_TEST_NEO4J_PASSWORD", "trm-dev-password"),
        }
    raise pytest.UsageError(f"TRM_CLIENT_TEST_STORE must be sqlite or neo4j, not {STORE!r}")


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a trm-server started for this session."""
    binary = _server_binary()
    if not binary.is_file():
        raise pytest.UsageError(f"{binary} does not exist: build it with `cargo build -p trm-server`")
    port = _free_port()
    store = tmp_path_factory.mktemp("store")
    # Only these settings: none inherited (TRM__*, TRM_CONFIG, TRM-OS's
    # NEO4J_*), and no trm.toml (the server starts in the empty store dir).
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRM__", "NEO4J_")) and k != "TRM_CONFIG"
    }
    env = {
        **inherited,
        "TRM__SERVER__HOST": "127.0.0.1",
        "TRM__SERVER__PORT": str(port),
        **_database_env(store),
    }
    log_path = ROOT / "target" / f"python-client-tests-{STORE}-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(binary)], cwd=store, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    pytest.fail(f"trm-server exited with {process.returncode} at start-up; see {log_path}")
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"trm-server was not ready within 60 s; see {log_path}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if "panicked" in log_path.read_text(errors="replace"):
        pytest.fail(f"the server panicked during the tests; see {log_path}")


@pytest.fixture
def client(base_url: str) -> Iterator[Client]:
    """A client that raises on any status the document does not list."""
    with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A prefix no other test, run or suite sharing the store uses."""
    return f"pyclient-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def project_id(client: Client, unique: str) -> Iterator[str]:
    """A fresh project of this test's own; deleted with its tasks afterwards."""
    project = create_project.sync(client=client, body=ProjectCreate(title=f"{unique} project"))
    assert isinstance(project, Project)
    yield str(project.uid)
    delete_project.sync_detailed(project.uid, client=client, cascade=True)
