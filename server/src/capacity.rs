//! How many connections the process can hold: raises the soft open-file limit to the hard limit
//! at start (a laptop's default of 1,024 or 256 would cap a lecture far below what the CPU can
//! serve) and leaves room for the files the server itself opens.

/// File descriptors kept for the database, served files and the runtime.
const HEADROOM_FDS: u64 = 64;

/// The file limits after raising, and what they allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    /// Soft limit now in force.
    pub soft: u64,
    /// Hard limit (the most an unprivileged process may raise to).
    pub hard: u64,
    /// Files open at start.
    pub open: u64,
}

impl FileLimit {
    /// Connections this limit allows: what is left after the files open now and a headroom,
    /// less a tenth for files opened while serving.
    pub fn connections(&self) -> usize {
        let free = self.soft.saturating_sub(self.open + HEADROOM_FDS);
        usize::try_from(free - free / 10).unwrap_or(usize::MAX).max(16)
    }
}

/// Raises the soft open-file limit as far as allowed and reports it.
pub fn raise_file_limit() -> FileLimit {
    #[cfg(unix)]
    {
        let raised = rlimit::increase_nofile_limit(u64::MAX);
        let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
        if let Err(error) = raised {
            tracing::warn!(%error, "could not raise the open-file limit");
        }
        FileLimit {
            soft,
            hard,
            open: open_files(),
        }
    }
    #[cfg(not(unix))]
    {
        FileLimit {
            soft: 8192,
            hard: 8192,
            open: 0,
        }
    }
}

/// Number of open file descriptors of this process (a guess where it cannot be counted).
fn open_files() -> u64 {
    ["/proc/self/fd", "/dev/fd"]
        .iter()
        .find_map(|dir| std::fs::read_dir(dir).ok())
        .map_or(32, |entries| entries.count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_never_lowers_and_leaves_room() {
        let limit = raise_file_limit();
        assert!(limit.soft >= 256 && limit.soft <= limit.hard, "{limit:?}");
        assert!((limit.connections() as u64) < limit.soft);
        let small = FileLimit {
            soft: 256,
            hard: 256,
            open: 10,
        };
        assert_eq!(small.connections(), 164);
    }
}
