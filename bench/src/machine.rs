//! What the figures were measured on: cores, CPU model, memory, kernel, load, toolchain and
//! crate versions.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

/// The machine and the software.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Logical CPUs.
    pub cores: usize,
    /// `model name` of /proc/cpuinfo.
    pub cpu: String,
    /// MemTotal, MiB.
    pub memory_mib: u64,
    /// Kernel release.
    pub kernel: String,
    /// `rustc -V`.
    pub rustc: String,
    /// Versions of the crates that matter, from Cargo.lock.
    pub crates: Vec<(String, String)>,
    /// `git rev-parse --short HEAD` (+ `-dirty` with local changes).
    pub commit: String,
    /// The 1-minute load average when the run started.
    pub load_start: f64,
    /// The 1-minute load average when the report was written.
    pub load_end: f64,
}

/// The 1-minute load average.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

fn output(cmd: &str, args: &[&str], dir: &Path) -> String {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Reads everything now.
pub fn describe(root: &Path) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let memory_mib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| {
                    v.split_whitespace()
                        .next()
                        .and_then(|n| n.parse::<u64>().ok())
                })
        })
        .map_or(0, |kib| kib / 1024);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let rustc = output("rustc", &["-V"], root);
    let mut commit = output("git", &["rev-parse", "--short", "HEAD"], root);
    if !output(
        "git",
        &["status", "--porcelain", "--untracked-files=no"],
        root,
    )
    .is_empty()
    {
        commit.push_str(" + local changes");
    }
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let wanted = [
        "shopql-reference",
        "tokio",
        "hyper",
        "axum",
        "async-graphql",
        "sqlx",
        "libsqlite3-sys",
        "serde_json",
        "hdrhistogram",
        "plotters",
    ];
    let mut crates = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = Some(n.trim_end_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = \""), &name)
            && wanted.contains(&n.as_str())
            && !crates.iter().any(|(c, _): &(String, String)| c == n)
        {
            crates.push((n.clone(), v.trim_end_matches('"').to_string()));
        }
    }
    crates.sort_by_key(|(n, _)| wanted.iter().position(|w| w == n));
    Machine {
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        cpu,
        memory_mib,
        kernel,
        rustc,
        crates,
        commit,
        load_start: load_average(),
        load_end: 0.0,
    }
}
