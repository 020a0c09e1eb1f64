"""The benchmark harness: seeds, starts every contender, measures them in
alternation, and writes the figures, the ratios and the plot.

Run through `bench/run` (which builds in release mode, installs wrk and this
venv first); see docs/benchmarks.md. Environment:

  BENCH_QUICK=1          short cells, one repeat, 10,000 tasks only
  BENCH_DURATION=S       seconds per cell            (5; quick 2)
  BENCH_WARMUP=S         at most this long after each Neo4j start, the driver
                         sends gets until its throughput settles (300; quick 30);
                         and at most this long each writing contender's creates
  BENCH_REPEAT=N         rounds over every cell      (2; quick 1)
  BENCH_SCALES=a,b       task counts                 (10000,1000000; quick 10000)
  BENCH_CONNECTIONS=...  connection counts           (1,16,64,256; not bulk's)
  BENCH_BULK_CONNECTIONS=...  connection counts of the bulk workload (1,4,16:
                         a request carries 1,000 tasks, so 64+ connections
                         only queue)
  BENCH_WORKLOADS=a,b    only these workloads (get, list, post, mix, bulk; the
                         task graph's: page, search, sorted, blocked,
                         blockers-chain, blockers-tree, relink)
  BENCH_ONLY=a,b         only these contenders (server-sqlite, server-neo4j,
                         ceiling, driver, python-1w, python-2w)
  BENCH_SKIP=callgrind,criterion   skip the deterministic figures
  BENCH_PUBLISH=1        also write docs/benchmarks/{results.md,throughput.png,results.json}
  BENCH_REPORT_FROM=F    only rebuild the report and plot from an earlier results.json
  NEO4J_PORT, NEO4J_PASSWORD       the local Neo4j (scripts/neo4j)

Alternation: a *cell* is (scale, workload, connections). Within a cell every
contender is measured back to back, in an order rotated each round, so the
noise of this shared machine (other builds, other benchmarks) hits every
contender alike and the ratios between contenders hold even where the
absolute figures drift. Each round visits every cell once.
"""

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
BENCH = TARGET / "bench"
RELEASE = TARGET / "release"
VENV_PY = BENCH / "venv" / "bin" / "python"

QUICK = os.environ.get("BENCH_QUICK") == "1"
DURATION = float(os.environ.get("BENCH_DURATION", "2" if QUICK else "5"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "30" if QUICK else "300"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "1" if QUICK else "2"))
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "10000" if QUICK else "10000,1000000").split(",")]
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,16,64,256").split(",")]
BULK_CONNECTIONS = [int(c) for c in os.environ.get("BENCH_BULK_CONNECTIONS", "1,4,16").split(",")]
# Tasks per bulk request: the route's maximum.
BULK_SIZE = 1000
# A bulk request takes seconds under load (16 of them queue behind each
# other): its cells last at least this long, or a short cell completes none.
BULK_MIN_SECONDS = 10.0
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
ONLY_WORKLOADS = set(filter(None, os.environ.get("BENCH_WORKLOADS", "").split(",")))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
PUBLISH = os.environ.get("BENCH_PUBLISH") == "1"
NEO4J_PORT = os.environ.get("NEO4J_PORT", "7687")
NEO4J_PASSWORD = os.environ.get("NEO4J_PASSWORD", "trm-dev-password")
NEO4J_URI = f"bolt://127.0.0.1:{NEO4J_PORT}"
# Neo4j needs more than the test defaults to hold a million tasks.
NEO4J_ENV = {"NEO4J_HEAP": os.environ.get("NEO4J_HEAP", "2g"),
             "NEO4J_PAGECACHE": os.environ.get("NEO4J_PAGECACHE", "1g")}



def free_port():
    """A port nobody listens on now (others benchmark on this machine too)."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORTS = {name: free_port() for name in ("server-sqlite", "ceiling", "server-neo4j", "python-1w", "python-2w",
                                        "server-sqlite-nolog", "server-neo4j-nolog")}
# The same build with the event log off (`events.enabled = false`): what the
# outbox costs a write is read off against these (issue 16).
WITHOUT_EVENT_LOG = {"server-sqlite-nolog": "server-sqlite", "server-neo4j-nolog": "server-neo4j"}

# Which contenders run which workload, at which scales. The Python peer
# returns every match of a list (the document's design), 20,000 tasks a
# request at a million, so its list runs at 10,000 tasks only; the framework
# ceiling has no data, so it runs once; the driver ceiling measures reads
# and, on `post`, creates the way the adapter batches them (group commit);
# `bulk` is the servers' own route (the seed has none).
WORKLOADS = {
    "get": ["server-sqlite", "server-neo4j", "ceiling", "driver", "python-1w", "python-2w", "server-sqlite-nolog",
            "server-neo4j-nolog"],
    "list": ["server-sqlite", "server-neo4j", "driver", "python-1w", "python-2w"],
    "post": ["server-sqlite", "server-neo4j", "driver", "python-1w", "python-2w", "server-sqlite-nolog",
             "server-neo4j-nolog"],
    "mix": ["server-sqlite", "server-neo4j", "python-1w", "python-2w"],
    "bulk": ["server-sqlite", "server-neo4j"],
}
# The task graph's (issue 18), on the servers at every scale: a plain page
# of the task list and the same page searched (`q`, 1% of the tasks), sorted
# by due date and filtered on `blocked`; the transitive blockers of the
# dependency chain's last task and of the tree's root (`depth=10`); and an
# edge added (cycle check included) and removed. Read off the ratios to the
# plain page and each figure's cost at the large scale over the small one.
GRAPH_WORKLOADS = {w: ["server-sqlite", "server-neo4j"]
                   for w in ("page", "search", "sorted", "blocked", "blockers-chain", "blockers-tree", "relink")}
# Pages are compared under load and alone; the graph walks and the edge are
# latency targets at one connection.
GRAPH_CONNECTIONS = {"page": [1, 16], "search": [1, 16], "sorted": [1, 16], "blocked": [1, 16]}
WORKLOADS.update(GRAPH_WORKLOADS)
# At a million tasks: the reads, then the writes of issue 15's targets
# (creates against the Python design, bulk creates), last so that every read
# and graph cell measures the store as seeded. The Python peer creates and
# gets at any scale; only its unbounded list is left out.
LARGE_SCALE_WORKLOADS = {"get": ["server-sqlite", "server-neo4j", "driver"],
                         "list": ["server-sqlite", "server-neo4j", "driver"], **GRAPH_WORKLOADS,
                         "post": ["server-sqlite", "server-neo4j", "driver", "python-2w", "server-sqlite-nolog",
                                  "server-neo4j-nolog"],
                         "mix": ["server-sqlite", "server-neo4j", "python-2w"],
                         "bulk": ["server-sqlite", "server-neo4j"]}
# The contenders that answer HTTP from Neo4j: each warms its own queries up.
NEO4J_HTTP_CONTENDERS = ("server-neo4j", "python-1w", "python-2w", "server-neo4j-nolog")


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd, env=None, check=True, capture=False, timeout=None):
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(cmd, cwd=ROOT, env=full_env, check=False, timeout=timeout,
                            stdout=subprocess.PIPE if capture else None, stderr=None, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed with {result.returncode}")
    return result


def wanted(contender):
    return not ONLY or contender in ONLY


def wanted_workload(workload):
    return not ONLY_WORKLOADS or workload in ONLY_WORKLOADS


def connections_of(workload):
    if workload in GRAPH_WORKLOADS:
        return GRAPH_CONNECTIONS.get(workload, [1])
    return BULK_CONNECTIONS if workload == "bulk" else CONNECTIONS


def selected(workloads):
    """The workloads of a stage that BENCH_WORKLOADS and BENCH_ONLY leave."""
    return {w: [c for c in cs if wanted(c)] for w, cs in workloads.items()
            if wanted_workload(w) and any(wanted(c) for c in cs)}


# --------------------------------------------------------------- processes

def descendants(pid):
    """pid and every process below it (uvicorn's workers)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def peak_rss_kib(pid):
    """VmHWM (peak resident set) summed over the process tree, in KiB."""
    total = 0
    for member in descendants(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def cpu_seconds(pids):
    """User + system CPU time consumed so far by the process trees."""
    ticks = 0
    for root in pids:
        for member in descendants(root):
            try:
                fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                continue
    return ticks / os.sysconf("SC_CLK_TCK")


def quiesce(pids, limit=90.0):
    """Waits until the processes (a contender, Neo4j) are idle again.

    wrk stops at the end of a cell, but a contender that fell behind is
    still working through the requests it accepted — and Neo4j through their
    queries — which would steal the next contender's CPU. Returns the time
    waited, which the report keeps."""
    started = time.time()
    while time.time() - started < limit:
        before = cpu_seconds(pids)
        time.sleep(0.5)
        if cpu_seconds(pids) - before < 0.1:
            break
    return time.time() - started


class Service:
    """A contender serving HTTP, started in its own process group."""

    def __init__(self, name, cmd, env, ready_path, logdir):
        self.name, self.port = name, PORTS[name]
        self.log = open(logdir / f"{name}.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(ready_path)

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, path, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} was not ready within {timeout} s; see {self.log.name}")

    def peak_rss_kib(self):
        return peak_rss_kib(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def server(name, database_url, manifest, logdir):
    env = {"TRM__SERVER__PORT": str(PORTS[name]), "TRM__DATABASE__URL": database_url,
           "TRM__DATABASE__PASSWORD": NEO4J_PASSWORD, "TRM__LOG__LEVEL": "warn", "RUST_LOG": "warn"}
    if name in WITHOUT_EVENT_LOG:
        env["TRM__EVENTS__ENABLED"] = "false"
    return Service(name, [str(BIN / "trm-server")], env, f"/api/v1/tasks/{manifest['sample_uids'][0]}", logdir)


def python_peer(name, workers, manifest, logdir):
    """The seed's design under uvicorn, set up as its users would run it at
    its fastest: uvloop and httptools named explicitly (uvicorn's `auto`
    silently falls back to asyncio and h11 when they are missing), no
    access log. Each worker is then checked to have both loaded."""
    env = {"NEO4J_URI": NEO4J_URI, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": NEO4J_PASSWORD}
    cmd = [str(VENV_PY), "-m", "uvicorn", "app:app", "--app-dir", "bench/peers/fastapi-seed", "--host",
           "127.0.0.1", "--port", str(PORTS[name]), "--workers", str(workers), "--loop", "uvloop", "--http",
           "httptools", "--log-level", "warning", "--no-access-log"]
    service = Service(name, cmd, env, f"/api/v1/tasks/{manifest['sample_uids'][0]}", logdir)
    # With one worker uvicorn serves from its own process; with more, from
    # spawned children.
    loaded = []
    for pid in descendants(service.proc.pid):
        try:
            maps = Path(f"/proc/{pid}/maps").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline or (workers == 1 and pid == service.proc.pid):
            loaded.append("uvloop" in maps and "httptools" in maps)
    if len(loaded) != workers or not all(loaded):
        service.stop()
        raise RuntimeError(f"{name}: expected {workers} uvicorn workers with uvloop and httptools loaded, "
                           f"found {loaded}")
    log(f"{name}: {workers} uvicorn worker(s), uvloop and httptools loaded in each")
    return service


# ------------------------------------------------------------------- neo4j

def neo4j(action, data_dir):
    env = {"NEO4J_PORT": NEO4J_PORT, "NEO4J_PASSWORD": NEO4J_PASSWORD, "NEO4J_DATA": str(data_dir), **NEO4J_ENV}
    return run(["scripts/neo4j", action], env=env, check=(action != "status"), capture=True)


def label(scale):
    """10k, 1m: short names for per-scale files."""
    return f"{scale // 1_000_000}m" if scale % 1_000_000 == 0 else f"{scale // 1000}k"


def neo4j_for(scale):
    """One Neo4j home per scale, so a re-run reuses each seeded store."""
    return BENCH / f"neo4j-{label(scale)}"


# ---------------------------------------------------------------- measuring

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    def duration(value):
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * UNITS[unit]

    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
              "requests": int(re.search(r"(\d+) requests in", text).group(1))}
    for label, key in (("50%", "p50_ms"), ("99%", "p99_ms")):
        found = re.search(rf"^\s+{label}\s+(\S+)", text, re.M)
        result[key] = duration(found.group(1)) if found else None
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    result["errors"] = errors
    if result["requests"] == 0:
        # Nothing completed within the cell: no latency to report (wrk
        # prints zeros); the ratios treat it as slower than anything.
        result["p50_ms"] = result["p99_ms"] = None
    return result


def graph_paths(manifest):
    """The request path of each read workload of the task graph."""
    query = urllib.parse.quote(manifest["search_query"])
    return {"page": "/api/v1/tasks/?limit=100",
            "search": f"/api/v1/tasks/?q={query}&limit=100",
            "sorted": "/api/v1/tasks/?sort=-due_date&limit=100",
            "blocked": "/api/v1/tasks/?blocked=true&limit=100",
            "blockers-chain": f"/api/v1/tasks/{manifest['chain_uids'][-1]}/blockers?depth=10",
            "blockers-tree": f"/api/v1/tasks/{manifest['tree_uids'][0]}/blockers?depth=10"}


def wrk(service, workload, connections, manifest, uid_file, seconds=None):
    threads = max(1, min(2, connections))
    paths = graph_paths(manifest)
    list_path = paths.get(workload, f"/api/v1/tasks/?project_id={manifest['list_project']}"
                                    f"&status={manifest['list_status']}&limit=100")
    env = {"BENCH_WORKLOAD": "list" if workload in paths else workload, "BENCH_UIDS": str(uid_file),
           "BENCH_LIST_PATH": list_path, "BENCH_RELINK_TASK": manifest["relinked_uid"],
           "BENCH_RELINK_BLOCKER": manifest["tree_uids"][0],
           "BENCH_PROJECT": manifest["list_project"], "BENCH_BULK_SIZE": str(BULK_SIZE)}
    if seconds is None:
        seconds = max(DURATION, BULK_MIN_SECONDS) if workload == "bulk" else DURATION
    # A bulk request carries 1,000 tasks: seconds each under load, not a
    # timeout.
    timeout = "30s" if workload == "bulk" else "5s"
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", timeout,
           "--latency", "-s", "bench/lua/workload.lua", service.url()]
    out = run(cmd, env=env, capture=True, timeout=seconds + 60).stdout
    result = parse_wrk(out)
    result["peak_rss_kib"] = service.peak_rss_kib()
    return result


def driver(workload, connections, manifest_path):
    cmd = [str(BIN / "trm-bench-driver"), "--uri", NEO4J_URI, "--password", NEO4J_PASSWORD, "--manifest",
           str(manifest_path), "--workload", workload, "--connections", str(connections), "--seconds",
           str(DURATION), "--pool", "16"]
    result = json.loads(run(cmd, capture=True, timeout=DURATION + 120).stdout.strip().splitlines()[-1])
    result["peak_rss_kib"] = None
    return result


# ------------------------------------------------------------------- stages

def warm_up(manifest_path, services, manifest, uid_file, workloads):
    """A freshly started Neo4j answers a lookup at ~2.4 ms of CPU while its
    JIT compiles, ~0.6 ms once warm, and it takes minutes of load to get
    there: without a warm-up every contender's throughput climbs round by
    round, and whoever runs later in a round looks better (spreads of 100%+
    in the 1M cells of earlier runs). So the raw driver sends gets in
    slices until throughput stops climbing — two slices in a row within 2%
    of the best so far, after at least three minutes, at most WARMUP
    seconds — then one slice of lists; its figures are only logged. The
    climb has plateaus: from a cold start at a million tasks it read 750,
    780, 1,300, 1,580, 1,480 gets/s over 2½ minutes and then reached
    2,400–3,300 in the cells that followed."""
    if WARMUP <= 0:
        return
    started, best, flat = time.time(), 0.0, 0
    slice_s, min_s = (3, 0) if QUICK else (10, 180)

    def driver_slice(workload, connections=16):
        cmd = [str(BIN / "trm-bench-driver"), "--uri", NEO4J_URI, "--password", NEO4J_PASSWORD, "--manifest",
               str(manifest_path), "--workload", workload, "--connections", str(connections), "--seconds",
               str(slice_s), "--pool", "16"]
        return json.loads(run(cmd, capture=True, timeout=slice_s + 120).stdout.strip().splitlines()[-1])["rps"]

    while time.time() - started < WARMUP:
        rps = driver_slice("get")
        log(f"warming Neo4j up: driver get {rps:.0f} req/s")
        flat = flat + 1 if rps <= 1.02 * best else 0
        best = max(best, rps)
        if flat >= 2 and time.time() - started >= min_s:
            break
    log(f"warming Neo4j up: driver list {driver_slice('list'):.0f} req/s; "
        f"warm after {time.time() - started:.0f} s")
    # The driver's queries are not every contender's: the server coalesces
    # concurrent lookups into `UNWIND` queries, the Python seed sends its
    # own Cypher, and a query shape Neo4j has not yet run under load is
    # slow at first (the server's first get cells after a start showed p99s
    # of 190-480 ms, at one connection too). So each HTTP contender on
    # Neo4j sends its own gets at every connection count, and lists, for a
    # slice each (one connection for lists: the seed's is unbounded); only
    # logged.
    #
    # Writes too: the first creates after a start wait for Neo4j to plan the
    # write statements and run on a cold JIT (the post cells of the run on
    # 91b187f spread up to 98%). So each contender that writes in this run
    # sends its own creates at every connection count of the write
    # workloads, for a slice each, the driver included — and at the most
    # connections first until its rate stops climbing, as the driver's gets
    # do above: the gets do not compile Neo4j's write paths, and the
    # server's creates kept Neo4j's JIT compiler busy for two to three
    # minutes, their rate climbing from ~700 to ~1,900/s at 16 connections
    # meanwhile (`docs/benchmarks.md`, "Peak memory under 64 MiB again").
    for name, service in services.items():
        if name not in NEO4J_HTTP_CONTENDERS:
            continue
        slices = []
        if any(name in workloads.get(w, ()) for w in ("get", "mix")):
            slices += [("get", c) for c in CONNECTIONS]
        if name in workloads.get("list", ()):
            slices += [("list", 1)]
        if any(name in workloads.get(w, ()) for w in ("post", "mix")):
            steady = wrk_until_steady(service, "post", max(CONNECTIONS), manifest, uid_file, slice_s,
                                      min(min_s, 120))
            log(f"warming Neo4j up: {name} post c={max(CONNECTIONS)} {steady:.0f} req/s, no longer climbing")
            slices += [("post", c) for c in CONNECTIONS]
        if name in workloads.get("bulk", ()):
            slices += [("bulk", min(BULK_CONNECTIONS))]
        slices += [(w, 1) for w in GRAPH_WORKLOADS if name in workloads.get(w, ())]
        for workload, connections in slices:
            seconds = max(slice_s, BULK_MIN_SECONDS) if workload == "bulk" else slice_s
            figures = wrk(service, workload, connections, manifest, uid_file, seconds=seconds)
            quiesce([service.proc.pid])
            log(f"warming Neo4j up: {name} {workload} c={connections} {figures['rps']:.0f} req/s "
                f"p99 {fmt(figures['p99_ms'])} ms errors {figures['errors']}")
    if "driver" in workloads.get("post", ()):
        for connections in CONNECTIONS:
            log(f"warming Neo4j up: driver post c={connections} {driver_slice('post', connections):.0f} creates/s")


def wrk_until_steady(service, workload, connections, manifest, uid_file, slice_s, min_s):
    """Runs `workload` in slices until its rate stops climbing — two slices
    in a row within 2% of the best so far, after at least `min_s` seconds,
    at most WARMUP — and returns the best rate; only logged."""
    started, best, flat = time.time(), 0.0, 0
    while time.time() - started < WARMUP:
        figures = wrk(service, workload, connections, manifest, uid_file, seconds=slice_s)
        quiesce([service.proc.pid])
        flat = flat + 1 if figures["rps"] <= 1.02 * best else 0
        best = max(best, figures["rps"])
        if flat >= 2 and time.time() - started >= min_s:
            break
    return best


def seed(url, scale, manifest_path, extra=()):
    cmd = [str(BIN / "trm-bench-seed"), "--url", url, "--tasks", str(scale), "--manifest",
           str(manifest_path), *extra]
    started = time.time()
    run(cmd)
    return time.time() - started


def check_seeded_task(service, manifest):
    """The proof that the bulk seeder wrote what the adapter writes: the
    real server answers one seeded task exactly as generated."""
    uid = manifest["sample_uids"][0]
    with urllib.request.urlopen(service.url(f"/api/v1/tasks/{uid}"), timeout=10) as response:
        body = json.loads(response.read())
    if body != manifest["expected_task"]:
        raise RuntimeError(f"{service.name} answers {body} for seeded task {uid}, "
                           f"expected {manifest['expected_task']}")
    log(f"{service.name}: seeded task {uid} reads back exactly as generated")


def patch_blockers(service, uid, blockers):
    request = urllib.request.Request(service.url(f"/api/v1/tasks/{uid}"), method="PATCH",
                                     data=json.dumps({"blocked_by": blockers}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def lay_graph(service, manifest):
    """Lays the dependency chain and tree through the server's own API, so
    they are stored exactly as the adapter stores blockers; a reused store
    already holds them and the PATCHes change nothing. Then checks that the
    walks find every task."""
    chain, tree = manifest["chain_uids"], manifest["tree_uids"]
    started = time.time()
    for before, uid in zip(chain, chain[1:]):
        patch_blockers(service, uid, [before])
    for k, uid in enumerate(tree):
        children = [tree[c] for c in (2 * k + 1, 2 * k + 2) if c < len(tree)]
        if children:
            patch_blockers(service, uid, children)
    patch_blockers(service, manifest["relinked_uid"], [])
    paths = graph_paths(manifest)
    for workload, expected in (("blockers-chain", len(chain) - 1), ("blockers-tree", len(tree) - 1)):
        with urllib.request.urlopen(service.url(paths[workload]), timeout=30) as response:
            found = len(json.loads(response.read()))
        if found != expected:
            raise RuntimeError(f"{service.name}: {paths[workload]} found {found} blockers, expected {expected}")
    log(f"{service.name}: dependency chain ({len(chain)}) and tree ({len(tree)}) laid and walked "
        f"in {time.time() - started:.1f} s")


def stage(scale, logdir, results, meta):
    log(f"=== {scale} tasks")
    large = scale > 10_000
    workloads = selected(LARGE_SCALE_WORKLOADS if large else WORKLOADS)
    if not workloads:
        log(f"nothing selected at {scale} tasks (BENCH_WORKLOADS, BENCH_ONLY)")
        return None
    needed = {c for cs in workloads.values() for c in cs}
    needs_neo4j = bool(needed & {"server-neo4j", "driver", "python-1w", "python-2w", "server-neo4j-nolog"})
    manifest_path = BENCH / f"manifest-{scale}.json"
    services = {}
    try:
        if needs_neo4j:
            log(f"starting Neo4j ({neo4j_for(scale)})")
            neo4j("start", neo4j_for(scale))
            meta[f"seed_neo4j_{scale}_s"] = seed(NEO4J_URI, scale, manifest_path, ["--password", NEO4J_PASSWORD])
        sqlite_url = f"sqlite://{BENCH / f'sqlite-{label(scale)}.db'}"
        if needed & {"server-sqlite", "server-sqlite-nolog"}:
            meta[f"seed_sqlite_{scale}_s"] = seed(sqlite_url, scale, manifest_path)
        manifest = json.loads(manifest_path.read_text())
        uid_file = BENCH / f"uids-{scale}.txt"
        uid_file.write_text("\n".join(manifest["sample_uids"]) + "\n")
        if "server-sqlite" in needed:
            services["server-sqlite"] = server("server-sqlite", sqlite_url, manifest, logdir)
            check_seeded_task(services["server-sqlite"], manifest)
        if "server-neo4j" in needed:
            services["server-neo4j"] = server("server-neo4j", NEO4J_URI, manifest, logdir)
            check_seeded_task(services["server-neo4j"], manifest)
        for name, store in WITHOUT_EVENT_LOG.items():
            if name in needed:
                services[name] = server(name, sqlite_url if store == "server-sqlite" else NEO4J_URI, manifest,
                                        logdir)
                check_seeded_task(services[name], manifest)
        if "ceiling" in needed:
            services["ceiling"] = Service("ceiling", [str(BIN / "trm-bench-ceiling"), "--port",
                                                     str(PORTS["ceiling"])], {}, "/", logdir)
        for name, workers in (("python-1w", 1), ("python-2w", 2)):
            if name in needed:
                services[name] = python_peer(name, workers, manifest, logdir)
        if any(w in GRAPH_WORKLOADS for w in workloads):
            for name in ("server-sqlite", "server-neo4j"):
                if name in services:
                    lay_graph(services[name], manifest)
        neo4j_pids = []
        if needs_neo4j:
            pidfile = Path(f"{neo4j_for(scale)}.pid")
            neo4j_pids = [int(pidfile.read_text().split()[0])] if pidfile.exists() else []
            warm_up(manifest_path, services, manifest, uid_file, workloads)
        for rnd in range(REPEAT):
            for workload, contenders in workloads.items():
                for connections in connections_of(workload):
                    order = list(contenders)
                    shift = rnd % len(order) if order else 0
                    for contender in order[shift:] + order[:shift]:
                        if contender == "driver":
                            figures = driver(workload, connections, manifest_path)
                        else:
                            figures = wrk(services[contender], workload, connections, manifest, uid_file)
                        busy = [services[contender].proc.pid] if contender in services else []
                        figures["drain_s"] = quiesce(busy + neo4j_pids)
                        figures.update(scale=scale, workload=workload, connections=connections,
                                       contender=contender, round=rnd)
                        results.append(figures)
                        log(f"{scale} {workload:4} c={connections:<3} {contender:13} "
                            f"{figures['rps']:9.0f} req/s  p50 {fmt(figures['p50_ms'])} ms  "
                            f"p99 {fmt(figures['p99_ms'])} ms  errors {figures['errors']}")
                    save(results, meta)
    finally:
        for service in services.values():
            service.stop()
        if needs_neo4j:
            neo4j("stop", neo4j_for(scale))
    return manifest_path


def callgrind(manifest_path, scale):
    """Instructions per in-process request: the difference between a long
    and a short run, so start-up and warm-up cancel out."""
    figures = {}
    db = f"sqlite://{BENCH / f'sqlite-{label(scale)}.db'}"
    for workload in ("get", "list"):
        counts = {}
        for requests in (20, 220):
            out = BENCH / f"callgrind-{workload}-{requests}.out"
            run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                 str(BIN / "trm-bench-callgrind"), "--url", db, "--manifest", str(manifest_path),
                 "--workload", workload, "--requests", str(requests)],
                env={"RUST_LOG": "off"}, capture=True)
            totals = re.search(r"^(?:summary|totals):\s+(\d+)", out.read_text(), re.M)
            counts[requests] = int(totals.group(1))
        figures[workload] = (counts[220] - counts[20]) / 200
        log(f"callgrind: {figures[workload]:,.0f} instructions per {workload} request")
    return figures


def criterion():
    args = ["--warm-up-time", "1", "--measurement-time", "2"] if QUICK else []
    run(["cargo", "bench", "-p", "trm-bench", "--benches", "--", *args])
    figures = {}
    base = TARGET / "criterion"
    for estimates in sorted(base.glob("*/*/new/estimates.json")):
        name = f"{estimates.parts[-4]}/{estimates.parts[-3]}"
        figures[name] = json.loads(estimates.read_text())["mean"]["point_estimate"]
    return figures


# ------------------------------------------------------------------ results

def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def save(results, meta):
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "cells": results}, indent=1))


def mean_or_none(values):
    present = [v for v in values if v is not None]
    return statistics.mean(present) if present else None


def summarize(results):
    """Per (scale, workload, connections, contender): the mean over rounds
    and the spread (max - min) / mean of the throughput, our noise figure."""
    groups = {}
    for row in results:
        key = (row["scale"], row["workload"], row["connections"], row["contender"])
        groups.setdefault(key, []).append(row)
    summary = {}
    for key, rows in groups.items():
        rps = [r["rps"] for r in rows]
        mean = statistics.mean(rps)
        summary[key] = {
            "rps": mean,
            "spread": (max(rps) - min(rps)) / mean if mean and len(rps) > 1 else None,
            "p50_ms": mean_or_none([r["p50_ms"] for r in rows]),
            "p99_ms": mean_or_none([r["p99_ms"] for r in rows]),
            "errors": sum(r["errors"] for r in rows),
            "requests": sum(r["requests"] for r in rows),
            "peak_rss_kib": max((r["peak_rss_kib"] or 0) for r in rows) or None,
        }
        if any("statements" in r for r in rows):
            # The raw-driver creates: how many create statements (one
            # transaction each) carried them.
            summary[key]["statements"] = sum(r.get("statements") or 0 for r in rows)
    return summary


def write_path(summary):
    """Issue 15's figures, "the write path at the speed of the read path":
    markdown lines of ratios taken within a cell (so back to back), and the
    bulk route's throughput in tasks."""
    def rps(scale, workload, conns, contender):
        found = summary.get((scale, workload, conns, contender))
        return found["rps"] if found else None

    def ratio(a, b):
        if a is None or b is None:
            return "–"
        return "∞ (none completed)" if not b else f"{a / b:.2f}×"

    lines = []
    for scale in sorted({k[0] for k in summary}):
        if not any(k[0] == scale and k[1] in ("post", "mix", "bulk") for k in summary):
            continue
        conns = sorted({k[2] for k in summary if k[0] == scale and k[1] in ("post", "mix")})

        def best_python(workload, c):
            found = [r for r in (rps(scale, workload, c, p) for p in ("python-1w", "python-2w")) if r is not None]
            return max(found) if found else None

        rows = [
            ("Neo4j server post ÷ best Python post",
             lambda c: ratio(rps(scale, "post", c, "server-neo4j"), best_python("post", c))),
            ("Neo4j server mix ÷ best Python mix",
             lambda c: ratio(rps(scale, "mix", c, "server-neo4j"), best_python("mix", c))),
            ("SQLite server mix ÷ best Python mix",
             lambda c: ratio(rps(scale, "mix", c, "server-sqlite"), best_python("mix", c))),
            ("Neo4j server post ÷ raw-driver post (the server's share of a create)",
             lambda c: ratio(rps(scale, "post", c, "server-neo4j"), rps(scale, "post", c, "driver"))),
            ("SQLite server post ÷ SQLite server get",
             lambda c: ratio(rps(scale, "post", c, "server-sqlite"), rps(scale, "get", c, "server-sqlite"))),
            ("SQLite post with the event log ÷ without (issue 16: ≥ 0.8×)",
             lambda c: ratio(rps(scale, "post", c, "server-sqlite"), rps(scale, "post", c, "server-sqlite-nolog"))),
            ("Neo4j post with the event log ÷ without (issue 16: ≥ 0.8×)",
             lambda c: ratio(rps(scale, "post", c, "server-neo4j"), rps(scale, "post", c, "server-neo4j-nolog"))),
            ("Neo4j server post ÷ Neo4j server get",
             lambda c: ratio(rps(scale, "post", c, "server-neo4j"), rps(scale, "get", c, "server-neo4j"))),
        ]
        if conns:
            lines += [f"### {scale:,} tasks: post and mix", "",
                      "| ratio (req/s ÷ req/s) | " + " | ".join(f"@{c}" for c in conns) + " |",
                      "|---|" + "---:|" * len(conns)]
            for name, cell in rows:
                values = [cell(c) for c in conns]
                if any(v != "–" for v in values):
                    lines.append(f"| {name} | " + " | ".join(values) + " |")
            batches = []
            for c in conns:
                found = summary.get((scale, "post", c, "driver"))
                if found and found.get("statements"):
                    batches.append(f"@{c}: {found['requests'] / found['statements']:.1f}")
            if batches:
                lines += ["", "Raw-driver creates per statement (= per transaction), mean: " + ", ".join(batches)
                          + "."]
            lines.append("")
        bulk = sorted((k, v) for k, v in summary.items() if k[0] == scale and k[1] == "bulk")
        if bulk:
            lines += [f"### {scale:,} tasks: bulk create ({BULK_SIZE:,} tasks a request)", "",
                      "| contender | conns | requests/s | tasks/s | ÷ its post @16, creates/s | p50 ms | p99 ms "
                      "| errors |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|"]
            for (_, _, c, contender), v in sorted(bulk, key=lambda kv: (kv[0][3], kv[0][2])):
                tasks = v["rps"] * BULK_SIZE
                single = rps(scale, "post", 16, contender)
                lines.append(f"| {contender} | {c} | {v['rps']:.1f} | {tasks:,.0f} | "
                             f"{ratio(tasks, single)} | {fmt(v['p50_ms'])} | {fmt(v['p99_ms'])} | {v['errors']} |")
            lines.append("")
    return lines


def task_graph(summary):
    """Issue 18's figures: what a searched, sorted or `blocked` page costs
    next to the plain page (cost = 1 / throughput, within a cell, so back
    to back), what the graph walks and an edge take at one connection, and
    what each costs at the large scale over the small one."""
    lines = []
    scales = sorted({k[0] for k in summary if k[1] in GRAPH_WORKLOADS})
    for scale in scales:
        lines += [f"### {scale:,} tasks", "",
                  "| store | search ÷ page @1 | @16 | sorted ÷ page @1 | @16 | blocked ÷ page @1 | @16 "
                  "| blockers chain p99 ms | blockers tree p99 ms | edge p99 ms |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for store in ("server-sqlite", "server-neo4j"):
            cells = []
            for workload in ("search", "sorted", "blocked"):
                for c in (1, 16):
                    page, other = summary.get((scale, "page", c, store)), summary.get((scale, workload, c, store))
                    cells.append(f"{page['rps'] / other['rps']:.2f}×" if page and other and other["rps"] else "–")
            for workload in ("blockers-chain", "blockers-tree", "relink"):
                found = summary.get((scale, workload, 1, store))
                cells.append(fmt(found["p99_ms"]) if found else "–")
            if any(c != "–" for c in cells):
                lines.append(f"| {store} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def graph_verdicts(summary):
    """Issue 18's targets, as (target, measured, verdict) rows."""
    rows = []
    scales = sorted({k[0] for k in summary if k[1] in GRAPH_WORKLOADS})
    for scale in scales:
        for store in ("server-sqlite", "server-neo4j"):
            for workload in ("search", "sorted", "blocked"):
                for c in (1, 16):
                    page, other = summary.get((scale, "page", c, store)), summary.get((scale, workload, c, store))
                    if page and other and other["rps"] and scale == max(scales):
                        cost = page["rps"] / other["rps"]
                        rows.append((f"{scale}: {store} {workload} page ÷ plain page @{c}, ≤ 3×", f"{cost:.2f}×",
                                     cost <= 3))
            for workload in ("blockers-chain", "blockers-tree", "relink"):
                found = summary.get((scale, workload, 1, store))
                if found and scale == max(scales):
                    p99 = found["p99_ms"]
                    rows.append((f"{scale}: {store} {workload} p99 @1, ≤ 20 ms", f"{fmt(p99)} ms",
                                 p99 is not None and p99 <= 20))
    if len(scales) > 1:
        small, large = scales[0], scales[-1]
        for store in ("server-sqlite", "server-neo4j"):
            for workload in ("search", "sorted", "blocked"):
                for c in (1, 16):
                    a, b = summary.get((small, workload, c, store)), summary.get((large, workload, c, store))
                    if a and b and b["rps"]:
                        cost = a["rps"] / b["rps"]
                        rows.append((f"{store}: {workload} page cost at {large} ÷ at {small} @{c}, ≤ 2×",
                                     f"{cost:.2f}×", cost <= 2))
    return rows


def ratios(summary):
    """Every target of issue #6, as (target, measured, verdict) rows."""
    rows = []

    def get(scale, workload, conns, contender):
        return summary.get((scale, workload, conns, contender))

    for scale in SCALES:
        for workload in ("get", "list"):
            server, ceiling = get(scale, workload, 64, "server-neo4j"), get(scale, workload, 64, "driver")
            if server and ceiling and ceiling["rps"] and server["p99_ms"] and ceiling["p99_ms"]:
                r = server["rps"] / ceiling["rps"]
                p = server["p99_ms"] / ceiling["p99_ms"]
                rows.append((f"{scale}: Neo4j server / driver ceiling, {workload} @64, throughput ≥ 0.8×",
                             f"{r:.2f}×", r >= 0.8))
                rows.append((f"{scale}: Neo4j server / driver ceiling, {workload} @64, p99 ≤ 1.5×",
                             f"{p:.2f}×", p <= 1.5))
            for conns in CONNECTIONS:
                server = get(scale, workload, conns, "server-neo4j")
                peers = [get(scale, workload, conns, p) for p in ("python-1w", "python-2w")]
                peers = [p for p in peers if p]
                if server and peers:
                    best = max(peers, key=lambda p: p["rps"])
                    r = server["rps"] / best["rps"] if best["rps"] else float("inf")
                    rows.append((f"{scale}: Neo4j server / best Python seed, {workload} @{conns}, ≥ 10×",
                                 f"{r:.1f}×", r >= 10))
                    lowest = min((p["p99_ms"] for p in peers if p["p99_ms"] is not None), default=None)
                    ours = server["p99_ms"]
                    shown = "none completed" if lowest is None else f"{lowest:.2f} ms"
                    rows.append((f"{scale}: Neo4j server p99 < Python seed p99, {workload} @{conns}",
                                 f"{fmt(ours)} ms vs {shown}",
                                 ours is not None and (lowest is None or ours < lowest)))
        for conns in CONNECTIONS:
            server, ceiling = get(scale, "get", conns, "server-sqlite"), get(scale, "get", conns, "ceiling")
            if server and ceiling and ceiling["rps"]:
                r = server["rps"] / ceiling["rps"]
                rows.append((f"{scale}: SQLite server / framework ceiling, get @{conns}, ≥ 0.5×", f"{r:.2f}×",
                             r >= 0.5))
    if len(SCALES) > 1:
        small, large = min(SCALES), max(SCALES)
        for store in ("server-sqlite", "server-neo4j"):
            for conns in CONNECTIONS:
                a, b = get(small, "list", conns, store), get(large, "list", conns, store)
                if a and b:
                    cost = a["rps"] / b["rps"] if b["rps"] else float("inf")
                    rows.append((f"{store}: list page cost at {large} / at {small}, @{conns}, ≤ 2×",
                                 f"{cost:.2f}×", cost <= 2))
    peaks = [s["peak_rss_kib"] for k, s in summary.items() if k[3] == "server-sqlite" and s["peak_rss_kib"]]
    if peaks and any(k[2] == 256 and k[3] == "server-sqlite" for k in summary):
        peak = max(peaks) / 1024
        rows.append(("SQLite server peak RSS over the whole run (incl. 256 connections) ≤ 64 MiB",
                     f"{peak:.1f} MiB", peak <= 64))
    return rows + graph_verdicts(summary)


def report(summary, verdicts, calls, crit, meta):
    lines = ["# Benchmark results", "",
             f"Generated by `bench/run` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
             f"{meta['mode']} mode: {meta.get('duration', DURATION):g} s per cell, {meta.get('repeat', REPEAT)} "
             f"round(s), connections "
             f"{', '.join(map(str, CONNECTIONS))}. Machine: {meta['machine']}.", "",
             "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in verdicts]
    lines += ["", "## Every figure", "",
              "Throughput is the mean over rounds; *spread* is (max − min) / mean of the rounds' throughput "
              "(the noise). Errors are non-2xx answers plus socket errors and timeouts (wrk), or failed "
              "queries (driver). Peak RSS is the process tree's VmHWM after the cell (a lifetime peak).", "",
              "| tasks | workload | conns | contender | req/s | spread | p50 ms | p99 ms | errors | peak RSS MiB |",
              "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for (scale, workload, conns, contender), s in sorted(summary.items()):
        rss = fmt(s["peak_rss_kib"] / 1024, 1) if s["peak_rss_kib"] else "–"
        spread = f"{s['spread'] * 100:.0f}%" if s["spread"] is not None else "–"
        lines.append(f"| {scale} | {workload} | {conns} | {contender} | {s['rps']:.0f} | {spread} | "
                     f"{fmt(s['p50_ms'])} | {fmt(s['p99_ms'])} | {s['errors']} | {rss} |")
    writes = write_path(summary)
    if writes:
        lines += ["", "## The write path", "",
                  "Ratios within a cell (contenders back to back). *driver* on `post` is the raw `neo4rs` "
                  "contender sending the adapter's create statement with the adapter's batching (up to 64 "
                  "creates a statement, 2 transactions in flight); `bulk` rows count requests of "
                  f"{BULK_SIZE:,} tasks each.", ""] + writes
    graph = task_graph(summary)
    if graph:
        lines += ["", "## The task graph: search, sort, blockers", "",
                  "A page is 100 tasks of the whole list: plain (`page`), searched (`q`, matching 1% of the "
                  "tasks), sorted (`sort=-due_date`, a third without a due date) and `blocked=true` (1,033 tasks "
                  "have blockers). *blockers* walks `depth=10` from the end of a 10-task chain and from the root "
                  "of a 1,023-task binary tree; *edge* is a PATCH that gives a task the tree's root as its "
                  "blocker (cycle check included) or takes it away, alternately.", ""] + graph
    if calls:
        lines += ["", "## Instructions per request (callgrind, in process: handler → service → SQLite)", "",
                  "| request | instructions |", "|---|---:|"]
        lines += [f"| {w} | {n:,.0f} |" for w, n in calls.items()]
    if crit:
        lines += ["", "## Criterion (mean time per iteration)", "", "| bench | ns |", "|---|---:|"]
        lines += [f"| {name} | {ns:,.1f} |" for name, ns in crit.items()]
    lines += ["", "## Seeding", ""]
    lines += [f"- {k}: {v:.1f} s" for k, v in meta.items() if k.startswith("seed_")]
    return "\n".join(lines) + "\n"


# One colour per contender in every panel.
COLORS = {"server-sqlite": "tab:green", "server-neo4j": "tab:blue", "ceiling": "tab:gray", "driver": "tab:purple",
          "python-1w": "tab:orange", "python-2w": "tab:red", "server-sqlite-nolog": "tab:olive",
          "server-neo4j-nolog": "tab:cyan"}


def plot(summary, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(s, w) for s in SCALES for w in (WORKLOADS if s <= 10_000 else LARGE_SCALE_WORKLOADS)
              if any(k[0] == s and k[1] == w for k in summary)]
    if not panels:
        return
    cols = 4
    rows = (len(panels) + cols - 1) // cols
    cols = min(cols, len(panels))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (scale, workload) in zip(axes.flat, panels):
        contenders = sorted({k[3] for k in summary if k[0] == scale and k[1] == workload})
        for contender in contenders:
            color = COLORS.get(contender)
            per = BULK_SIZE if workload == "bulk" else 1
            points = sorted((k[2], v["rps"] * per) for k, v in summary.items()
                            if k[0] == scale and k[1] == workload and k[3] == contender)
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=contender, color=color)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ticks = sorted({k[2] for k in summary if k[0] == scale and k[1] == workload})
        ax.set_xticks(ticks, [str(c) for c in ticks])
        ax.set_title(f"{workload}, {scale:,} tasks")
        ax.set_xlabel("connections")
        ax.set_ylabel("tasks created/s" if workload == "bulk" else "requests/s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Throughput by connections (one run, contenders alternated)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) // 1024
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} × {cpu}, {mem} MiB RAM, Linux {os.uname().release}, load average {load:.1f} at start"


def rebuild_report(path):
    """Regenerates report.md and the plot next to an earlier run's
    results.json (BENCH_REPORT_FROM=…/results.json)."""
    global OUT
    OUT = Path(path).resolve().parent
    data = json.loads(Path(path).read_text())
    meta, results = data["meta"], data["cells"]
    summary = summarize(results)
    verdicts = ratios(summary)
    (OUT / "report.md").write_text(report(summary, verdicts, meta.get("callgrind", {}), meta.get("criterion", {}), meta))
    plot(summary, OUT / "throughput.png")
    publish()
    log(f"rebuilt {OUT / 'report.md'}")


def publish():
    if PUBLISH:
        docs = ROOT / "docs" / "benchmarks"
        docs.mkdir(exist_ok=True)
        for name in ("report.md", "throughput.png", "results.json"):
            target = docs / ("results.md" if name == "report.md" else name)
            if (OUT / name).resolve() != target.resolve():
                shutil.copy(OUT / name, target)


def main():
    if os.environ.get("BENCH_REPORT_FROM"):
        return rebuild_report(os.environ["BENCH_REPORT_FROM"])
    global OUT
    OUT = BENCH / time.strftime("results-%Y%m%dT%H%M%S")
    OUT.mkdir(parents=True, exist_ok=True)
    latest = BENCH / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(OUT.name)
    # The binaries measured are copied first, so a build during the run
    # cannot swap them half-way (and a later comparison can reuse them).
    global BIN
    BIN = OUT / "bin"
    BIN.mkdir()
    for name in ("trm-server", "trm-bench-seed", "trm-bench-ceiling", "trm-bench-driver", "trm-bench-callgrind"):
        shutil.copy2(RELEASE / name, BIN / name)
    meta = {"mode": "quick" if QUICK else "full", "machine": machine(), "duration": DURATION, "warmup": WARMUP,
            "repeat": REPEAT}
    results, calls, crit = [], {}, {}
    started = time.time()
    for scale in SCALES:
        manifest_path = stage(scale, OUT, results, meta)
        if manifest_path and scale == min(SCALES) and "callgrind" not in SKIP and wanted("server-sqlite"):
            calls = callgrind(manifest_path, scale)
            meta["callgrind"] = calls
            save(results, meta)
    if "criterion" not in SKIP:
        crit = criterion()
        meta["criterion"] = crit
    meta["wall_clock_s"] = time.time() - started
    save(results, meta)
    summary = summarize(results)
    verdicts = ratios(summary)
    text = report(summary, verdicts, calls, crit, meta)
    (OUT / "report.md").write_text(text)
    plot(summary, OUT / "throughput.png")
    publish()
    log(f"done in {meta['wall_clock_s'] / 60:.1f} min: {OUT / 'report.md'}, {OUT / 'throughput.png'}")
    for target, measured, ok in verdicts:
        log(f"{'MET ' if ok else 'MISS'} {target}: {measured}")


if __name__ == "__main__":
    main()
