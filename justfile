# The everyday commands. Each recipe is a thin wrapper around a plain command
# that works without `just` (see README.md).

# Serve the API on the embedded store at 127.0.0.1:8000.
run:
    cargo run -p trm-server

# Every test: unit, contract (SQLite + a real Neo4j), end-to-end.
test *args:
    scripts/test {{args}}

# Formatting, lints, unused dependencies and module cycles (scripts/lint).
lint:
    scripts/lint

# Format the code.
fmt:
    cargo fmt --all

# The local Neo4j: `just neo4j start|stop|status|restart`.
neo4j action="start":
    scripts/neo4j {{action}}

# Serve the API on the local Neo4j.
run-neo4j:
    TRM__DATABASE__URL="$(scripts/neo4j start)" TRM__DATABASE__PASSWORD="${NEO4J_PASSWORD:-trm-dev-password}" cargo run -p trm-server

# The benchmark suite (docs/benchmarks.md); `BENCH_QUICK=1 just bench` for a short run.
bench:
    bench/run
