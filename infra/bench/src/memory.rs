//! Resident memory of the engines, from Linux's `/proc/<pid>/status`:
//! `VmRSS` (resident now) and `VmHWM` (the most that was ever resident). A
//! side is a set of processes (Spin is `spin up` and the `spin trigger http`
//! it starts); its figure is the sum over them. Elsewhere than on Linux the
//! figures are absent and the table says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;

/// How often a [`Sampler`] reads the processes' resident memory.
const EVERY: Duration = Duration::from_millis(20);

/// A `kB` field of `/proc/{pid}/status`.
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn sum(pids: &[u32], field: &str) -> Option<u64> {
    let values: Vec<u64> = pids.iter().filter_map(|&p| status_kb(p, field)).collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// Resident memory of `pids` now, in kB.
pub fn rss_kb(pids: &[u32]) -> Option<u64> {
    sum(pids, "VmRSS")
}

/// The sum of the peak resident memory of each of `pids`, in kB (for one
/// process its peak; for several an upper bound of their peak together).
pub fn hwm_kb(pids: &[u32]) -> Option<u64> {
    sum(pids, "VmHWM")
}

/// `pid`'s descendants (children, their children, ...), from the parent
/// field of every `/proc/*/stat`.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
            if let Some(ppid) = ppid {
                parents.push((child, ppid));
            }
        }
    }
    let mut found = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for &(child, _) in parents.iter().filter(|(_, ppid)| *ppid == p) {
            if !found.contains(&child) {
                found.push(child);
                frontier.push(child);
            }
        }
    }
    found
}

/// Samples the resident memory of some processes until stopped; keeps the most.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    task: Option<JoinHandle<Option<u64>>>,
}

impl Sampler {
    /// Starts sampling `pids` (nothing to do when empty).
    pub fn start(pids: &[u32]) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let task = (!pids.is_empty()).then(|| {
            let (pids, stop) = (pids.to_vec(), stop.clone());
            tokio::spawn(async move {
                let mut most = None;
                loop {
                    most = most.max(rss_kb(&pids));
                    if stop.load(Ordering::Relaxed) {
                        return most;
                    }
                    tokio::time::sleep(EVERY).await;
                }
            })
        });
        Self { stop, task }
    }

    /// The most resident memory seen, in kB.
    pub async fn stop(mut self) -> Option<u64> {
        self.stop.store(true, Ordering::Relaxed);
        match self.task.take() {
            Some(task) => task.await.ok().flatten(),
            None => None,
        }
    }
}

/// `kB` as `MB` with one decimal, or `-`.
pub fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(|| "-".to_owned(), |kb| format!("{:.1}", kb as f64 / 1024.0))
}
