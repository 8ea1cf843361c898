//! Makes cargo rebuild the server (and so re-embed the client bundle, see `src/embedded.rs`)
//! whenever `client/dist` changes, appears or disappears.

use std::path::Path;

fn main() {
    let dist = Path::new("../client/dist");
    // A directory is scanned as a whole. While the bundle is missing, its parent is watched
    // instead, because a path that does not exist would rebuild the server on every build.
    let watched = if dist.is_dir() {
        dist
    } else {
        Path::new("../client")
    };
    println!("cargo::rerun-if-changed={}", watched.display());
}
