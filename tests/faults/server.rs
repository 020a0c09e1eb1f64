//! The real `trm-server` binary as a child process.
//!
//! Faults such as `kill -9`, SIGTERM and memory growth only mean something
//! for a separate process, so these scenarios run the binary cargo built —
//! not the in-process server of the end-to-end tests. It is configured
//! through `TRM__…` variables only, binds port 0 and is found by the port
//! in its start-up log line ("serving the TRM task API … port=N"); its log
//! goes to a file in the scenario's directory, kept for post-mortems.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The binary under test: `TRM_SERVER_BIN`, or `trm-server` in the target
/// directory this test binary was built into (`target/<profile>/deps/..`).
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TRM_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let path = profile_dir.join("trm-server");
    assert!(path.is_file(), "{} is missing: `cargo build -p trm-server` first (tests/faults/run does)", path.display());
    path
}

/// A running (or stopped) `trm-server` child process.
pub(crate) struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// The bound port.
    pub(crate) port: u16,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the binary with `settings` (`TRM__…` pairs) on a free loopback
    /// port, logging to `log`, and waits until `/livez` answers.
    pub(crate) async fn start(settings: &[(String, String)], log: &Path) -> Self {
        let log_file = File::create(log).expect("the server log file");
        let child = Command::new(binary())
            .env_remove("RUST_LOG")
            .env("TRM__SERVER__HOST", "127.0.0.1")
            .env("TRM__SERVER__PORT", "0")
            .env("TRM__LOG__FORMAT", "text")
            .env("TRM__LOG__LEVEL", "warn,trm_server=info,actix_server=info")
            .envs(settings.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("the log file handle"))
            .stderr(log_file)
            .spawn()
            .expect("trm-server starts");
        let mut server = Self { child, base: String::new(), port: 0, log: log.to_owned() };
        server.port = server.wait_for_port().await;
        server.base = format!("http://127.0.0.1:{}", server.port);
        let client = reqwest::Client::new();
        let live = async || {
            client.get(format!("{}/livez", server.base)).send().await.is_ok_and(|answer| answer.status() == 200)
        };
        for _ in 0..200 {
            if live().await {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("trm-server did not answer /livez; log: {}", server.log.display());
    }

    /// Reads the port from the start-up log line.
    async fn wait_for_port(&mut self) -> u16 {
        for _ in 0..600 {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let port = text
                .lines()
                .filter(|line| line.contains("serving the TRM task API"))
                .find_map(|line| line.split_once("port=").and_then(|(_, rest)| rest.split_whitespace().next()))
                .and_then(|port| port.parse().ok());
            if let Some(port) = port {
                return port;
            }
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                panic!("trm-server exited at start-up ({status}):\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("trm-server logged no port within 30 s; log: {}", self.log.display());
    }

    /// The absolute URL of a path.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident set size in KiB (`VmRSS` of /proc/PID/status).
    pub(crate) fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
    }

    /// `kill -9`: the process dies at once, mid-request.
    pub(crate) fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL sent");
        self.child.wait().expect("the killed server is reaped");
    }

    /// `kill -TERM`: the server's graceful shutdown begins.
    pub(crate) fn sigterm(&self) {
        let status = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status().expect("kill runs");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits up to `limit` for the process to exit; its status and when it
    /// was seen to have exited, or `None` if it is still running.
    pub(crate) async fn wait_exit(&mut self, limit: Duration) -> Option<(ExitStatus, Instant)> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return Some((status, Instant::now()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// The server's log so far, for failure messages.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    /// A failed scenario must not leave its server running.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
