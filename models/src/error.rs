//! Errors a user can cause: a network whose shapes do not fit, a bad weights file, a bad image.

use thiserror::Error;

/// Everything that can go wrong building, loading or feeding a network.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A layer cannot accept the shape the previous layer produces.
    #[error("layer {index} ({kind} {name}) {reason}")]
    ShapeMismatch {
        /// Position of the layer in the network.
        index: usize,
        /// The layer's name, e.g. `conv_1_1`.
        name: String,
        /// The layer's kind as PyTorch names it, e.g. `Linear`.
        kind: &'static str,
        /// What does not fit, e.g. "expects 1,024 inputs but the previous layer gives 1,690".
        reason: String,
    },
    /// A model would cost more than the budget allows (see `crate::budget`).
    #[error("{0}")]
    OverBudget(String),
    /// A layer's own parameters are inconsistent (e.g. bias length differs from out channels).
    #[error("layer {name} is invalid: {reason}")]
    InvalidLayer {
        /// The layer's name.
        name: String,
        /// Why, as a sentence.
        reason: String,
    },
    /// The input tensor given to `forward` does not have the network's input shape.
    #[error("the input has shape {actual:?} but the network expects {expected:?}")]
    InputShape {
        /// The network's input shape `[C, H, W]`.
        expected: Vec<usize>,
        /// The shape given.
        actual: Vec<usize>,
    },
    /// A weights file or manifest could not be read.
    #[error("cannot load the model: {0}")]
    Load(String),
    /// Bytes given as an image could not be used as one.
    #[error("{0}")]
    Image(String),
    /// An explanation was asked for a layer index the network does not have.
    #[error("there is no layer {layer}; the network has {count} layers (0 to {last})", last = count.saturating_sub(1))]
    NoSuchLayer {
        /// The index asked for.
        layer: usize,
        /// How many layers the network has.
        count: usize,
    },
    /// An explanation of one kind was asked for a layer of another kind.
    #[error("layer {layer} ({name}) is a {actual} layer, so it has no {expected} explanation")]
    WrongLayerKind {
        /// The index asked for.
        layer: usize,
        /// The layer's name.
        name: String,
        /// The kind the explanation needs.
        expected: &'static str,
        /// The layer's actual kind.
        actual: &'static str,
    },
    /// A neuron position outside the layer's output.
    #[error("position {position:?} is outside layer {layer}'s output of shape {shape:?}")]
    PositionOutOfRange {
        /// The layer index.
        layer: usize,
        /// The position asked for.
        position: Vec<usize>,
        /// The layer's output shape.
        shape: Vec<usize>,
    },
    /// The trace was computed by a different network than the one given.
    #[error("the trace does not belong to this network; run the forward pass again")]
    TraceMismatch,
}
