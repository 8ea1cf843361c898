//! Raising the open-file limit: every student is a socket in this process and one in the server.

use anyhow::{Context, ensure};
use rlimit::Resource;

/// Raises this process's soft `RLIMIT_NOFILE` to `wanted` (capped at the hard limit) and returns
/// the soft limit now in force. The server is started as a child process and inherits it, so no
/// pre-exec hook or `prlimit` call is needed.
pub fn raise_open_file_limit(wanted: u64) -> anyhow::Result<u64> {
    let (soft, hard) = Resource::NOFILE
        .get()
        .context("could not read the open-file limit")?;
    let target = wanted.min(hard);
    if target > soft {
        Resource::NOFILE
            .set(target, hard)
            .with_context(|| format!("could not raise the open-file limit from {soft} to {target}"))?;
    }
    Ok(target.max(soft))
}

/// Fails with advice when `students` sockets (plus head-room for the instructor, files and the
/// runtime) do not fit under `limit`.
pub fn ensure_fits(students: u32, limit: u64) -> anyhow::Result<()> {
    let needed = u64::from(students) + 64;
    ensure!(
        needed <= limit,
        "{students} students need about {needed} open files per process, but the limit is {limit}; \
         raise the hard limit (e.g. `ulimit -Hn {needed}` as root) or use fewer students"
    );
    Ok(())
}
