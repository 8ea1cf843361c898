//! Fashion-MNIST from the Debian package `dataset-fashion-mnist`: gzip-compressed IDX files of
//! 28×28 grey images and their labels.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use thiserror::Error;

use crate::idx::{self, IdxError};

/// Where Debian's `dataset-fashion-mnist` installs the files.
pub const DEFAULT_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Side of a Fashion-MNIST image in pixels.
pub const SIDE: usize = 28;

/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;

/// The ten classes, in label order (the same list the shipped model names).
pub const CLASS_NAMES: [&str; 10] = models::builtin::FASHION_MNIST_CLASSES;

/// Which half of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// 60,000 training images.
    Train,
    /// 10,000 test images.
    Test,
}

impl Split {
    fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// Why the dataset could not be loaded.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// A file is missing or unreadable.
    #[error(
        "cannot read {path}: {source}; install the Debian package dataset-fashion-mnist or pass --data DIR"
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not valid IDX.
    #[error("{path} is not usable: {source}")]
    Idx {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: IdxError,
    },
    /// Images and labels disagree, or the images are not 28×28, or a label is out of range.
    #[error("{0}; reinstall the dataset")]
    Inconsistent(String),
}

/// One split of Fashion-MNIST in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FashionMnist {
    /// `len() × 784` grey values, image after image, row-major, 0 = background.
    pub images: Vec<u8>,
    /// One label in `0..10` per image.
    pub labels: Vec<u8>,
}

impl FashionMnist {
    /// Loads one split from `dir` (e.g. [`DEFAULT_DIR`]).
    pub fn load(dir: &Path, split: Split) -> Result<Self, DatasetError> {
        let images = read_idx(&dir.join(format!("{}-images-idx3-ubyte.gz", split.prefix())))?;
        let labels = read_idx(&dir.join(format!("{}-labels-idx1-ubyte.gz", split.prefix())))?;
        Self::from_idx(images, labels)
    }

    /// Checks that decoded image and label arrays belong together.
    pub fn from_idx(images: idx::IdxArray, labels: idx::IdxArray) -> Result<Self, DatasetError> {
        let [count, SIDE, SIDE] = images.dims[..] else {
            return Err(DatasetError::Inconsistent(format!(
                "the images have dimensions {:?}, not [n, 28, 28]",
                images.dims
            )));
        };
        if labels.dims != [count] {
            return Err(DatasetError::Inconsistent(format!(
                "{count} images but labels of dimensions {:?}",
                labels.dims
            )));
        }
        if let Some(bad) = labels.data.iter().find(|&&l| usize::from(l) >= CLASS_NAMES.len()) {
            return Err(DatasetError::Inconsistent(format!(
                "label {bad} is not one of the 10 classes"
            )));
        }
        Ok(Self {
            images: images.data,
            labels: labels.data,
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The grey pixels of image `index`, row-major.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.images[index * PIXELS..(index + 1) * PIXELS]
    }

    /// The label of image `index`.
    pub fn label(&self, index: usize) -> usize {
        usize::from(self.labels[index])
    }

    /// Removes the last `count` images (all if fewer) and returns them: a validation split
    /// carved from the training set, which training then never sees.
    pub fn split_off_last(&mut self, count: usize) -> FashionMnist {
        let keep = self.len().saturating_sub(count);
        FashionMnist {
            images: self.images.split_off(keep * PIXELS),
            labels: self.labels.split_off(keep),
        }
    }
}

fn read_idx(path: &Path) -> Result<idx::IdxArray, DatasetError> {
    let io = |source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    GzDecoder::new(file).read_to_end(&mut bytes).map_err(io)?;
    idx::parse(&bytes).map_err(|source| DatasetError::Idx {
        path: path.to_path_buf(),
        source,
    })
}
