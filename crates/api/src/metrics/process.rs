//! The standard Prometheus process metrics, read from `/proc/self` at each
//! scrape (Linux only; elsewhere none are exported):
//!
//! * `process_cpu_seconds_total` — user and system CPU time;
//! * `process_resident_memory_bytes` and `process_virtual_memory_bytes`;
//! * `process_open_fds` and `process_max_fds` (the soft limit);
//! * `process_start_time_seconds` — since the Unix epoch.
//!
//! The names are the ones every Prometheus client library exports (and
//! dashboards expect), so they are not given the application's `trm_`
//! prefix. They are read when scraped rather than sampled in the
//! background: nothing runs between scrapes, and a scrape sees the current
//! values. A value that cannot be read (a `/proc` without the file, a
//! sandbox) is left out rather than reported as zero.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Clock ticks per second of the CPU times and the start time in
/// `/proc/self/stat` (`USER_HZ`). The kernel fixes it at 100 for user space
/// on every architecture Rust's Linux targets build for; asking `sysconf`
/// would need `unsafe`, which the workspace forbids.
const TICKS_PER_SECOND: f64 = 100.0;

/// The process metrics, read from `/proc` when encoded.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessCollector;

/// What one scrape read; `None` for what could not be read.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ProcessSample {
    /// User plus system CPU time, in seconds.
    pub cpu_seconds: Option<f64>,
    /// Resident set size, in bytes.
    pub resident_memory_bytes: Option<f64>,
    /// Virtual memory size, in bytes.
    pub virtual_memory_bytes: Option<f64>,
    /// Open file descriptors.
    pub open_fds: Option<f64>,
    /// The soft limit on open file descriptors.
    pub max_fds: Option<f64>,
    /// Start time, in seconds since the Unix epoch.
    pub start_time_seconds: Option<f64>,
}

impl ProcessSample {
    /// Reads this process's values from `/proc`.
    #[must_use]
    pub fn read() -> Self {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        let stat = read("/proc/self/stat").and_then(|text| parse_stat(&text));
        let status = read("/proc/self/status");
        let boot_time = read("/proc/stat").and_then(|text| parse_boot_time(&text));
        Self {
            cpu_seconds: stat.map(|stat| (stat.utime + stat.stime) as f64 / TICKS_PER_SECOND),
            resident_memory_bytes: status.as_deref().and_then(|text| status_kib(text, "VmRSS:")).map(kib_to_bytes),
            virtual_memory_bytes: stat.map(|stat| stat.vsize as f64),
            open_fds: std::fs::read_dir("/proc/self/fd").ok().map(|entries| entries.count() as f64),
            max_fds: read("/proc/self/limits").and_then(|text| parse_max_open_files(&text)),
            start_time_seconds: stat
                .zip(boot_time)
                .map(|(stat, boot)| boot as f64 + stat.starttime as f64 / TICKS_PER_SECOND),
        }
    }
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let sample = ProcessSample::read();
        if let Some(seconds) = sample.cpu_seconds {
            let counter = ConstCounter::new(seconds);
            let metric = encoder.encode_descriptor(
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds.",
                None,
                counter.metric_type(),
            )?;
            counter.encode(metric)?;
        }
        let gauges = [
            ("process_resident_memory_bytes", "Resident memory size in bytes.", sample.resident_memory_bytes),
            ("process_virtual_memory_bytes", "Virtual memory size in bytes.", sample.virtual_memory_bytes),
            ("process_open_fds", "Number of open file descriptors.", sample.open_fds),
            ("process_max_fds", "Maximum number of open file descriptors.", sample.max_fds),
            (
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                sample.start_time_seconds,
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(value) = value {
                let gauge = ConstGauge::new(value);
                let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
                gauge.encode(metric)?;
            }
        }
        Ok(())
    }
}

/// The fields of `/proc/self/stat` the metrics need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    utime: u64,
    stime: u64,
    starttime: u64,
    vsize: u64,
}

/// Reads `/proc/[pid]/stat` (proc(5)): the command name, field 2, is in
/// parentheses and may itself hold spaces and parentheses, so the fields
/// are counted from the last `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let (_, after_name) = text.rsplit_once(')')?;
    // After the name come fields 3 (state), 4, …: field n is at n - 3.
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |number: usize| fields.get(number - 3)?.parse::<u64>().ok();
    Some(Stat { utime: field(14)?, stime: field(15)?, starttime: field(22)?, vsize: field(23)? })
}

/// The boot time (`btime`, seconds since the epoch) from `/proc/stat`.
fn parse_boot_time(text: &str) -> Option<u64> {
    text.lines().find_map(|line| line.strip_prefix("btime")).and_then(|value| value.trim().parse().ok())
}

/// A `kB` value of `/proc/self/status`, such as `VmRSS:`.
fn status_kib(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find_map(|line| line.strip_prefix(key))?;
    line.split_whitespace().next()?.parse().ok()
}

fn kib_to_bytes(kib: u64) -> f64 {
    kib.saturating_mul(1024) as f64
}

/// The soft limit of `Max open files` in `/proc/self/limits` (`None` when
/// `unlimited`).
fn parse_max_open_files(text: &str) -> Option<f64> {
    let line = text.lines().find_map(|line| line.strip_prefix("Max open files"))?;
    line.split_whitespace().next()?.parse::<u64>().ok().map(|limit| limit as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stat_line_is_read_past_a_command_name_with_spaces_and_parentheses() {
        let line = "4242 (trm (server) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 \
                    123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 4096 17987 0 0 0 17 1 0 0 0 0 0";
        let stat = parse_stat(line).unwrap();
        assert_eq!(stat, Stat { utime: 250, stime: 75, starttime: 123_456, vsize: 987_654_321 });
    }

    #[test]
    fn a_truncated_stat_line_reads_as_nothing() {
        assert_eq!(parse_stat("4242 (trm) S 1 2 3"), None);
        assert_eq!(parse_stat("no parenthesis"), None);
    }

    #[test]
    fn memory_boot_time_and_the_fd_limit_are_read_from_their_files() {
        assert_eq!(status_kib("Name:\ttrm\nVmRSS:\t   5120 kB\n", "VmRSS:"), Some(5120));
        assert_eq!(parse_boot_time("cpu  1 2 3\nbtime 1796310474\nprocesses 9\n"), Some(1_796_310_474));
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(parse_max_open_files(limits), Some(1024.0));
        let unlimited = "Max open files            unlimited            unlimited            files     \n";
        assert_eq!(parse_max_open_files(unlimited), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_reads_as_running_now_with_memory_and_open_files() {
        let sample = ProcessSample::read();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        let started = sample.start_time_seconds.unwrap();
        assert!(started <= now + 1.0 && started > now - 86_400.0 * 365.0, "{started} against {now}");
        assert!(sample.resident_memory_bytes.unwrap() > 0.0);
        assert!(sample.virtual_memory_bytes.unwrap() >= sample.resident_memory_bytes.unwrap());
        assert!(sample.open_fds.unwrap() >= 1.0);
        assert!(sample.cpu_seconds.unwrap() >= 0.0);
    }
}
