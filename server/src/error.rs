//! Errors that stop the server from starting or running (per-connection problems are logged at
//! the connection and never reach here).

use std::path::PathBuf;

/// Why the server could not start or keep running.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The data directory could not be created.
    #[error("Could not create the data directory {path}: {source}. Choose another with --data-dir.")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be opened or read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The TLS certificate or key could not be used.
    #[error("Could not use {path} for HTTPS: {message}. Check --tls-cert and --tls-key (PEM files).")]
    Tls {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The `--model` network could not be stored.
    #[error("Could not use the model given with --model: {0}")]
    Model(#[from] crate::model_store::ModelStoreError),
    /// The HTTP server failed.
    #[error("The HTTP server stopped: {0}")]
    Serve(#[source] std::io::Error),
}
