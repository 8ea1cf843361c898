//! Where the end-to-end tests find the client bundle and put their artifacts and scratch files.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The workspace root (the directory holding the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives one level below the workspace root")
        .to_path_buf()
}

/// `client/dist`, the bundle `scripts/build-client.sh` writes and the server serves.
pub fn client_dist() -> PathBuf {
    workspace_root().join("client/dist")
}

/// Screenshots and measured figures: `target/e2e-artifacts/` (always the workspace's `target/`,
/// whatever CARGO_TARGET_DIR says, so people know where to look).
pub fn artifacts_dir() -> PathBuf {
    ensure_dir(workspace_root().join("target/e2e-artifacts"))
}

/// Throwaway browser profiles, server data dirs and Chromium's temp files: `target/e2e-tmp/`.
pub fn scratch_dir() -> PathBuf {
    ensure_dir(workspace_root().join("target/e2e-tmp"))
}

/// Fails (never skips) when the client bundle has not been built.
pub fn require_bundle() -> Result<PathBuf> {
    let dist = client_dist();
    for file in ["index.html", "sw.js", "asset-manifest.json"] {
        if !dist.join(file).is_file() {
            bail!(
                "the client bundle is missing ({} not found): run `bash scripts/setup.sh` and \
                 `bash scripts/build-client.sh` first",
                dist.join(file).display()
            );
        }
    }
    Ok(dist)
}

fn ensure_dir(dir: PathBuf) -> PathBuf {
    // A failure here surfaces as a clear error at the first file written into it.
    let _ = std::fs::create_dir_all(&dir);
    dir
}
