//! The network a room teaches with: the built-in Tiny VGG (`info: None`) or a model the
//! instructor uploaded, together with what members are told about it. Every forward pass and
//! every focus check of a room goes through its `RoomModel`, never through a global network.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use models::Network;
use models::budget::Budget;
use shared::model::{ModelHash, ModelInfo, clean_model_name};

use crate::model_store::LoadedModel;

/// A room's network and its description (`None`: the built-in Tiny VGG).
#[derive(Debug, Clone)]
pub struct RoomModel {
    /// What members see: hash, size and name of the model file.
    pub info: Option<ModelInfo>,
    /// The checked network.
    pub network: Arc<Network>,
    /// The stored file, held (never read here) so it stays in memory while the room uses it:
    /// students download it from there ([`crate::model_store::ModelStore::in_memory`]).
    _file: Option<Arc<LoadedModel>>,
}

impl RoomModel {
    /// The shipped Tiny VGG.
    pub fn tiny_vgg() -> Self {
        static TINY_VGG: OnceLock<Arc<Network>> = OnceLock::new();
        let network = TINY_VGG.get_or_init(|| Arc::new(models::builtin::tiny_vgg().clone()));
        Self {
            info: None,
            network: Arc::clone(network),
            _file: None,
        }
    }

    /// A stored model, described to members by `info`.
    pub fn stored(info: ModelInfo, file: Arc<LoadedModel>) -> Self {
        Self {
            info: Some(info),
            network: Arc::clone(&file.network),
            _file: Some(file),
        }
    }

    /// The model's content hash (`None` for Tiny VGG): predictions are cached under it.
    pub fn hash(&self) -> Option<ModelHash> {
        self.info.as_ref().map(|info| info.hash)
    }
}

/// A model given on the command line (`--model`): checked before the server starts.
#[derive(Debug, Clone)]
pub struct ModelFile {
    /// Shown to students (the folder's or file's name).
    pub name: String,
    /// The checked network.
    pub network: Arc<Network>,
}

impl ModelFile {
    /// Reads and checks the model at `path`: a folder with a manifest and a safetensors file
    /// (what `scripts/export_pytorch.py` writes), or one bundle file. Refusals are sentences.
    pub fn load(path: &Path) -> Result<Self, String> {
        let refused = |why: String| format!("The model {} cannot be used: {why}", path.display());
        let network = if path.is_dir() {
            let network = models::weights::load_dir(path).map_err(|e| refused(e.to_string()))?;
            models::budget::check_teachable(&network).map_err(|e| refused(e.to_string()))?;
            network
        } else {
            let len = std::fs::metadata(path)
                .map_err(|e| refused(format!("cannot read it ({e})")))?
                .len();
            if len > models::bundle::MAX_BYTES as u64 {
                return Err(refused(format!(
                    "the file has {} bytes, more than the {} a model may have",
                    models::budget::thousands(len),
                    models::budget::thousands(models::bundle::MAX_BYTES as u64)
                )));
            }
            let bytes = std::fs::read(path).map_err(|e| refused(format!("cannot read it ({e})")))?;
            models::bundle::read(&bytes, &Budget::TEACHING).map_err(|e| refused(e.to_string()))?
        };
        let stem = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self {
            name: clean_model_name(&stem),
            network: Arc::new(network),
        })
    }
}
