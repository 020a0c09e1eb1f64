# scripts/lib/test-server.bash — starts a trm-server for a script's checks.
#
# Source it, then `start_test_server [DATABASE_URL]`: builds the server
# (debug; a no-op when the tests already built it), starts it on a free
# loopback port with its log in target/<name>-server.log, waits for /livez and
# sets SERVER_URL and SERVER_PID. With no URL the server gets a fresh SQLite
# file under target/tmp. `stop_test_server` stops it (call it from a trap);
# `test_server_panicked` is true when its log shows a panic.
#
# The Neo4j password, when the URL is bolt:// or neo4j://, comes from
# TRM_TEST_NEO4J_PASSWORD (as for the test suites), else trm-dev-password.

SERVER_URL=
SERVER_PID=
SERVER_LOG=

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_test_server() {
    local name=$1 database_url=${2:-}
    local root
    root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
    mkdir -p "$root/target/tmp"
    if [[ -z $database_url ]]; then
        local dir
        dir=$(mktemp -d "$root/target/tmp/$name.XXXXXX")
        database_url="sqlite://$dir/trm.db"
    fi
    cargo build --quiet -p trm-server --manifest-path "$root/Cargo.toml"
    local port
    port=$(free_port)
    SERVER_LOG="$root/target/$name-server.log"
    TRM__SERVER__HOST=127.0.0.1 TRM__SERVER__PORT=$port TRM__DATABASE__URL=$database_url \
        TRM__DATABASE__USER=${TRM_TEST_NEO4J_USER:-neo4j} \
        TRM__DATABASE__PASSWORD=${TRM_TEST_NEO4J_PASSWORD:-trm-dev-password} \
        "${CARGO_TARGET_DIR:-$root/target}/debug/trm-server" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    SERVER_URL="http://127.0.0.1:$port"
    for _ in $(seq 300); do
        if curl -fsS "$SERVER_URL/livez" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "the test server did not start; its log ($SERVER_LOG):" >&2
    tail -n 20 "$SERVER_LOG" >&2
    return 1
}

stop_test_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

test_server_panicked() {
    grep -q 'panicked' "$SERVER_LOG"
}
