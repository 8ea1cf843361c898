//! The models instructors uploaded, by content hash: one file `<data dir>/models/<hash>.model`
//! each (the canonical bundle bytes, written atomically), or only in memory without a data
//! directory (tests).
//!
//! Bounded: the files together may take at most the configured storage (a full store refuses
//! the next upload with a sentence), and at most [`MAX_MODEL_FILES`] of them. Networks are kept
//! in memory while a room uses them (a weak reference per file, so two rooms on one model share
//! it), plus the few most recently loaded, so memory stays within the storage bound too.
//! Everything here blocks (disk, parsing): call it off the async runtime.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use axum::body::Bytes;
use models::Network;
use models::budget::{Budget, thousands};
use shared::model::{ModelHash, ModelInfo, clean_model_name};

/// Most model files kept, whatever their size.
pub const MAX_MODEL_FILES: usize = 1000;

/// Models loaded recently that stay in memory although no room uses them (a model just
/// uploaded, before the console switches the room to it).
const RECENT: usize = 2;

/// A model file checked and in memory.
#[derive(Debug)]
pub struct LoadedModel {
    /// Content hash of `bytes`.
    pub hash: ModelHash,
    /// The canonical file (`models::bundle::write`), served at `/models/<hash>`.
    pub bytes: Bytes,
    /// The checked network.
    pub network: Arc<Network>,
}

/// Why a model could not be stored or loaded; every one is a sentence for the instructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelStoreError {
    /// No model with this hash is stored.
    #[error(
        "The server has no model with this hash; upload the model file first (Load a network…), \
         then choose it."
    )]
    Unknown,
    /// The store is full.
    #[error(
        "The server already keeps {count} models ({mb} MB), its limit for uploaded models; ask \
         whoever runs the server to delete models no lecture uses from its data folder, or to \
         raise --model-storage-mib."
    )]
    Full {
        /// Models stored.
        count: usize,
        /// Their size in MB.
        mb: String,
    },
    /// The file on disk is damaged or no longer passes the checks.
    #[error("The stored model {hash} cannot be used any more ({why}); upload it again.")]
    Damaged {
        /// Which model.
        hash: String,
        /// What is wrong.
        why: String,
    },
    /// The disk refused.
    #[error("The server could not save the model ({0}); free disk space or check its data folder.")]
    Io(String),
}

struct Entry {
    len: u64,
    name: String,
    /// Alive while a room (or the recent list) holds the model.
    loaded: Weak<LoadedModel>,
    /// Models that have no file (no data directory) or must never be dropped (`--model`).
    pinned: Option<Arc<LoadedModel>>,
}

struct Inner {
    entries: HashMap<ModelHash, Entry>,
    recent: VecDeque<Arc<LoadedModel>>,
}

/// The stored models; share behind an `Arc`.
pub struct ModelStore {
    /// `<data dir>/models`; `None`: memory only.
    dir: Option<PathBuf>,
    /// Bytes the model files may take together.
    max_bytes: u64,
    /// std mutex: held for lookups and bookkeeping, never across file I/O or parsing.
    inner: Mutex<Inner>,
    /// Serialises additions, so two uploads cannot both pass the storage check.
    adding: Mutex<()>,
}

fn file_name(hash: &ModelHash) -> String {
    format!("{hash}.model")
}

impl ModelStore {
    /// The store in `data_dir/models` (created if missing; half-written files of an earlier run
    /// removed), or in memory for `None`. Files are only listed here; each is read and checked
    /// again when a room uses it.
    pub fn open(data_dir: Option<&Path>, max_bytes: u64) -> std::io::Result<Self> {
        let mut entries = HashMap::new();
        let dir = data_dir.map(|d| d.join("models"));
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir)?;
            for item in std::fs::read_dir(dir)?.flatten() {
                let path = item.path();
                let name = item.file_name().to_string_lossy().into_owned();
                if name.ends_with(".tmp") {
                    let _ = std::fs::remove_file(&path);
                    continue;
                }
                let Some(hash) = name
                    .strip_suffix(".model")
                    .and_then(|h| h.parse::<ModelHash>().ok())
                else {
                    continue;
                };
                let len = item.metadata().map(|m| m.len()).unwrap_or(0);
                entries.insert(
                    hash,
                    Entry {
                        len,
                        name: unnamed(&hash),
                        loaded: Weak::new(),
                        pinned: None,
                    },
                );
            }
        }
        Ok(Self {
            dir,
            max_bytes,
            inner: Mutex::new(Inner {
                entries,
                recent: VecDeque::new(),
            }),
            adding: Mutex::new(()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of stored models and their total size in bytes.
    pub fn usage(&self) -> (usize, u64) {
        let inner = self.lock();
        (inner.entries.len(), inner.entries.values().map(|e| e.len).sum())
    }

    /// Stores `network` (already checked) under the hash of its canonical bytes, named `name`;
    /// a model stored before is not stored twice. With `pin`, it stays in memory for good.
    pub fn add(
        &self,
        network: Network,
        name: &str,
        pin: bool,
    ) -> Result<(ModelInfo, Arc<LoadedModel>), ModelStoreError> {
        let _adding = self.adding.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = models::bundle::write(&network);
        let hash = ModelHash(models::bundle::hash(&bytes));
        let name = clean_model_name(name);
        let len = bytes.len() as u64;
        let info = ModelInfo {
            hash,
            bytes: u32::try_from(len).unwrap_or(u32::MAX),
            name: name.clone(),
        };
        let existing = {
            let mut inner = self.lock();
            let (count, used) = (
                inner.entries.len(),
                inner.entries.values().map(|e| e.len).sum::<u64>(),
            );
            match inner.entries.get_mut(&hash) {
                Some(entry) => {
                    entry.name = name.clone();
                    entry.loaded.upgrade()
                }
                None => {
                    if count >= MAX_MODEL_FILES || used + len > self.max_bytes {
                        return Err(ModelStoreError::Full {
                            count,
                            mb: megabytes(used),
                        });
                    }
                    None
                }
            }
        };
        let loaded = match existing {
            Some(loaded) => loaded,
            None => {
                // Also rewritten when known but not in memory: an upload repairs a damaged file.
                if let Some(dir) = &self.dir {
                    write_atomically(dir, &file_name(&hash), &bytes)
                        .map_err(|e| ModelStoreError::Io(e.to_string()))?;
                }
                Arc::new(LoadedModel {
                    hash,
                    bytes: Bytes::from(bytes),
                    network: Arc::new(network),
                })
            }
        };
        let mut inner = self.lock();
        let keep = pin || self.dir.is_none();
        let entry = inner.entries.entry(hash).or_insert_with(|| Entry {
            len,
            name: name.clone(),
            loaded: Weak::new(),
            pinned: None,
        });
        entry.loaded = Arc::downgrade(&loaded);
        if keep {
            entry.pinned = Some(Arc::clone(&loaded));
        }
        remember(&mut inner, &loaded);
        Ok((info, loaded))
    }

    /// The model `hash` with what members are told about it: from memory, or read from its file
    /// and checked again (a file damaged on disk is refused, never trusted).
    pub fn get(&self, hash: &ModelHash) -> Result<(ModelInfo, Arc<LoadedModel>), ModelStoreError> {
        let (len, name, alive) = {
            let inner = self.lock();
            let entry = inner.entries.get(hash).ok_or(ModelStoreError::Unknown)?;
            (entry.len, entry.name.clone(), entry.loaded.upgrade())
        };
        let info = |len: usize| ModelInfo {
            hash: *hash,
            bytes: u32::try_from(len).unwrap_or(u32::MAX),
            name: name.clone(),
        };
        if let Some(loaded) = alive {
            return Ok((info(loaded.bytes.len()), loaded));
        }
        let dir = self.dir.as_ref().ok_or(ModelStoreError::Unknown)?;
        let damaged = |why: String| ModelStoreError::Damaged {
            hash: hash.to_string(),
            why,
        };
        if len > models::bundle::MAX_BYTES as u64 {
            return Err(damaged(format!("the file has {} bytes", thousands(len))));
        }
        let bytes =
            std::fs::read(dir.join(file_name(hash))).map_err(|e| damaged(format!("cannot read it: {e}")))?;
        if models::bundle::hash(&bytes) != hash.0 {
            return Err(damaged("its contents do not match its hash".into()));
        }
        let network = models::bundle::read(&bytes, &Budget::TEACHING).map_err(|e| damaged(e.to_string()))?;
        let loaded = Arc::new(LoadedModel {
            hash: *hash,
            bytes: Bytes::from(bytes),
            network: Arc::new(network),
        });
        let mut inner = self.lock();
        if let Some(entry) = inner.entries.get_mut(hash) {
            // Another thread may have loaded it meanwhile: share one copy.
            match entry.loaded.upgrade() {
                Some(other) => return Ok((info(other.bytes.len()), other)),
                None => entry.loaded = Arc::downgrade(&loaded),
            }
        }
        remember(&mut inner, &loaded);
        Ok((info(loaded.bytes.len()), loaded))
    }

    /// The file of model `hash` if it is in memory (a room uses it, or it was loaded recently).
    pub fn in_memory(&self, hash: &ModelHash) -> Option<Bytes> {
        let inner = self.lock();
        let entry = inner.entries.get(hash)?;
        entry.loaded.upgrade().map(|loaded| loaded.bytes.clone())
    }

    /// Whether a model with this hash is stored.
    pub fn contains(&self, hash: &ModelHash) -> bool {
        self.lock().entries.contains_key(hash)
    }
}

/// Keeps `loaded` among the few recent models held in memory without a room.
fn remember(inner: &mut Inner, loaded: &Arc<LoadedModel>) {
    inner.recent.retain(|m| m.hash != loaded.hash);
    inner.recent.push_back(Arc::clone(loaded));
    while inner.recent.len() > RECENT {
        inner.recent.pop_front();
    }
}

/// The name of a model whose upload name was not kept (stored before a restart).
fn unnamed(hash: &ModelHash) -> String {
    format!("model {}", &hash.to_string()[..8])
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

/// Writes `bytes` to `dir/name` so that the file is either absent or whole, even after a crash:
/// a temporary file, flushed to disk, renamed over the name, then the folder flushed.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let target = dir.join(name);
    let temporary = dir.join(format!("{name}.tmp"));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &target)?;
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_is_stored_once_by_hash_and_survives_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ModelStore::open(Some(dir.path()), 10 << 20).expect("opens");
        let network = models::builtin::tiny_vgg_untrained(3);
        let (info, loaded) = store.add(network.clone(), "first.model", false).expect("stored");
        assert_eq!(info.name, "first.model");
        assert_eq!(u64::from(info.bytes), loaded.bytes.len() as u64);
        let (again, _) = store.add(network, "second name", false).expect("stored once");
        assert_eq!(again.hash, info.hash);
        assert_eq!(store.usage().0, 1);
        let path = dir.path().join("models").join(file_name(&info.hash));
        assert_eq!(std::fs::read(&path).expect("on disk"), loaded.bytes.to_vec());
        drop(loaded);

        std::fs::write(dir.path().join("models").join("x.model.tmp"), b"half").unwrap();
        let reopened = ModelStore::open(Some(dir.path()), 10 << 20).expect("reopens");
        assert!(
            !dir.path().join("models").join("x.model.tmp").exists(),
            "leftovers removed"
        );
        let (info2, loaded2) = reopened.get(&info.hash).expect("read back and checked");
        assert_eq!(info2.hash, info.hash);
        assert!(info2.name.starts_with("model "), "{}", info2.name);
        assert_eq!(loaded2.network.layers().len(), 13);

        std::fs::write(&path, b"damaged").unwrap();
        let damaged = ModelStore::open(Some(dir.path()), 10 << 20).expect("reopens");
        let error = damaged.get(&info.hash).unwrap_err();
        assert!(matches!(error, ModelStoreError::Damaged { .. }), "{error}");
        assert_eq!(
            damaged.get(&ModelHash([7; 32])).unwrap_err(),
            ModelStoreError::Unknown
        );
    }

    #[test]
    fn a_model_stays_in_memory_while_a_room_uses_it_and_only_then() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ModelStore::open(Some(dir.path()), 10 << 20).expect("opens");
        let add = |seed| {
            store
                .add(models::builtin::tiny_vgg_untrained(seed), "m", false)
                .expect("stored")
        };
        let (used, file) = add(1);
        let room = crate::room_model::RoomModel::stored(used.clone(), file);
        let (unused, _) = add(2);
        for seed in 3..=4 {
            add(seed);
        }
        assert!(store.in_memory(&used.hash).is_some(), "a room holds it");
        assert!(
            store.in_memory(&unused.hash).is_none(),
            "pushed out of the recent ones"
        );
        drop(room);
        assert!(store.in_memory(&used.hash).is_none());
        assert!(store.get(&unused.hash).is_ok(), "still on disk");
    }

    #[test]
    fn a_full_store_refuses_with_a_sentence() {
        let store = ModelStore::open(None, 1000).expect("opens");
        let error = store
            .add(models::builtin::tiny_vgg_untrained(1), "big", false)
            .unwrap_err();
        assert!(error.to_string().contains("--model-storage-mib"), "{error}");
        assert_eq!(store.usage(), (0, 0));
    }
}
