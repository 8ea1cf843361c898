//! What the instructor learns about saving: the newest version on disk (`Saved`), and each
//! failed save ("not saved"). Written by the store, read by the room's instructor connection;
//! kept apart from both so neither imports the other.

use std::sync::Arc;

use shared::StateVersion;
use tokio::sync::watch;

/// One room's save notices; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct SaveMark {
    saved: watch::Sender<StateVersion>,
    failed: watch::Sender<Option<Arc<str>>>,
}

impl SaveMark {
    /// Starting at `version`, already on disk.
    pub fn new(version: StateVersion) -> Self {
        Self {
            saved: watch::Sender::new(version),
            failed: watch::Sender::new(None),
        }
    }

    /// Raises the mark to `version` (never lowers it). Call only once `version` is committed:
    /// structural writes are committed in the same or a later transaction than every earlier
    /// focus change (the writer drains pending focus after taking the write), so everything up to
    /// `version` is then on disk.
    pub fn raise(&self, version: StateVersion) {
        self.saved.send_if_modified(|current| {
            let newer = version > *current;
            if newer {
                *current = version;
            }
            newer
        });
    }

    /// Reports a save that failed (wakes the instructor's connection even for the same text).
    pub fn fail(&self, reason: &str) {
        self.failed.send_replace(Some(Arc::from(reason)));
    }

    /// Versions known to be on disk.
    pub fn subscribe_saved(&self) -> watch::Receiver<StateVersion> {
        self.saved.subscribe()
    }

    /// Failed saves, newest reason.
    pub fn subscribe_failed(&self) -> watch::Receiver<Option<Arc<str>>> {
        self.failed.subscribe()
    }
}
