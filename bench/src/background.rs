//! The compile-cost phase's dependency build, which `bench/run` starts beside the release build
//! in a process group of its own and names in `SHOPQL_BENCH_DEPS_PGID`.
//!
//! It must not run while anything is measured, but the growth phase's bulk loads keep only one
//! core busy: the build is stopped (`SIGSTOP` to its group) for the whole run and continued
//! while the database is loaded and before the compile-cost phase, which waits for it to end.

use std::time::Duration;

/// The build, if `bench/run` started one. Dropping it lets the build continue.
#[derive(Debug)]
pub struct DepsBuild {
    pgid: Option<u32>,
}

impl DepsBuild {
    /// The build named by `SHOPQL_BENCH_DEPS_PGID`, stopped at once.
    pub fn from_env() -> Self {
        let pgid = std::env::var("SHOPQL_BENCH_DEPS_PGID")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .filter(|&p| p > 1);
        let build = Self { pgid };
        build.pause();
        build
    }

    /// Stops the build (if it is still running).
    pub fn pause(&self) {
        self.signal("STOP");
    }

    /// Lets the build continue.
    pub fn resume(&self) {
        self.signal("CONT");
    }

    /// Lets the build continue and waits until it has ended.
    pub fn finish(&self) {
        self.resume();
        while let Some(pgid) = self.pgid
            && running(pgid)
        {
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn signal(&self, which: &str) {
        if let Some(pgid) = self.pgid
            && running(pgid)
        {
            // Failure only means the group is gone.
            let _ = std::process::Command::new("kill")
                .args(["-s", which, "--", &format!("-{pgid}")])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

impl Drop for DepsBuild {
    fn drop(&mut self) {
        self.resume();
    }
}

/// Whether the group's leader (cargo) is still running: it exists and is not a zombie (it is
/// this process's child, as `bench/run` execs the bench, and nobody reaps it).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // "pid (comm) state …": the state follows the last ')'.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X')
    })
}
