//! Turning the instructor's picture into the class's input: decode (uploads within a memory
//! budget, at most as many at once as configured) and resize once to the room's 64×64 RGB
//! picture, run the room's network on it (`models::preprocess::input_for` fits the picture to
//! the network's input, as the client does) off the async runtime, and remember results by
//! model and picture hash.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use models::preprocess::CanonicalImage;
use shared::model::ModelHash;
use shared::room::INPUT_SIDE;
use shared::{InputImage, InputSource, MAX_UPLOAD_BYTES, Prediction};
use tokio::sync::Semaphore;

use crate::room_model::RoomModel;
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

/// Inference with a small result cache; cheap to share behind an `Arc`. The network is the
/// room's ([`RoomModel`]), given with every call.
pub struct Inference {
    /// Largest decoded upload, in bytes.
    budget: u64,
    /// Pictures decoded (or networks run) at once at most (each may hold up to `budget` bytes).
    decodes: Semaphore,
    /// std mutex: only held to look up or insert, never across an await.
    cache: Mutex<PredictionCache>,
}

/// A prediction is the same for the same network (by hash; `None`: Tiny VGG) and picture.
type CacheKey = (Option<ModelHash>, [u8; 32]);

#[derive(Default)]
struct PredictionCache {
    by_key: HashMap<CacheKey, Prediction>,
    order: VecDeque<CacheKey>,
}

impl PredictionCache {
    fn insert(&mut self, key: CacheKey, prediction: Prediction) {
        if self.by_key.insert(key, prediction).is_none() {
            self.order.push_back(key);
            if self.order.len() > CACHE_ENTRIES
                && let Some(oldest) = self.order.pop_front()
            {
                self.by_key.remove(&oldest);
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
    /// Inference decoding uploads within `budget` bytes, at most `concurrent` at once.
    pub fn new(budget: u64, concurrent: usize) -> Self {
        Self {
            budget,
            decodes: Semaphore::new(concurrent.max(1)),
            cache: Mutex::new(PredictionCache::default()),
        }
    }

    /// The input for sample `index`, predicted by `model`.
    pub async fn sample(
        self: &Arc<Self>,
        index: u16,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
        let png = sample_png(index)?;
        self.run(png.to_vec(), InputSource::Sample(index), model).await
    }

    /// The input for an uploaded picture, predicted by `model`.
    pub async fn upload(
        self: &Arc<Self>,
        bytes: Vec<u8>,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
        if bytes.len() > MAX_UPLOAD_BYTES as usize {
            return Err(InferenceError::TooLarge { len: bytes.len() });
        }
        self.run(bytes, InputSource::Upload, model).await
    }

    /// `input` (the room's canonical picture) with the prediction of `model`: when the room
    /// switches network, the picture stays and only its prediction changes.
    pub async fn repredict(
        self: &Arc<Self>,
        input: &InputImage,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
        let _permit = self.permit().await?;
        let (this, input, model) = (Arc::clone(self), input.clone(), model.clone());
        tokio::task::spawn_blocking(move || this.repredict_blocking(&input, &model))
            .await
            .map_err(|e| InferenceError::Model(e.to_string()))?
    }

    /// [`Self::repredict`] on the calling thread (at start-up, before serving).
    pub fn repredict_blocking(
        &self,
        input: &InputImage,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
        let image = CanonicalImage::new(input.rgb.clone(), u32::from(input.side))
            .map_err(|e| InferenceError::BadImage(e.to_string()))?;
        self.predict_blocking(image, input.source, model)
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, InferenceError> {
        // Closed never: the semaphore lives as long as `self`.
        self.decodes
            .acquire()
            .await
            .map_err(|e| InferenceError::Model(e.to_string()))
    }

    async fn run(
        self: &Arc<Self>,
        bytes: Vec<u8>,
        source: InputSource,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
        let _permit = self.permit().await?;
        let (this, model) = (Arc::clone(self), model.clone());
        tokio::task::spawn_blocking(move || this.run_blocking(&bytes, source, &model))
            .await
            .map_err(|e| InferenceError::Model(e.to_string()))?
    }

    /// Decode, resize, hash, forward pass (or cache hit).
    pub fn run_blocking(
        &self,
        bytes: &[u8],
        source: InputSource,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
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
        self.predict_blocking(image, source, model)
    }

    /// The room's picture `image` run through `model` (or found in the cache).
    fn predict_blocking(
        &self,
        image: CanonicalImage,
        source: InputSource,
        model: &RoomModel,
    ) -> Result<InputImage, InferenceError> {
        let hash = image.hash();
        let key = (model.hash(), hash);
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_key
            .get(&key)
            .cloned();
        let prediction = match cached {
            Some(prediction) => prediction,
            None => {
                let network = &model.network;
                let trace = network
                    .forward(&image.input_for(network.input_shape()))
                    .map_err(|e| InferenceError::Model(e.to_string()))?;
                let prediction = Prediction {
                    class: u16::try_from(trace.predicted_class()).unwrap_or(u16::MAX),
                    probabilities: trace.final_output().to_vec(),
                    layer_sums: trace.layer_sums(),
                };
                self.cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, prediction.clone());
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
