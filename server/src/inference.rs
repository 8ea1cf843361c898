//! Turning the instructor's picture into the class's input: decode (uploads within a memory
//! budget, at most as many at once as configured) and resize once, run the forward pass off the
//! async runtime, and remember results by content hash.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use models::Network;
use models::preprocess::CanonicalImage;
use shared::room::INPUT_SIDE;
use shared::{InputImage, InputSource, MAX_UPLOAD_BYTES, Prediction};
use tokio::sync::Semaphore;

use crate::upload::{UploadError, decode_within_budget};

/// How many distinct inputs keep their prediction in memory (a lecture uses a handful).
const CACHE_ENTRIES: usize = 64;

/// Why a picture could not become the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InferenceError {
    /// No sample with this index.
    #[error("There is no sample image number {index} (there are {count}); pick one from the list.")]
    UnknownSample {
        /// Requested index.
        index: u16,
        /// Number of samples.
        count: usize,
    },
    /// Upload over the size limit.
    #[error("The image is {len} bytes; uploads can be at most {} MB. Pick a smaller picture.", MAX_UPLOAD_BYTES / (1024 * 1024))]
    TooLarge {
        /// Size of the upload.
        len: usize,
    },
    /// Decoded, the picture would be larger than the server's budget.
    #[error(transparent)]
    OverBudget(UploadError),
    /// Not a readable picture.
    #[error(
        "That file is not a picture the server can read ({0}). Upload a PNG, JPEG, GIF, WebP or BMP image."
    )]
    BadImage(String),
    /// The model failed (should not happen with a checked network).
    #[error("The network could not process the image ({0}); please try another picture.")]
    Model(String),
}

/// Inference with a small result cache; cheap to share behind an `Arc`.
pub struct Inference {
    network: &'static Network,
    /// Largest decoded upload, in bytes.
    budget: u64,
    /// Pictures decoded at once at most (each may hold up to `budget` bytes).
    decodes: Semaphore,
    /// std mutex: only held to look up or insert, never across an await.
    cache: Mutex<PredictionCache>,
}

#[derive(Default)]
struct PredictionCache {
    by_hash: HashMap<[u8; 32], Prediction>,
    order: VecDeque<[u8; 32]>,
}

impl PredictionCache {
    fn insert(&mut self, hash: [u8; 32], prediction: Prediction) {
        if self.by_hash.insert(hash, prediction).is_none() {
            self.order.push_back(hash);
            if self.order.len() > CACHE_ENTRIES
                && let Some(oldest) = self.order.pop_front()
            {
                self.by_hash.remove(&oldest);
            }
        }
    }
}

/// The shipped sample pictures as PNG bytes, in `models::samples::SAMPLES` order.
fn sample_png(index: u16) -> Result<&'static [u8], InferenceError> {
    let samples = models::samples::SAMPLES;
    samples
        .get(usize::from(index))
        .map(|sample| sample.png)
        .ok_or(InferenceError::UnknownSample {
            index,
            count: samples.len(),
        })
}

impl Inference {
    /// Inference with `network` (its input must be `[3, 64, 64]`), decoding uploads within
    /// `budget` bytes, at most `concurrent` at once.
    pub fn new(network: &'static Network, budget: u64, concurrent: usize) -> Self {
        Self {
            network,
            budget,
            decodes: Semaphore::new(concurrent.max(1)),
            cache: Mutex::new(PredictionCache::default()),
        }
    }

    /// Inference with the shipped trained Tiny VGG.
    pub fn builtin(budget: u64, concurrent: usize) -> Self {
        Self::new(models::builtin::tiny_vgg(), budget, concurrent)
    }

    /// Number of layers of the network (the range of `Focus::layer`).
    pub fn layer_count(&self) -> usize {
        self.network.layers().len()
    }

    /// The network every input runs through (focus changes are checked against it).
    pub fn network(&self) -> &'static Network {
        self.network
    }

    /// The input for sample `index`.
    pub async fn sample(self: &Arc<Self>, index: u16) -> Result<InputImage, InferenceError> {
        let png = sample_png(index)?;
        self.run(png.to_vec(), InputSource::Sample(index)).await
    }

    /// The input for an uploaded picture.
    pub async fn upload(self: &Arc<Self>, bytes: Vec<u8>) -> Result<InputImage, InferenceError> {
        if bytes.len() > MAX_UPLOAD_BYTES as usize {
            return Err(InferenceError::TooLarge { len: bytes.len() });
        }
        self.run(bytes, InputSource::Upload).await
    }

    async fn run(
        self: &Arc<Self>,
        bytes: Vec<u8>,
        source: InputSource,
    ) -> Result<InputImage, InferenceError> {
        // Closed never: the semaphore lives as long as `self`.
        let _permit = self
            .decodes
            .acquire()
            .await
            .map_err(|e| InferenceError::Model(e.to_string()))?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || this.run_blocking(&bytes, source))
            .await
            .map_err(|e| InferenceError::Model(e.to_string()))?
    }

    /// Decode, resize, hash, forward pass (or cache hit).
    pub fn run_blocking(&self, bytes: &[u8], source: InputSource) -> Result<InputImage, InferenceError> {
        let side = u32::from(INPUT_SIDE);
        let image = match source {
            InputSource::Sample(_) => {
                CanonicalImage::decode(bytes, side).map_err(|e| InferenceError::BadImage(e.to_string()))?
            }
            InputSource::Upload => decode_within_budget(bytes, self.budget, side).map_err(|e| match e {
                UploadError::BadImage(text) => InferenceError::BadImage(text),
                over => InferenceError::OverBudget(over),
            })?,
        };
        let hash = image.hash();
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_hash
            .get(&hash)
            .cloned();
        let prediction = match cached {
            Some(prediction) => prediction,
            None => {
                let trace = self
                    .network
                    .forward(&image.to_tensor())
                    .map_err(|e| InferenceError::Model(e.to_string()))?;
                let prediction = Prediction {
                    class: u16::try_from(trace.predicted_class()).unwrap_or(u16::MAX),
                    probabilities: trace.final_output().to_vec(),
                    layer_sums: trace.layer_sums(),
                };
                self.cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(hash, prediction.clone());
                prediction
            }
        };
        Ok(InputImage {
            source,
            side: INPUT_SIDE,
            rgb: image.rgb,
            hash,
            prediction,
        })
    }
}
