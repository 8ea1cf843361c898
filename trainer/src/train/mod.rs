//! Training math: backward passes for every layer kind, softmax + cross-entropy, and Adam.
//!
//! Map of the module:
//! - [`conv`]: convolution as im2col + matrix multiply, forward and backward.
//! - [`pool`]: max pooling that remembers each window's winner, and its backward pass.
//! - [`loss`]: softmax + cross-entropy on logits, fused for numerical stability.
//! - [`gradients`]: one gradient tensor per parameter, shaped like the network.
//! - [`backprop`]: one sample's forward pass with cache, then the backward pass.
//! - [`adam`]: the Adam optimiser that turns summed gradients into new weights.
//!
//! The product's forward pass ([`models::Network::forward`]) stays the reference; the training
//! forward pass here computes the same numbers (tested) in a layout that makes the backward pass
//! a pair of matrix multiplies.

pub mod adam;
pub mod backprop;
pub mod conv;
#[cfg(test)]
mod gradient_check;
pub mod gradients;
pub mod loss;
pub mod pool;

pub use adam::Adam;
pub use backprop::{
    CachedForward, SampleResult, backward, forward_with_cache, logit_layer_count, loss_and_gradients,
};
pub use gradients::{Gradients, ParamGradient};
pub use loss::softmax_cross_entropy;
