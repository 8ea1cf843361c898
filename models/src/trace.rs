//! Every layer's output from one forward pass: what the overview and explanation views read.

use ndarray::{Array1, Array3, ArrayD};

/// The input and each layer's output, in network order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The input tensor, `[C, H, W]`, values in `[0, 1]`.
    pub input: Array3<f32>,
    /// `outputs[i]` is the output of layer `i`; shapes as [`crate::Network::output_shapes`].
    pub outputs: Vec<ArrayD<f32>>,
}

impl Trace {
    /// The last layer's output as a vector (class probabilities for a classifier ending in softmax).
    pub fn final_output(&self) -> Array1<f32> {
        let last = self.outputs.last().expect("a network has at least one layer");
        Array1::from_iter(last.iter().copied())
    }

    /// Index of the largest final output: the predicted class.
    pub fn predicted_class(&self) -> usize {
        let out = self.final_output();
        let mut best = 0;
        for (i, &v) in out.iter().enumerate() {
            if v > out[best] {
                best = i;
            }
        }
        best
    }
}
